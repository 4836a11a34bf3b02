package org.limes.gateway.live;

import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import org.limes.drivers.Reading;
import org.limes.drivers.SortedArrayMap;

/**
 * A device's latest reading of one kind, overwritten in place: its times as numbers, its tags
 * map kept while the next reading's tags are equal, and its fields as names and raw values.
 *
 * <p>Why not keep the {@link Reading}: the status page holds one per device and kind, and each
 * is replaced by the device's next reading about a second later. With 10,000 devices that is
 * ~7 MB of objects that always outlive one young collection and are dead by the next but one:
 * they overflowed the survivor spaces into the old generation at every collection, which
 * filled it towards a full collection (0.2–0.9 s, every frame and alert stopped) every few
 * seconds of a flood. Overwritten in place, a reading of the same shape as the last one
 * (the same field names, equal tags: the usual case) leaves nothing behind for the collector;
 * a {@code String} field value is the only object kept from it.
 *
 * <p>One writer (the shard that owns the device), readers on the admin threads: both take this
 * object's lock, so a reader sees one whole reading, never fields of one and times of the next.
 */
final class LatestValues {

    private static final byte DOUBLE = 0;
    private static final byte LONG = 1;
    private static final byte BOOLEAN = 2;
    private static final byte OTHER = 3;
    private static final String[] NO_NAMES = {};

    private final String kind;
    private long deviceSecond;
    private int deviceNano;
    private long receivedSecond;
    private int receivedNano;
    private Map<String, String> tags = Map.of();
    private String[] names = NO_NAMES;
    private byte[] types = new byte[0];
    private long[] bits = new long[0];
    private Object[] others = new Object[0];

    LatestValues(String kind) {
        this.kind = kind;
    }

    /** The kind of the readings it holds. */
    String kind() {
        return kind;
    }

    /** Takes {@code r}'s times, tags and fields; {@code r} is of this holder's kind. */
    synchronized void update(Reading r) {
        Instant device = r.deviceTime();
        deviceSecond = device.getEpochSecond();
        deviceNano = device.getNano();
        Instant received = r.receivedAt();
        receivedSecond = received.getEpochSecond();
        receivedNano = received.getNano();
        if (!tags.equals(r.tags())) {
            tags = r.tags();
        }
        SortedArrayMap<Object> fields = (SortedArrayMap<Object>) r.fields();
        int n = fields.size();
        if (!sameNames(fields)) {
            names = new String[n];
            types = new byte[n];
            bits = new long[n];
            others = new Object[n];
            for (int i = 0; i < n; i++) {
                names[i] = fields.keyAt(i);
            }
        }
        for (int i = 0; i < n; i++) {
            Object v = fields.valueAt(i);
            if (v instanceof Double d) {
                types[i] = DOUBLE;
                bits[i] = Double.doubleToRawLongBits(d);
                others[i] = null;
            } else if (v instanceof Long l) {
                types[i] = LONG;
                bits[i] = l;
                others[i] = null;
            } else if (v instanceof Boolean b) {
                types[i] = BOOLEAN;
                bits[i] = b ? 1 : 0;
                others[i] = null;
            } else {
                types[i] = OTHER;
                others[i] = v;
            }
        }
    }

    private boolean sameNames(SortedArrayMap<Object> fields) {
        if (fields.size() != names.length) {
            return false;
        }
        for (int i = 0; i < names.length; i++) {
            if (!names[i].equals(fields.keyAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** The latest reading as the admin API shows it. */
    synchronized LiveView.LatestReading view() {
        SortedArrayMap.Builder<Object> fields = SortedArrayMap.builder(names.length);
        for (int i = 0; i < names.length; i++) {
            fields.put(names[i], value(i));
        }
        return new LiveView.LatestReading(kind, Instant.ofEpochSecond(deviceSecond, deviceNano).toString(),
                Instant.ofEpochSecond(receivedSecond, receivedNano).toString(), tags, fields.build());
    }

    private Object value(int i) {
        return switch (types[i]) {
            case DOUBLE -> Double.longBitsToDouble(bits[i]);
            case LONG -> bits[i];
            case BOOLEAN -> bits[i] != 0;
            default -> others[i];
        };
    }

    @Override
    public synchronized String toString() {
        return kind + " " + Arrays.toString(names);
    }
}
