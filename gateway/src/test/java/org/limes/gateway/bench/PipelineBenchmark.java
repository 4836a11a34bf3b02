package org.limes.gateway.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.limes.drivers.Driver;
import org.limes.drivers.DriverOptions;
import org.limes.drivers.Drivers;
import org.limes.drivers.Frame;
import org.limes.drivers.Reading;
import org.limes.gateway.outbox.DeadLetters;
import org.limes.gateway.outbox.DestinationQueue;
import org.limes.gateway.outbox.Outbox;
import org.limes.gateway.outbox.OutboxCommitter;
import org.limes.gateway.outbox.OutboxConfig;
import org.limes.gateway.outbox.OutboxMetrics;
import org.limes.gateway.pipeline.Destination;
import org.limes.gateway.pipeline.DeviceConfig;
import org.limes.gateway.pipeline.Inventory;
import org.limes.gateway.pipeline.InventoryConfig;
import org.limes.gateway.pipeline.LimitsConfig;
import org.limes.gateway.pipeline.Pipeline;
import org.limes.gateway.pipeline.PipelineConfig;
import org.limes.gateway.pipeline.PipelineMetrics;
import org.limes.gateway.pipeline.Routing;
import org.limes.gateway.rules.AlertStateStore;
import org.limes.gateway.rules.RuleConfig;
import org.limes.gateway.rules.RuleMetrics;
import org.limes.gateway.rules.ThresholdRuleConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * The gateway's hot path from a received frame to its acknowledgement after the outbox fsync,
 * built as {@code Gateway} builds it: a real {@link Pipeline} (default {@link PipelineConfig},
 * {@link LimitsConfig}), 10,000 inventory devices, the {@code counter-json} driver, four
 * threshold rules, and real on-disk outboxes for the store and two centres (an alert and a
 * reading log each, default {@link OutboxConfig}: 5 ms group commit) in a temporary directory.
 *
 * <p>One thread submits pre-encoded 204-byte {@code counter-json} frames, the shape of the
 * simulator's counter model, round-robin over the 10,000 devices, as the MQTT source's callback
 * thread does, with at most {@value #IN_FLIGHT} frames unacknowledged (the source's default
 * {@code max_inflight}): each frame's ack, run after its outbox fsync, frees a slot. Frames of
 * ten devices alternate between normal traffic and a surge, so alerts are raised and cleared
 * and reach the centres' outboxes. A small thread stands in for the sinks: every 50 ms it
 * acknowledges everything durable, so the logs stay small (no read-back cost is measured).
 *
 * <p>The score is frames/s; with {@code -prof gc}, {@code gc.alloc.rate.norm} is bytes per
 * frame (all threads). At the end of each iteration the process's CPU time per frame, from
 * {@code /proc/self/stat} utime+stime, is printed ({@code cpu_us_per_frame}).
 *
 * <pre>
 * mvn -o -B -P bench -DskipTests -pl gateway -am verify \
 *   -Djmh.args="PipelineBenchmark -f 1 -wi 3 -i 5 -prof gc"
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PipelineBenchmark {

    static final int DEVICES = 10_000;
    static final int ROUNDS = 4;
    static final int IN_FLIGHT = 1000;
    static final String SITE = "ras-ajdir";
    private static final List<String> CLASSES = List.of("car", "van", "truck", "bus", "motorcycle");

    /**
     * {@code fresh}: the gateway has just started and hears each device for the first time (a
     * device's first reading ends its deadman arming, which the rules persist); {@code heard}:
     * every device was heard before a restart (the alert state holds its last-heard time), so
     * the run is steady state from the first frame.
     */
    @Param({"fresh", "heard"})
    public String devicesAtStart;

    private Path dir;
    private OutboxCommitter committer;
    private Pipeline pipeline;
    private Driver driver;
    private final List<DestinationQueue> queues = new ArrayList<>();
    private Thread drainer;
    private volatile boolean draining = true;

    private byte[][] payloads;
    private String[] topics;
    private int next;
    private final Semaphore window = new Semaphore(IN_FLIGHT);
    private final Runnable ack = window::release;
    private final AtomicLong submitted = new AtomicLong();

    private long cpuTicksAtStart;
    private long framesAtStart;

    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = Files.createTempDirectory("limes-pipeline-bench");
        driver = Drivers.load().create("counter-json", DriverOptions.empty());
        encodeFrames();

        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Clock clock = Clock.systemUTC();
        OutboxConfig oc = OutboxConfig.defaults();
        committer = new OutboxCommitter(oc.syncIntervalMs(), clock, registry);
        DestinationQueue store = queue("store", oc, registry, clock);
        List<Destination> centres = List.of(new Destination(queue("tripoli", oc, registry, clock), Routing.ALL),
                new Destination(queue("benghazi", oc, registry, clock), Routing.ALL));
        committer.start();

        List<DeviceConfig> devices = new ArrayList<>(DEVICES);
        for (int d = 1; d <= DEVICES; d++) {
            devices.add(new DeviceConfig(deviceId(d), SITE, "counter", lane(d), null, Map.of(), null));
        }
        Inventory inventory = new Inventory(new InventoryConfig("reject", SITE, devices));
        List<RuleConfig> rules = List.of(
                new ThresholdRuleConfig("queue-surge", "vehicle_count", "count_total", 40.0, 25.0, "critical"),
                new ThresholdRuleConfig("slow-traffic", "vehicle_count", "speed_avg_mps", null, null, 2.0, 4.0,
                        null, null, "warning"),
                new ThresholdRuleConfig("lane-blocked", "vehicle_count", "occupancy_pct", 90.0, 50.0, "warning"),
                new ThresholdRuleConfig("truck-convoy", "vehicle_count", "count_truck", 30.0, 10.0, "info"));
        RuleMetrics ruleMetrics = new RuleMetrics(registry);
        if ("heard".equals(devicesAtStart)) {
            Map<String, Long> heard = new LinkedHashMap<>();
            long at = clock.millis() - 1_000;
            for (int d = 1; d <= DEVICES; d++) {
                heard.put(deviceId(d), at);
            }
            new AlertStateStore(dir.resolve("alerts"), "bench-gw", ruleMetrics).saveLastHeard(0, heard);
        }
        pipeline = Pipeline.builder().gateway("bench-gw").config(PipelineConfig.defaults())
                .limits(LimitsConfig.defaults()).inventory(inventory).rules(rules).clock(clock)
                .alertState(new AlertStateStore(dir.resolve("alerts"), "bench-gw", ruleMetrics))
                .ruleMetrics(ruleMetrics).store(new Destination(store, Routing.ALL)).centres(centres)
                .committer(committer).metrics(new PipelineMetrics(registry)).build();
        pipeline.start();

        drainer = new Thread(this::drain, "bench-sinks");
        drainer.setDaemon(true);
        drainer.start();
    }

    /** A destination's queue as the gateway opens it: alert and reading logs in the group commit, dead letters. */
    private DestinationQueue queue(String name, OutboxConfig oc, SimpleMeterRegistry registry, Clock clock)
            throws IOException {
        Path d = dir.resolve("outbox").resolve(name);
        Outbox alerts = Outbox.open(name + "/alerts", d.resolve("alerts"), oc.alertLimits(),
                new OutboxMetrics(registry, name, "alert"));
        Outbox readings = Outbox.open(name + "/readings", d.resolve("readings"), oc.readingLimits(),
                new OutboxMetrics(registry, name, "reading"));
        committer.register(alerts);
        committer.register(readings, oc.maxAgeS() * 1000);
        DestinationQueue q = new DestinationQueue(name, alerts, readings, oc.drainRatePerS(), clock,
                new DeadLetters(name, d.resolve("dead-letters"), DeadLetters.DEFAULT_MAX_BYTES, registry, clock,
                        DeadLetters.SetAsideListener.NONE));
        queues.add(q);
        return q;
    }

    /** Stands in for the sinks: acknowledges everything durable, so segments are deleted. */
    private void drain() {
        while (draining) {
            for (DestinationQueue q : queues) {
                q.alerts().acknowledge(q.alerts().durableSeq());
                q.readings().acknowledge(q.readings().durableSeq());
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @TearDown(Level.Trial)
    public void close() throws IOException, InterruptedException {
        window.acquire(IN_FLIGHT);
        window.release(IN_FLIGHT);
        draining = false;
        drainer.join();
        pipeline.close();
        committer.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Setup(Level.Iteration)
    public void startCpu() throws IOException {
        cpuTicksAtStart = cpuTicks();
        framesAtStart = submitted.get();
    }

    @TearDown(Level.Iteration)
    public void reportCpu() throws IOException {
        long ticks = cpuTicks() - cpuTicksAtStart;
        long frames = submitted.get() - framesAtStart;
        // USER_HZ is 100 on Linux: a tick is 10 ms.
        double usPerFrame = frames == 0 ? 0 : ticks * 10_000.0 / frames;
        System.out.printf("%ncpu_us_per_frame %.2f (%d ticks over %d frames)%n", usPerFrame, ticks, frames);
    }

    /** utime + stime of this process, in clock ticks. */
    private static long cpuTicks() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // After "pid (comm) ": state is field 3, utime 14, stime 15 (1-based, of the whole line).
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** One frame received (as the MQTT source builds it) and submitted; its ack frees a slot of the window. */
    @Benchmark
    @Threads(1)
    public void frame() throws InterruptedException {
        window.acquire();
        int i = next;
        next = i + 1 == payloads.length ? 0 : i + 1;
        pipeline.submit(new Frame(payloads[i], "mqtt", topics[i], Instant.now(), null), driver, ack);
        submitted.lazySet(submitted.get() + 1);
    }

    /** Round r of device d (1-based) is frame (r * DEVICES + d - 1); ten devices surge on odd rounds. */
    private void encodeFrames() {
        payloads = new byte[DEVICES * ROUNDS][];
        topics = new String[payloads.length];
        // Whole seconds, as the simulator's bench load sends them: 204-byte frames.
        Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(ROUNDS * 60L);
        long bytes = 0;
        for (int r = 0; r < ROUNDS; r++) {
            for (int d = 1; d <= DEVICES; d++) {
                boolean surging = d % 1000 == 0 && r % 2 == 1;
                int i = r * DEVICES + d - 1;
                payloads[i] = driver.encode(counterReading(d, start.plusSeconds(r * 60L), surging));
                topics[i] = "crossing/" + SITE + "/counter/" + deviceId(d);
                bytes += payloads[i].length;
            }
        }
        System.out.printf("%n%d frames, mean %.1f bytes, e.g. %s%n", payloads.length, (double) bytes / payloads.length,
                new String(payloads[0], StandardCharsets.UTF_8));
    }

    /** A reading shaped like the simulator's counter model (simulator/.../device/counter/CounterModel). */
    private static Reading counterReading(int d, Instant time, boolean surging) {
        SplittableRandom random = new SplittableRandom(d * 31L + time.getEpochSecond());
        long total = surging ? random.nextLong(50, 81) : random.nextLong(5, 16);
        long[] counts = new long[CLASSES.size()];
        double[] share = {0.55, 0.15, 0.15, 0.05, 0.10};
        for (long v = 0; v < total; v++) {
            double u = random.nextDouble();
            int c = 0;
            while (c < CLASSES.size() - 1 && u >= share[c]) {
                u -= share[c];
                c++;
            }
            counts[c]++;
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        for (int c = 0; c < CLASSES.size(); c++) {
            fields.put("count_" + CLASSES.get(c), counts[c]);
        }
        fields.put("count_total", total);
        fields.put("interval_s", 60L);
        double speedKmh = Math.round((surging ? random.nextDouble(4, 11) : random.nextDouble(25, 43)) * 10) / 10.0;
        fields.put("speed_avg_mps", speedKmh / 3.6);
        fields.put("occupancy_pct", Math.round((surging ? random.nextDouble(60, 95) : random.nextDouble(5, 20)) * 10)
                / 10.0);
        return new Reading(deviceId(d), "", "vehicle_count",
                Map.of("lane", lane(d), "direction", d % 2 == 1 ? "inbound" : "outbound"), fields, time, time);
    }

    static String deviceId(int d) {
        return String.format("cnt-%05d", d);
    }

    static String lane(int d) {
        return Integer.toString((d - 1) % 4 + 1);
    }
}
