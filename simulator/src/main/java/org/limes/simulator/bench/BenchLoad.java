package org.limes.simulator.bench;

import java.time.Instant;
import org.limes.drivers.Driver;
import org.limes.drivers.DriverOptions;
import org.limes.drivers.Drivers;
import org.limes.simulator.device.counter.CounterModel;
import org.limes.simulator.transport.mqtt.MqttWire;
import org.limes.simulator.transport.mqtt.PublishPacket;

/**
 * The messages of a benchmark, encoded once so every phase sends the same bytes: message
 * {@code i} comes from device {@code (i mod devices) + 1} of a {@link CounterModel} fleet, at
 * device time {@code start + (i div devices)} seconds plus the device's offset within that
 * second ({@code (i mod devices) / devices} of it, as a fleet reporting once a second at staggered
 * moments would), on topic {@code crossing/<site>/counter/<device>}, as {@code counter-json}. Each
 * (device, time) is unique, so the store (which deduplicates on both) keeps every one; and the
 * times rise with {@code i}, so the store receives rows in time order and merges none into rows it
 * already holds (a whole round stamped with one second made every commit a merge over that round).
 *
 * <p>The PUBLISH packets of the messages ({@link #packets}) are encoded on first use per QoS and
 * kept, so the load clients only copy bytes.
 *
 * <p>Immutable after construction but for that cache; safe to read from any thread.
 */
public final class BenchLoad {

    /** The crossing every bench device belongs to. */
    public static final String SITE = "ras-ajdir";
    /** The subscription that covers every bench topic. */
    public static final String TOPIC_FILTER = "crossing/+/counter/+";

    private final CounterModel model;
    private final String[] topics;
    private final byte[][] payloads;
    private final long bytes;
    private final PublishPacket[][] packets = new PublishPacket[3][];

    /**
     * @param messages how many messages, at least 1
     * @param devices  fleet size, at least 1
     * @param start    device time of the first round
     */
    public BenchLoad(int messages, int devices, long seed, Instant start) {
        if (messages < 1) {
            throw new IllegalArgumentException("messages must be at least 1, got " + messages);
        }
        this.model = new CounterModel(seed, "cnt", devices);
        Driver driver = Drivers.load().create("counter-json", DriverOptions.empty());
        String[] deviceTopics = new String[devices];
        for (int d = 1; d <= devices; d++) {
            deviceTopics[d - 1] = topic(model.deviceId(d));
        }
        this.topics = new String[messages];
        this.payloads = new byte[messages][];
        long total = 0;
        for (int i = 0; i < messages; i++) {
            int device = i % devices;
            topics[i] = deviceTopics[device];
            Instant at = start.plusSeconds(i / devices).plusNanos(device * 1_000_000_000L / devices);
            payloads[i] = driver.encode(model.next(device + 1, at, false));
            total += payloads[i].length;
        }
        this.bytes = total;
    }

    /** The topic a device publishes on. */
    public static String topic(String deviceId) {
        return "crossing/" + SITE + "/counter/" + deviceId;
    }

    public int size() {
        return payloads.length;
    }

    public String topic(int i) {
        return topics[i];
    }

    public byte[] payload(int i) {
        return payloads[i];
    }

    /** Every message as a PUBLISH packet at {@code qos}, encoded on the first call per QoS. */
    public synchronized PublishPacket[] packets(int qos) {
        if (packets[qos] == null) {
            PublishPacket[] p = new PublishPacket[payloads.length];
            for (int i = 0; i < p.length; i++) {
                p[i] = MqttWire.encodePublish(topics[i], payloads[i], qos);
            }
            packets[qos] = p;
        }
        return packets[qos];
    }

    /** Mean payload size in bytes. */
    public double meanPayloadBytes() {
        return (double) bytes / payloads.length;
    }

    /** The fleet the messages come from. */
    public CounterModel model() {
        return model;
    }
}
