package org.limes.simulator.cluster;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongPredicate;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.limes.drivers.Driver;
import org.limes.drivers.DriverOptions;
import org.limes.drivers.Drivers;
import org.limes.gateway.mqtt.NoDelaySocketFactory;
import org.limes.simulator.bench.BenchLoad;
import org.limes.simulator.device.counter.CounterModel;
import org.limes.simulator.transport.mqtt.QuietMqttCallback;

/**
 * The field devices of the rehearsal: {@code counter-json} lane counters publishing QoS 1 to
 * the gateways' embedded brokers, each device with a broker list (its home gateway first, then
 * the others) as a field device has.
 *
 * <p>Every device keeps <b>one reading in flight</b> and sends its readings in order: the next
 * goes only once the previous was acknowledged (PUBACK reason below 0x80). A refused reading
 * (PUBACK 0x83: the cluster did not take it) is sent again to the same gateway; a reading lost
 * with its connection (the gateway died) is sent again to the next gateway of the device's
 * list whose connection is up — so a device's readings reach Kafka in its own order, and
 * nothing acknowledged is ever dropped by the device. A reading still unanswered after
 * {@link #ANSWER_TIMEOUT_MS} is sent again too (the first answer of either copy counts).
 *
 * <p>Devices share connections, {@link #DEVICES_PER_CONNECTION} per connection per gateway
 * (Paho clients, TCP_NODELAY, clean start, no automatic reconnect: a lost connection stays
 * down and its devices move on); with three instances a device is alone on its home connection.
 *
 * <p>The pacer ({@link #pace}) makes readings at a fixed total rate, device after device, each
 * stamped with the wall clock (ms, rising per device); a device's reading surges (queue: 50–80
 * vehicles) when the {@link LongPredicate} of its surge windows holds for that time.
 *
 * <p>Bounded: a device's queue holds the readings made while it waits for answers; the pacer
 * stops making readings for a device whose queue holds {@link #MAX_QUEUED} (counted in
 * {@link #skipped}), so a device cut off from every gateway does not grow it without end.
 *
 * <p>Threading: every device's state is touched on one thread ({@code fleet}), the Paho
 * callbacks and the pacer hand their work to it; the counters are atomic.
 */
final class ClusterFleet implements AutoCloseable {

    /**
     * Devices sharing a connection slot. Consecutive devices have different home instances, so
     * with three instances each device has its home connection to itself: the embedded broker
     * takes one publish of a connection at a time (each waits for the cluster's acknowledgement),
     * so devices sharing a connection would wait for each other, which field devices do not.
     */
    static final int DEVICES_PER_CONNECTION = 3;
    static final long ANSWER_TIMEOUT_MS = 15_000;
    static final int MAX_QUEUED = 10_000;
    private static final long REFUSED_RETRY_MS = 200;
    private static final long MOVED_RETRY_MS = 50;
    private static final long NO_GATEWAY_RETRY_MS = 500;

    /** One reading of a device. */
    static final class Message {
        final long deviceMs;
        final byte[] payload;
        final boolean surge;
        int attempt;
        long sentNanos;
        boolean acknowledged;

        Message(long deviceMs, byte[] payload, boolean surge) {
            this.deviceMs = deviceMs;
            this.payload = payload;
            this.surge = surge;
        }
    }

    /** One device. */
    final class Device {
        final int index;
        final String id;
        final String topic;
        final int home;
        final LongPredicate surging;
        int gateway;
        final ArrayDeque<Message> queue = new ArrayDeque<>();
        Message inFlight;
        boolean retryScheduled;
        long lastMs;
        /** Device times of the acknowledged readings, in order. */
        final List<Long> acknowledged = new ArrayList<>();
        /** Device time of the first surging reading of each surge, in order. */
        final List<Long> surgeStarts = new ArrayList<>();
        boolean lastSurge;

        Device(int index, LongPredicate surging) {
            this.index = index;
            this.id = model.deviceId(index);
            this.topic = BenchLoad.topic(id);
            this.home = (index - 1) % gateways;
            this.gateway = home;
            this.surging = surging;
        }
    }

    private final CounterModel model;
    private final int gateways;
    private final Driver driver = Drivers.load().create("counter-json", DriverOptions.empty());
    private final List<Device> devices = new ArrayList<>();
    private final Connection[][] connections;
    private final ScheduledExecutorService fleet = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cluster-fleet");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong made = new AtomicLong();
    private final AtomicLong acknowledgedCount = new AtomicLong();
    private final AtomicLong attempts = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong failedSends = new AtomicLong();
    private final AtomicLong moved = new AtomicLong();
    private final AtomicLong resentAfterTimeout = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong pending = new AtomicLong();

    /**
     * @param model    the devices (ids {@code <prefix>-<n>}, lanes, directions)
     * @param gateways how many gateways the devices are spread over (home of device i: (i−1) mod gateways)
     * @param surging  per device index (1-based), whether a reading at a device time (epoch ms) surges
     */
    ClusterFleet(CounterModel model, int gateways, java.util.function.IntFunction<LongPredicate> surging) {
        this.model = model;
        this.gateways = gateways;
        for (int i = 1; i <= model.devices(); i++) {
            devices.add(new Device(i, surging.apply(i)));
        }
        int perGateway = (model.devices() + DEVICES_PER_CONNECTION - 1) / DEVICES_PER_CONNECTION;
        connections = new Connection[gateways][perGateway];
        fleet.scheduleWithFixedDelay(this::resendUnanswered, 1, 1, TimeUnit.SECONDS);
    }

    /** Connects the devices' connections to gateway {@code g}'s broker at {@code uri}. */
    void connect(int g, String uri, String clientPrefix) throws IOException {
        for (int c = 0; c < connections[g].length; c++) {
            connections[g][c] = Connection.open(uri, clientPrefix + "-" + g + "-" + c);
        }
    }

    /** Sends every device back to its home gateway (for readings from now on). */
    void rehome() throws InterruptedException {
        onFleet(() -> {
            for (Device d : devices) {
                d.gateway = d.home;
            }
        });
    }

    /**
     * Makes readings at {@code rate} per second in total, device after device, for
     * {@code durationMs}; blocks until done.
     */
    void pace(double rate, long durationMs) {
        long t0 = System.nanoTime();
        long gap = (long) (1e9 / rate);
        long count = (long) (rate * durationMs / 1000.0);
        int n = devices.size();
        for (long k = 0; k < count; k++) {
            long due = t0 + k * gap;
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            Device d = devices.get((int) (k % n));
            fleet.execute(() -> make(d));
        }
    }

    private void make(Device d) {
        if (d.queue.size() >= MAX_QUEUED) {
            skipped.incrementAndGet();
            return;
        }
        long ms = Math.max(System.currentTimeMillis(), d.lastMs + 1);
        d.lastMs = ms;
        boolean surge = d.surging.test(ms);
        if (surge && !d.lastSurge) {
            d.surgeStarts.add(ms);
        }
        d.lastSurge = surge;
        byte[] payload = driver.encode(model.next(d.index, Instant.ofEpochMilli(ms), surge));
        d.queue.add(new Message(ms, payload, surge));
        made.incrementAndGet();
        pending.incrementAndGet();
        pump(d);
    }

    /** Sends the device's next reading when none is in flight. On the fleet thread. */
    private void pump(Device d) {
        if (d.inFlight != null || d.retryScheduled || d.queue.isEmpty()) {
            return;
        }
        send(d, d.queue.peek());
    }

    private void send(Device d, Message m) {
        Connection c = connectionFor(d);
        if (c == null) {
            retryLater(d, m, NO_GATEWAY_RETRY_MS);
            return;
        }
        d.inFlight = m;
        m.attempt++;
        m.sentNanos = System.nanoTime();
        attempts.incrementAndGet();
        int attempt = m.attempt;
        c.publish(d.topic, m.payload, new MqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
                int reason = firstError(token.getReasonCodes());
                fleet.execute(() -> answered(d, m, attempt, c, reason, false));
            }

            @Override
            public void onFailure(IMqttToken token, Throwable cause) {
                fleet.execute(() -> answered(d, m, attempt, c, -1, true));
            }
        });
    }

    /** The connection the device uses now: its gateway's if up, else the next of its list that is. */
    private Connection connectionFor(Device d) {
        int slot = (d.index - 1) / DEVICES_PER_CONNECTION;
        for (int k = 0; k < gateways; k++) {
            int g = (d.gateway + k) % gateways;
            Connection c = connections[g][slot];
            if (c != null && c.up()) {
                if (g != d.gateway) {
                    moved.incrementAndGet();
                    d.gateway = g;
                }
                return c;
            }
        }
        return null;
    }

    private void answered(Device d, Message m, int attempt, Connection c, int reason, boolean failed) {
        if (!failed && reason < 0) {
            if (!m.acknowledged) {
                m.acknowledged = true;
                d.acknowledged.add(m.deviceMs);
                acknowledgedCount.incrementAndGet();
                pending.decrementAndGet();
                if (d.queue.peek() == m) {
                    d.queue.poll();
                }
            }
            if (d.inFlight == m) {
                d.inFlight = null;
                pump(d);
            }
            return;
        }
        if (m.acknowledged || attempt != m.attempt || d.inFlight != m) {
            return; // an older copy's answer: the newer one decides
        }
        d.inFlight = null;
        if (failed) {
            failedSends.incrementAndGet();
            if (!c.up()) {
                // The gateway is gone: the next of the device's list takes it.
                d.gateway = (d.gateway + 1) % gateways;
            }
            retryLater(d, m, MOVED_RETRY_MS);
        } else {
            refused.incrementAndGet();
            retryLater(d, m, REFUSED_RETRY_MS);
        }
    }

    private void retryLater(Device d, Message m, long delayMs) {
        d.retryScheduled = true;
        fleet.schedule(() -> {
            d.retryScheduled = false;
            if (!m.acknowledged && d.inFlight == null && d.queue.peek() == m) {
                send(d, m);
            } else {
                pump(d);
            }
        }, delayMs, TimeUnit.MILLISECONDS);
    }

    /** Sends again what has waited too long for an answer; the first answer of either copy counts. */
    private void resendUnanswered() {
        long now = System.nanoTime();
        for (Device d : devices) {
            Message m = d.inFlight;
            if (m != null && now - m.sentNanos > TimeUnit.MILLISECONDS.toNanos(ANSWER_TIMEOUT_MS)) {
                resentAfterTimeout.incrementAndGet();
                d.inFlight = null;
                send(d, m);
            }
        }
    }

    /** Runs {@code task} on the fleet thread and waits for it. */
    private void onFleet(Runnable task) throws InterruptedException {
        try {
            fleet.submit(task).get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("fleet task failed: " + e, e);
        }
    }

    /** A snapshot of each device's acknowledged device times and surge starts, taken on the fleet thread. */
    record DeviceRecord(String id, int index, List<Long> acknowledged, List<Long> surgeStarts) {
    }

    List<DeviceRecord> records() throws InterruptedException {
        List<DeviceRecord> out = new ArrayList<>();
        onFleet(() -> {
            for (Device d : devices) {
                out.add(new DeviceRecord(d.id, d.index, List.copyOf(d.acknowledged), List.copyOf(d.surgeStarts)));
            }
        });
        return out;
    }

    /** Readings made so far. */
    long made() {
        return made.get();
    }

    /** Readings a gateway acknowledged so far (each once, however many copies were sent). */
    long acknowledged() {
        return acknowledgedCount.get();
    }

    /** Readings made and not yet acknowledged. */
    long pending() {
        return pending.get();
    }

    long attempts() {
        return attempts.get();
    }

    long refused() {
        return refused.get();
    }

    long failedSends() {
        return failedSends.get();
    }

    long moved() {
        return moved.get();
    }

    long resentAfterTimeout() {
        return resentAfterTimeout.get();
    }

    long skipped() {
        return skipped.get();
    }

    private static int firstError(int[] reasonCodes) {
        if (reasonCodes != null) {
            for (int code : reasonCodes) {
                if (code >= 0x80) {
                    return code;
                }
            }
        }
        return -1;
    }

    @Override
    public void close() {
        fleet.shutdownNow();
        for (Connection[] perGateway : connections) {
            for (Connection c : perGateway) {
                if (c != null) {
                    c.close();
                }
            }
        }
    }

    /** One MQTT connection to one gateway's embedded broker, shared by up to ten devices. */
    static final class Connection implements QuietMqttCallback {
        private final MqttAsyncClient client;
        private volatile boolean up;

        private Connection(MqttAsyncClient client) {
            this.client = client;
        }

        /** Connects; a lost connection stays down (each in-flight publish then fails and moves its device). */
        static Connection open(String uri, String clientId) throws IOException {
            try {
                MqttAsyncClient client = new MqttAsyncClient(uri, clientId, new MemoryPersistence());
                Connection c = new Connection(client);
                client.setCallback(c);
                MqttConnectionOptions options = new MqttConnectionOptions();
                options.setCleanStart(true);
                options.setAutomaticReconnect(false);
                options.setKeepAliveInterval(10);
                options.setConnectionTimeout(10);
                options.setSocketFactory(NoDelaySocketFactory.plain());
                client.connect(options).waitForCompletion(15_000);
                c.up = client.isConnected();
                if (!c.up) {
                    throw new IOException("no CONNACK from " + uri + " for " + clientId);
                }
                return c;
            } catch (MqttException e) {
                throw new IOException("cannot connect " + clientId + " to " + uri + ": " + e.getMessage(), e);
            }
        }

        boolean up() {
            return up && client.isConnected();
        }

        void publish(String topic, byte[] payload, MqttActionListener listener) {
            try {
                client.publish(topic, new MqttMessage(payload, 1, false, new MqttProperties()), null, listener);
            } catch (MqttException | RuntimeException e) {
                if (!client.isConnected()) {
                    up = false;
                }
                listener.onFailure(null, e);
            }
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {
            up = false;
        }

        void close() {
            up = false;
            try {
                if (client.isConnected()) {
                    client.disconnect(1_000).waitForCompletion(2_000);
                }
            } catch (MqttException e) {
                // closing anyway
            }
            try {
                client.close(true);
            } catch (MqttException e) {
                // done either way
            }
        }
    }
}
