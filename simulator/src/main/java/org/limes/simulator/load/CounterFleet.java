package org.limes.simulator.load;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.limes.drivers.Driver;
import org.limes.drivers.DriverOptions;
import org.limes.drivers.Drivers;
import org.limes.drivers.Reading;
import org.limes.simulator.device.counter.CounterModel;
import org.limes.simulator.transport.mqtt.MqttPublisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fleet of simulated vehicle counters publishing {@code counter-json} readings over MQTT
 * at a steady rate for a set time: the load mode of the simulator, also used by the
 * gateway's in-process demo.
 *
 * <p>Messages go round-robin over the devices, paced by a scheduler (no busy loop) at
 * {@link Options#ratePerSecond()} for the whole fleet, to topic
 * {@code <topicPrefix>/<site>/counter/<deviceId>}. Each reading's device time is the
 * injected clock at send, truncated to milliseconds and strictly increasing per device,
 * so every message is a distinct point. Pacing, elapsed time and the surge window use the
 * monotonic clock, measured from the start of sending.
 *
 * <p>Threading: {@link #run} blocks its caller until the run is over; it may be called
 * once per instance. {@link #stop} may be called from any thread at any time and makes
 * the run stop sending, wait for outstanding acknowledgements and return.
 */
public final class CounterFleet {

    /** How often a run reports its progress. */
    public static final Duration PROGRESS_PERIOD = Duration.ofSeconds(5);

    /** How long a run waits for outstanding acknowledgements once it stopped sending. */
    public static final Duration ACK_TIMEOUT = Duration.ofSeconds(10);

    /** How long connecting to the broker may take. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private static final Logger log = LoggerFactory.getLogger(CounterFleet.class);
    private static final String DRIVER = "counter-json";
    private static final long MIN_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long MAX_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final CountDownLatch done = new CountDownLatch(1);

    /**
     * What to run.
     *
     * @param brokerUri     e.g. {@code tcp://127.0.0.1:1883}
     * @param devices       fleet size, 1..9999
     * @param ratePerSecond messages per second for the whole fleet, above 0
     * @param duration      how long to send, above 0
     * @param seed          seed of the {@link CounterModel}
     * @param site          the crossing, the second topic level
     * @param devicePrefix  device ids are {@code <devicePrefix>-01}, …
     * @param topicPrefix   the first topic level(s), e.g. {@code crossing}
     * @param qos           0, 1 or 2
     * @param surgeDevice   the device that surges, or null for none
     * @param surgeFrom     start of the surge, from the start of sending (needed with a surge device)
     * @param surgeTo       end of the surge, exclusive, after {@code surgeFrom}
     * @param clientId      the MQTT client id, or null for a generated one
     */
    public record Options(
            String brokerUri,
            int devices,
            double ratePerSecond,
            Duration duration,
            long seed,
            String site,
            String devicePrefix,
            String topicPrefix,
            int qos,
            String surgeDevice,
            Duration surgeFrom,
            Duration surgeTo,
            String clientId) {

        public Options {
            requireText(brokerUri, "brokerUri");
            if (devices < 1 || devices > 9999) {
                throw new IllegalArgumentException("devices must be 1..9999, got " + devices);
            }
            if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
                throw new IllegalArgumentException("ratePerSecond must be above 0, got " + ratePerSecond);
            }
            Objects.requireNonNull(duration, "duration");
            if (duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException("duration must be above 0, got " + duration);
            }
            requireTopicLevel(site, "site");
            requireTopicLevel(devicePrefix, "devicePrefix");
            requireText(topicPrefix, "topicPrefix");
            if (topicPrefix.contains("+") || topicPrefix.contains("#")) {
                throw new IllegalArgumentException("topicPrefix must not contain MQTT wildcards, got '" + topicPrefix + "'");
            }
            if (qos < 0 || qos > 2) {
                throw new IllegalArgumentException("qos must be 0, 1 or 2, got " + qos);
            }
            if (surgeDevice != null) {
                CounterModel fleet = new CounterModel(seed, devicePrefix, devices);
                if (indexOf(fleet, surgeDevice) < 0) {
                    throw new IllegalArgumentException("surgeDevice " + surgeDevice + " is not in the fleet "
                            + fleet.deviceId(1) + ".." + fleet.deviceId(devices));
                }
                Objects.requireNonNull(surgeFrom, "surgeFrom");
                Objects.requireNonNull(surgeTo, "surgeTo");
                if (surgeFrom.isNegative() || surgeTo.compareTo(surgeFrom) <= 0) {
                    throw new IllegalArgumentException("surge window must satisfy 0 <= surgeFrom < surgeTo, got "
                            + surgeFrom + ".." + surgeTo);
                }
            }
            if (clientId != null && clientId.isBlank()) {
                clientId = null;
            }
        }

        /** Options with a generated MQTT client id. */
        public Options(String brokerUri, int devices, double ratePerSecond, Duration duration, long seed,
                String site, String devicePrefix, String topicPrefix, int qos,
                String surgeDevice, Duration surgeFrom, Duration surgeTo) {
            this(brokerUri, devices, ratePerSecond, duration, seed, site, devicePrefix, topicPrefix, qos,
                    surgeDevice, surgeFrom, surgeTo, null);
        }

        /** The number of messages the run plans to send: rate × duration, at least one. */
        public long plannedMessages() {
            return Math.max(1, (long) Math.floor(ratePerSecond * duration.toNanos() / 1e9));
        }

        private static void requireText(String value, String name) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException(name + " must not be blank");
            }
        }

        private static void requireTopicLevel(String value, String name) {
            requireText(value, name);
            if (value.contains("/") || value.contains("+") || value.contains("#")) {
                throw new IllegalArgumentException(name + " must be one MQTT topic level without wildcards, got '"
                        + value + "'");
            }
        }
    }

    /**
     * Runs the fleet: connects, sends the planned messages (or until {@link #stop}), waits at
     * most {@link #ACK_TIMEOUT} for outstanding acknowledgements, disconnects.
     *
     * @param clock    the source of device timestamps
     * @param listener told the progress every {@link #PROGRESS_PERIOD}
     * @throws IOException           when the broker is unreachable; nothing was sent
     * @throws InterruptedException  when the calling thread is interrupted; the run is abandoned
     * @throws IllegalStateException when this fleet already ran
     */
    public FleetResult run(Options options, Clock clock, ProgressListener listener)
            throws IOException, InterruptedException {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(listener, "listener");
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("a CounterFleet runs once; create another one");
        }
        Driver driver = Drivers.load().create(DRIVER, DriverOptions.empty());
        String clientId = options.clientId() != null
                ? options.clientId()
                : "limes-simulator-" + UUID.randomUUID().toString().substring(0, 8);
        try (MqttPublisher publisher = MqttPublisher.connect(options.brokerUri(), clientId, CONNECT_TIMEOUT)) {
            log.debug("connected to {} as {}, window {}", options.brokerUri(), clientId, publisher.window());
            return send(options, clock, listener, driver, publisher);
        }
    }

    /** Stops the run early (or makes a run not yet started send nothing). Idempotent. */
    public void stop() {
        stopped.set(true);
        done.countDown();
    }

    /** Whether {@link #stop} was called. */
    public boolean isStopped() {
        return stopped.get();
    }

    private FleetResult send(Options options, Clock clock, ProgressListener listener, Driver driver,
            MqttPublisher publisher) throws InterruptedException {
        Pacer pacer = new Pacer(options, clock, driver, publisher);
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "limes-simulator-fleet");
            thread.setDaemon(true);
            return thread;
        });
        long tickNanos = Math.max(MIN_TICK_NANOS, Math.min(MAX_TICK_NANOS, (long) (1e9 / options.ratePerSecond())));
        long planNanos = options.duration().toNanos();
        long start = System.nanoTime();
        try {
            if (!stopped.get()) {
                scheduler.scheduleAtFixedRate(() -> pacer.tick(start), 0, tickNanos, TimeUnit.NANOSECONDS);
                long period = PROGRESS_PERIOD.toNanos();
                scheduler.scheduleAtFixedRate(() -> report(listener, publisher, start, planNanos),
                        period, period, TimeUnit.NANOSECONDS);
                // Backpressure can make sending overrun its plan; give it a bounded grace.
                if (!done.await(planNanos + ACK_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS)) {
                    log.warn("sending did not finish within {} plus {}; stopping", options.duration(), ACK_TIMEOUT);
                }
            }
        } finally {
            pacer.halt();
            scheduler.shutdownNow();
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        }
        if (pacer.failure.get() != null) {
            log.error("the fleet stopped sending after an error", pacer.failure.get());
        }
        if (!publisher.awaitAllAcknowledged(ACK_TIMEOUT)) {
            log.warn("{} messages still unacknowledged after {}", publisher.inFlight(), ACK_TIMEOUT);
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        long sent = publisher.sent();
        long acknowledged = publisher.acknowledged();
        return new FleetResult(sent, acknowledged, sent - acknowledged, elapsed, perSecond(sent, elapsed));
    }

    private static void report(ProgressListener listener, MqttPublisher publisher, long start, long planNanos) {
        try {
            long elapsedNanos = System.nanoTime() - start;
            Duration elapsed = Duration.ofNanos(elapsedNanos);
            long sent = publisher.sent();
            listener.onProgress(new FleetProgress(sent, publisher.acknowledged(), publisher.failed(), elapsed,
                    Duration.ofNanos(Math.max(0, planNanos - elapsedNanos)), perSecond(sent, elapsed)));
        } catch (RuntimeException e) {
            log.warn("progress listener failed", e);
        }
    }

    private static double perSecond(long count, Duration elapsed) {
        double seconds = elapsed.toNanos() / 1e9;
        return seconds > 0 ? count / seconds : 0;
    }

    private static int indexOf(CounterModel model, String deviceId) {
        for (int i = 1; i <= model.devices(); i++) {
            if (model.deviceId(i).equals(deviceId)) {
                return i;
            }
        }
        return -1;
    }

    /** The sending side of one run; its state is touched only by the pacing task. */
    private final class Pacer {
        private final Options options;
        private final Clock clock;
        private final Driver driver;
        private final MqttPublisher publisher;
        private final CounterModel model;
        private final String[] topics;
        private final Instant[] lastDeviceTime;
        private final int surgeIndex;
        private final long planned;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final AtomicInteger failuresLogged = new AtomicInteger();
        private volatile boolean halted;
        private long sequence;

        Pacer(Options options, Clock clock, Driver driver, MqttPublisher publisher) {
            this.options = options;
            this.clock = clock;
            this.driver = driver;
            this.publisher = publisher;
            this.model = new CounterModel(options.seed(), options.devicePrefix(), options.devices());
            this.topics = new String[options.devices() + 1];
            for (int i = 1; i <= options.devices(); i++) {
                topics[i] = options.topicPrefix() + "/" + options.site() + "/counter/" + model.deviceId(i);
            }
            this.lastDeviceTime = new Instant[options.devices() + 1];
            this.surgeIndex = options.surgeDevice() == null ? -1 : indexOf(model, options.surgeDevice());
            this.planned = options.plannedMessages();
        }

        void halt() {
            halted = true;
        }

        void tick(long start) {
            try {
                long elapsedNanos = System.nanoTime() - start;
                long due = Math.min(planned, (long) (options.ratePerSecond() * elapsedNanos / 1e9) + 1);
                while (sequence < due && !halted && !stopped.get()) {
                    sendOne(System.nanoTime() - start);
                }
                if (sequence >= planned || stopped.get()) {
                    done.countDown();
                }
            } catch (RuntimeException e) {
                failure.compareAndSet(null, e);
                done.countDown();
                throw e;
            }
        }

        private void sendOne(long elapsedNanos) {
            int device = (int) (sequence % options.devices()) + 1;
            sequence++;
            Reading reading = model.next(device, deviceTime(device), device == surgeIndex && surging(elapsedNanos));
            publisher.publish(topics[device], driver.encode(reading), options.qos())
                    .whenComplete((ignored, error) -> {
                        if (error != null && failuresLogged.getAndIncrement() == 0) {
                            log.warn("publish to {} failed (further failures are only counted)", topics[device], error);
                        }
                    });
        }

        private boolean surging(long elapsedNanos) {
            return elapsedNanos >= options.surgeFrom().toNanos() && elapsedNanos < options.surgeTo().toNanos();
        }

        private Instant deviceTime(int device) {
            Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
            Instant last = lastDeviceTime[device];
            if (last != null && !now.isAfter(last)) {
                now = last.plusMillis(1);
            }
            lastDeviceTime[device] = now;
            return now;
        }
    }
}
