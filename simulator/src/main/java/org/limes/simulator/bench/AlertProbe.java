package org.limes.simulator.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.HdrHistogram.Histogram;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.limes.drivers.Driver;
import org.limes.drivers.DriverOptions;
import org.limes.drivers.Drivers;
import org.limes.simulator.device.counter.CounterModel;
import org.limes.simulator.transport.mqtt.MqttPublisher;
import org.limes.gateway.mqtt.NoDelaySocketFactory;
import org.limes.simulator.transport.mqtt.QuietMqttCallback;

/**
 * Measures alert latency, device publish to centre receipt: one probe device alternately
 * reports a surge (the gateway raises its threshold alert) and normal traffic (it clears),
 * one transition in flight at a time, and a centre subscriber times each transition's
 * arrival. Latencies go into an HdrHistogram (microseconds, 3 significant digits); {@link #reset}
 * starts a new one for the next phase.
 *
 * <p>Threading: {@link #run} blocks its caller until {@link #stop}; arrivals are taken on
 * Paho's callback thread and handed over through a small bounded queue (an arrival that
 * finds it full is not ours to wait for and is dropped).
 */
final class AlertProbe implements QuietMqttCallback, AutoCloseable {

    /** The probe device, also listed in the gateway's inventory. */
    static final String DEVICE = "probe-01";
    /** How far before the wall clock the probe stamps its readings; see {@link #nextDeviceTime}. */
    static final Duration PROBE_TIME_OFFSET = Duration.ofDays(1);
    /** The centre topic the gateway publishes alerts to. */
    static final String CENTRE_TOPIC = "limes/bench/centre/alerts";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long WAIT_MS = 10_000;
    /** Transitions measured at least, even when the load phase ends sooner. */
    static final int MIN_TRANSITIONS = 20;

    private final MqttAsyncClient centre;
    private final MqttPublisher device;
    private final CounterModel model = new CounterModel(7, "probe", 1);
    private final Driver driver = Drivers.load().create("counter-json", DriverOptions.empty());
    private final BlockingQueue<String> arrivals = new ArrayBlockingQueue<>(64);
    private final AtomicBoolean running = new AtomicBoolean(true);
    private Histogram latencyMicros = newHistogram();
    private long timeouts;
    /** The slowest transition of the measurement: its number (from 1), latency and start within the run. */
    private long slowestMicros = -1;
    private long slowestNumber;
    private long slowestAtMs;
    private long runStartNanos;
    /** The next transition: kept across runs, so a second run starts from the state the first left. */
    private boolean surge = true;
    private Instant lastDeviceTime = Instant.EPOCH;

    private AlertProbe(MqttAsyncClient centre, MqttPublisher device) {
        this.centre = centre;
        this.device = device;
    }

    static AlertProbe connect(String brokerUri) throws IOException {
        MqttPublisher device = MqttPublisher.connect(brokerUri, "limes-bench-probe", Duration.ofSeconds(10));
        try {
            MqttAsyncClient centre = new MqttAsyncClient(brokerUri, "limes-bench-centre", new MemoryPersistence());
            AlertProbe probe = new AlertProbe(centre, device);
            centre.setCallback(probe);
            MqttConnectionOptions options = new MqttConnectionOptions();
            options.setCleanStart(true);
            options.setSocketFactory(NoDelaySocketFactory.plain());
            centre.connect(options).waitForCompletion(10_000);
            centre.subscribe(new MqttSubscription(CENTRE_TOPIC, 1)).waitForCompletion(10_000);
            return probe;
        } catch (MqttException e) {
            device.close();
            throw new IOException("centre subscriber cannot connect to " + brokerUri + ": " + e.getMessage(), e);
        }
    }

    /** Sends a normal reading so the probe device starts in the cleared state. */
    void prime() {
        device.publish(BenchLoad.topic(DEVICE), driver.encode(model.next(1, nextDeviceTime(), false)), 1);
    }

    /**
     * Runs raise/clear transitions every {@code gapMs} until {@link #stop}, and at least
     * {@link #MIN_TRANSITIONS} of them.
     */
    void run(long gapMs) throws InterruptedException {
        if (runStartNanos == 0) {
            runStartNanos = System.nanoTime();
        }
        while (running.get() || latencyMicros.getTotalCount() + timeouts < MIN_TRANSITIONS) {
            String expected = surge ? "raised" : "cleared";
            byte[] payload = driver.encode(model.next(1, nextDeviceTime(), surge));
            arrivals.clear();
            long sentAt = System.nanoTime();
            device.publish(BenchLoad.topic(DEVICE), payload, 1);
            if (awaitState(expected, sentAt)) {
                surge = !surge;
            }
            TimeUnit.MILLISECONDS.sleep(gapMs);
        }
    }

    private boolean awaitState(String expected, long sentAt) throws InterruptedException {
        long deadline = sentAt + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        while (true) {
            String state = arrivals.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            long now = System.nanoTime();
            if (state == null) {
                timeouts++;
                return false;
            }
            if (state.equals(expected)) {
                long micros = TimeUnit.NANOSECONDS.toMicros(now - sentAt);
                latencyMicros.recordValue(Math.min(latencyMicros.getHighestTrackableValue(), micros));
                if (micros > slowestMicros) {
                    slowestMicros = micros;
                    slowestNumber = latencyMicros.getTotalCount() + timeouts;
                    slowestAtMs = TimeUnit.NANOSECONDS.toMillis(sentAt - runStartNanos);
                }
                return true;
            }
        }
    }

    void stop() {
        running.set(false);
    }

    /**
     * Starts a new measurement (for another phase): fresh latencies and timeouts, running again.
     * Call between runs only, never while {@link #run} is running.
     */
    void reset() {
        latencyMicros = newHistogram();
        timeouts = 0;
        slowestMicros = -1;
        runStartNanos = 0;
        running.set(true);
    }

    private static Histogram newHistogram() {
        return new Histogram(TimeUnit.MINUTES.toMicros(1), 3);
    }

    Histogram latencyMicros() {
        return latencyMicros;
    }

    /**
     * Which transition was the slowest and when it was sent, for the progress output: with a
     * few dozen transitions p99 is the slowest one, and whether it is the first (the phase's
     * start) or any tells a backlog from a stall. Empty before any arrived.
     */
    String slowest() {
        return slowestMicros < 0 ? "" : String.format(java.util.Locale.ROOT,
                "; the slowest was transition %d, sent %.1f s into the phase", slowestNumber, slowestAtMs / 1000.0);
    }

    /** Transitions whose alert did not arrive within 10 s. */
    long timeouts() {
        return timeouts;
    }

    /**
     * The probe's readings are stamped a day before the wall clock: they go to the same table as
     * the load, whose pre-encoded times lie seconds in the past, and rows stamped now would make
     * every later load row older than the newest stored, so every commit an out-of-order merge. A
     * day back they sit in a partition of their own.
     */
    private Instant nextDeviceTime() {
        Instant now = Instant.now().minus(PROBE_TIME_OFFSET).truncatedTo(ChronoUnit.MILLIS);
        lastDeviceTime = now.isAfter(lastDeviceTime) ? now : lastDeviceTime.plusMillis(1);
        return lastDeviceTime;
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
        try {
            JsonNode alert = JSON.readTree(message.getPayload());
            if (DEVICE.equals(alert.path("device").asText())) {
                arrivals.offer(alert.path("state").asText());
            }
        } catch (IOException e) {
            // not an alert of ours
        }
    }

    @Override
    public void close() {
        device.close();
        try {
            if (centre.isConnected()) {
                centre.disconnect(2_000).waitForCompletion(3_000);
            }
            centre.close(true);
        } catch (MqttException e) {
            // done either way
        }
    }
}
