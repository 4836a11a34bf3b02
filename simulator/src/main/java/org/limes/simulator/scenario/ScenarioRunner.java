package org.limes.simulator.scenario;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.limes.drivers.Drivers;
import org.limes.drivers.Reading;
import org.limes.simulator.replay.CapturedFrame;
import org.limes.simulator.transport.FrameSender;
import org.limes.simulator.transport.TargetConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays a {@link Scenario}: ticks every device group on the simulated timeline, applies
 * the faults, encodes through the drivers and sends through the transports, paced so that
 * simulated time runs {@code speed} times faster than real time.
 *
 * <p>Group ticks fall at exact simulated instants (start + n × every), so with a fixed
 * {@code start} and seed a run sends the same bytes whatever the machine's timing. Device
 * clocks are the simulated time (plus any {@code clock_skew}).
 *
 * <p>Threading: {@link #run} blocks its caller, which does all the sending; {@link #stop}
 * may be called from any thread. Not reusable.
 */
public final class ScenarioRunner {

    /** How often a run reports its progress. */
    public static final Duration PROGRESS_PERIOD = Duration.ofSeconds(5);

    /** How long a run waits for outstanding deliveries at its end. */
    public static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(15);

    /** Frames an {@code offline} device holds at most; beyond, the oldest are dropped and counted. */
    public static final int OFFLINE_BUFFER = 100_000;

    private static final Logger log = LoggerFactory.getLogger(ScenarioRunner.class);
    private static final long MAX_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final Scenario scenario;
    private final Clock clock;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong suppressed = new AtomicLong();
    private final AtomicLong bufferDropped = new AtomicLong();
    private final AtomicLong failuresLogged = new AtomicLong();
    private final Map<String, AtomicLong> goodByDevice = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> goodByKind = new ConcurrentHashMap<>();
    private final Map<String, Reading> stuck = new HashMap<>();
    private final Map<FaultConfig, ArrayDeque<Pending>> offline = new LinkedHashMap<>();

    /**
     * A frame to send. {@code kind} names its MQTT topic; {@code byKind} counts its readings by
     * their own kinds (a SAPIENT report holds device_health, radar_track and sapient_alert
     * readings), which is how the gateway stores them; {@code readings} is -1 for a malformed frame.
     */
    private record Pending(String target, String device, String kind, byte[] frame, int readings,
            Map<String, Long> byKind) {
    }

    public ScenarioRunner(Scenario scenario, Clock clock) {
        this.scenario = scenario;
        this.clock = clock;
    }

    /** Stops sending; {@link #run} then drains and returns. */
    public void stop() {
        stopped.set(true);
    }

    /** The simulated start: {@code start} when given, else now at speed 1, else now minus the simulated duration. */
    public Instant simulatedStart() {
        if (scenario.start() != null) {
            return Instant.parse(scenario.start());
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        return scenario.speed() == 1.0 ? now : now.minus(scenario.simulatedDuration());
    }

    /**
     * Runs the scenario to its end (or {@link #stop}).
     *
     * @param progress told every {@link #PROGRESS_PERIOD}
     * @param capture  told every frame sent, for a capture file; may be null
     * @throws IOException when a target cannot be reached at the start
     */
    public ScenarioResult run(Consumer<ScenarioProgress> progress, Consumer<CapturedFrame> capture)
            throws IOException, InterruptedException {
        Instant start = simulatedStart();
        Drivers drivers = Drivers.load();
        List<DeviceGroup> groups = new ArrayList<>();
        for (int g = 0; g < scenario.devices().size(); g++) {
            groups.add(new DeviceGroup(scenario.devices().get(g), scenario.seed() * 1_000_003L + g, start, drivers));
        }
        Map<String, FrameSender> senders = new TreeMap<>();
        try {
            for (Map.Entry<String, TargetConfig> t : scenario.targets().entrySet()) {
                boolean used = groups.stream().anyMatch(g -> g.config().target().equals(t.getKey()));
                if (used) {
                    senders.put(t.getKey(), FrameSender.open(t.getValue(),
                            "limes-sim-" + scenario.name() + "-" + t.getKey() + "-" + ProcessHandle.current().pid(),
                            scenario.site()));
                }
            }
            return play(start, groups, senders, progress, capture);
        } finally {
            senders.values().forEach(FrameSender::close);
        }
    }

    private ScenarioResult play(Instant start, List<DeviceGroup> groups, Map<String, FrameSender> senders,
            Consumer<ScenarioProgress> progress, Consumer<CapturedFrame> capture) throws InterruptedException {
        Duration simLength = scenario.simulatedDuration();
        long[] tickIndex = new long[groups.size()];
        long begin = System.nanoTime();
        long nextProgress = begin + PROGRESS_PERIOD.toNanos();
        Duration realLength = scenario.realDuration();
        while (!stopped.get()) {
            int next = -1;
            Duration nextAt = null;
            for (int g = 0; g < groups.size(); g++) {
                Duration at = groups.get(g).interval().multipliedBy(tickIndex[g] + 1);
                if (at.compareTo(simLength) <= 0 && (nextAt == null || at.compareTo(nextAt) < 0)) {
                    next = g;
                    nextAt = at;
                }
            }
            if (next < 0) {
                break;
            }
            long dueNanos = begin + (long) (nextAt.toNanos() / scenario.speed());
            while (!stopped.get()) {
                long now = System.nanoTime();
                if (now >= nextProgress) {
                    progress.accept(snapshot(now - begin, realLength));
                    nextProgress += PROGRESS_PERIOD.toNanos();
                }
                if (now >= dueNanos) {
                    break;
                }
                TimeUnit.NANOSECONDS.sleep(Math.min(MAX_WAIT_NANOS, dueNanos - now));
            }
            if (stopped.get()) {
                break;
            }
            DeviceGroup group = groups.get(next);
            Duration offset = nextAt;
            Instant previous = start.plus(group.interval().multipliedBy(tickIndex[next]));
            tickIndex[next]++;
            flushOffline(offset, senders, capture, begin);
            for (DeviceGroup.DeviceReadings d : group.tick(previous, start.plus(offset), id -> active("surge", id, offset))) {
                emit(group, d, offset, senders, capture, begin);
            }
        }
        flushOffline(stopped.get() ? Duration.ofDays(36_500) : simLength.plusNanos(1), senders, capture, begin);
        boolean early = stopped.get();
        for (FrameSender s : senders.values()) {
            if (!s.awaitIdle(DRAIN_TIMEOUT)) {
                log.warn("deliveries still outstanding after {}", DRAIN_TIMEOUT);
            }
        }
        Map<String, Long> byDevice = new TreeMap<>();
        goodByDevice.forEach((k, v) -> byDevice.put(k, v.get()));
        Map<String, Long> byKind = new TreeMap<>();
        goodByKind.forEach((k, v) -> byKind.put(k, v.get()));
        return new ScenarioResult(scenario.name(), sent.get(), delivered.get(), failed.get(), malformed.get(),
                suppressed.get(), bufferDropped.get(), byDevice, byKind, Duration.ofNanos(System.nanoTime() - begin),
                early);
    }

    private ScenarioProgress snapshot(long elapsedNanos, Duration realLength) {
        Duration elapsed = Duration.ofNanos(elapsedNanos);
        Duration remaining = realLength.minus(elapsed);
        double rate = elapsedNanos <= 0 ? 0 : sent.get() / (elapsedNanos / 1e9);
        return new ScenarioProgress(elapsed, sent.get(), delivered.get(), failed.get(), rate,
                remaining.isNegative() ? Duration.ZERO : remaining);
    }

    private void emit(DeviceGroup group, DeviceGroup.DeviceReadings d, Duration offset,
            Map<String, FrameSender> senders, Consumer<CapturedFrame> capture, long begin) {
        String device = d.device();
        if (active("silent", device, offset)) {
            suppressed.incrementAndGet();
            return;
        }
        List<Reading> readings = new ArrayList<>(d.readings().size());
        for (Reading r : d.readings()) {
            readings.add(faulted(r, offset));
        }
        byte[] frame;
        try {
            frame = group.encode(device, readings);
        } catch (IllegalArgumentException e) {
            failed.incrementAndGet();
            if (failuresLogged.getAndIncrement() == 0) {
                log.warn("{} cannot encode a reading of {}: {} (further failures are only counted)",
                        group.driverName(), device, e.getMessage());
            }
            return;
        }
        int readingCount = readings.size();
        FaultConfig broken = fault("malformed", device, offset);
        if (broken != null && new SplittableRandom(scenario.seed() ^ device.hashCode() * 31L ^ offset.toNanos())
                .nextDouble() < broken.ratio()) {
            frame = malformedVariant(frame, offset);
            readingCount = -1;
        }
        Map<String, Long> byKind = new TreeMap<>();
        readings.forEach(r -> byKind.merge(r.kind(), 1L, Long::sum));
        Pending p = new Pending(group.config().target(), device, d.kind(), frame, readingCount, byKind);
        FaultConfig down = fault("offline", device, offset);
        if (down != null) {
            ArrayDeque<Pending> held = offline.computeIfAbsent(down, f -> new ArrayDeque<>());
            if (held.size() >= OFFLINE_BUFFER) {
                held.removeFirst();
                bufferDropped.incrementAndGet();
            }
            held.addLast(p);
            return;
        }
        send(p, senders, capture, begin);
    }

    private void send(Pending p, Map<String, FrameSender> senders, Consumer<CapturedFrame> capture, long begin) {
        sent.incrementAndGet();
        if (p.readings() < 0) {
            malformed.incrementAndGet();
        }
        if (capture != null) {
            capture.accept(new CapturedFrame(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin), p.target(),
                    p.device(), p.kind(), p.frame()));
        }
        senders.get(p.target()).send(p.device(), p.kind(), p.frame()).whenComplete((ok, error) -> {
            if (error == null) {
                delivered.incrementAndGet();
                if (p.readings() > 0) {
                    goodByDevice.computeIfAbsent(p.device(), k -> new AtomicLong()).addAndGet(p.readings());
                    p.byKind().forEach((kind, n) -> goodByKind.computeIfAbsent(kind, k -> new AtomicLong()).addAndGet(n));
                }
            } else {
                failed.incrementAndGet();
                if (failuresLogged.getAndIncrement() == 0) {
                    log.warn("sending a frame of {} failed (further failures are only counted): {}", p.device(),
                            error.getMessage());
                }
            }
        });
    }

    private void flushOffline(Duration offset, Map<String, FrameSender> senders, Consumer<CapturedFrame> capture,
            long begin) {
        for (Map.Entry<FaultConfig, ArrayDeque<Pending>> e : offline.entrySet()) {
            if (offset.compareTo(e.getKey().toOffset(scenario.simulatedDuration())) >= 0) {
                ArrayDeque<Pending> held = e.getValue();
                while (!held.isEmpty()) {
                    send(held.removeFirst(), senders, capture, begin);
                }
            }
        }
    }

    private Reading faulted(Reading r, Duration offset) {
        String device = r.deviceId();
        Reading out = r;
        FaultConfig range = fault("out_of_range", device, offset);
        if (range != null) {
            TreeMap<String, Object> fields = new TreeMap<>(out.fields());
            Object old = fields.get(range.field());
            fields.put(range.field(), old instanceof Long ? (Object) Math.round(range.value()) : (Object) range.value());
            out = new Reading(device, out.site(), out.kind(), out.tags(), fields, out.deviceTime(), out.receivedAt());
        }
        FaultConfig frozen = fault("stuck", device, offset);
        String stuckKey = device + "|" + out.tags();
        if (frozen != null) {
            Reading first = stuck.putIfAbsent(stuckKey, out);
            if (first != null) {
                out = new Reading(device, out.site(), out.kind(), out.tags(), first.fields(), out.deviceTime(),
                        out.receivedAt());
            }
        } else {
            stuck.remove(stuckKey);
        }
        FaultConfig skew = fault("clock_skew", device, offset);
        if (skew != null) {
            Instant t = out.deviceTime().plus(skew.clockOffset());
            out = new Reading(device, out.site(), out.kind(), out.tags(), out.fields(), t, t);
        }
        return out;
    }

    private static byte[] malformedVariant(byte[] frame, Duration offset) {
        int variant = (int) (offset.toMillis() % 3);
        return switch (variant) {
            case 0 -> {
                byte[] half = new byte[Math.max(1, frame.length / 2)];
                int n = 0;
                for (int i = 0; i < frame.length / 2; i++) {
                    if (frame[i] != '\n' && frame[i] != '\r') {
                        half[n++] = frame[i];
                    }
                }
                yield java.util.Arrays.copyOf(half, Math.max(1, n));
            }
            case 1 -> "\u0001\u0002 not a frame \u00ff".getBytes(StandardCharsets.UTF_8);
            default -> "{\"device\":\"\",\"time\":\"yesterday\"".getBytes(StandardCharsets.UTF_8);
        };
    }

    private boolean active(String kind, String device, Duration offset) {
        return fault(kind, device, offset) != null;
    }

    private FaultConfig fault(String kind, String device, Duration offset) {
        for (FaultConfig f : scenario.faults()) {
            if (f.kind().equals(kind) && f.appliesTo(device) && offset.compareTo(f.fromOffset()) >= 0
                    && (f.to() == null || offset.compareTo(f.toOffset(scenario.simulatedDuration())) < 0)) {
                return f;
            }
        }
        return null;
    }
}
