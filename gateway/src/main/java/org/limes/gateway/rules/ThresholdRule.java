package org.limes.gateway.rules;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.limes.drivers.Reading;

/**
 * Raises when a field of a device's readings crosses a level and holds there for the
 * hold time, and clears when it is back past a second level (hysteresis) for the clear
 * hold time, so a value hovering around one level does not flap.
 *
 * <p>Per device, a small state machine, evaluated on readings and on ticks (gateway
 * time):
 *
 * <pre>
 *            raise cond.            held for `for`              clear cond.          held for `clear_for`
 *   IDLE ─────────────► PENDING ─────────────────► OPEN ─────────────► CLEARING ─────────────────► IDLE
 *     ▲  raise cond. gone  │                         ▲  clear cond. gone  │
 *     └────────────────────┘                         └────────────────────┘
 * </pre>
 *
 * A tick counts the last value seen as still holding (a silent device is the deadman
 * rule's business). State lives in arrays indexed by {@link DeviceTable} index: no
 * allocation per reading; a transition allocates its {@link Alert}. Shard-confined (see
 * {@link Rule}).
 *
 * <p>In the engine, the rules of one kind and field share one lookup of the value ({@link
 * RuleIndex} calls {@link #accept}) and count the devices they are not idle for in one
 * {@link DeviceCounts}: while a device's count is 0, only the rules whose raise condition the
 * value meets are visited — for an idle rule any other reading changes nothing.
 */
public final class ThresholdRule implements Rule {

    private static final byte IDLE = 0;
    private static final byte PENDING = 1;
    private static final byte OPEN = 2;
    private static final byte CLEARING = 3;

    private final ThresholdRuleConfig config;
    private final DeviceTable devices;
    private final String id;
    private final String kind;
    private final String field;
    private final boolean rising;
    private final double raiseLevel;
    private final double clearLevel;
    private final long holdMs;
    private final long clearHoldMs;

    private byte[] phase = new byte[0];
    private long[] sinceMs = new long[0];
    private long[] firstDeviceMs = new long[0];
    private long[] firstSeenMs = new long[0];
    private long[] lastSeenMs = new long[0];
    private double[] value = new double[0];
    private Map<String, String>[] tags = newMaps(0);
    private Alert[] open = new Alert[0];
    private int pending;
    private int openCount;
    /** Where the rule counts the devices it is not idle for; null when on its own. */
    private DeviceCounts active;

    public ThresholdRule(ThresholdRuleConfig config, DeviceTable devices) {
        this.config = config;
        this.devices = devices;
        this.id = config.id();
        this.kind = config.kind();
        this.field = config.field();
        this.rising = config.rising();
        this.raiseLevel = config.raiseLevel();
        this.clearLevel = config.clearLevel();
        this.holdMs = config.holdMs();
        this.clearHoldMs = config.clearHoldMs();
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public RuleConfig config() {
        return config;
    }

    String kind() {
        return kind;
    }

    String field() {
        return field;
    }

    boolean rising() {
        return rising;
    }

    double raiseLevel() {
        return raiseLevel;
    }

    /** True when {@code v} meets the raise condition; an idle rule does nothing with any other value. */
    boolean raises(double v) {
        return rising ? v > raiseLevel : v < raiseLevel;
    }

    /** Counts the devices it is not idle for into {@code counts} from now on (and those now). */
    void join(DeviceCounts counts) {
        active = counts;
        for (int d = 0; d < phase.length; d++) {
            if (phase[d] != IDLE) {
                counts.add(d);
            }
        }
    }

    @Override
    public void evaluate(Reading r, int d, long nowMs, List<Alert> out) {
        if (!kind.equals(r.kind())) {
            return;
        }
        double v = r.number(field);
        if (Double.isNaN(v)) {
            return;
        }
        accept(r, d, v, nowMs, out);
    }

    /** {@link #evaluate} of a reading of this rule's kind whose field has the value {@code v} (not NaN). */
    void accept(Reading r, int d, double v, long nowMs, List<Alert> out) {
        ensure(d);
        boolean raiseCondition = rising ? v > raiseLevel : v < raiseLevel;
        boolean clearCondition = rising ? v < clearLevel : v > clearLevel;
        value[d] = v;
        if (tags[d] == null || !tags[d].equals(r.tags())) {
            // Only when they changed: a device's tags are the same reading after reading, and
            // holding each reading's map for the second until the next ages it into the old
            // generation (one map per device per rule at every young collection).
            tags[d] = r.tags();
        }
        switch (phase[d]) {
            case IDLE -> {
                if (raiseCondition) {
                    phase[d] = PENDING;
                    pending++;
                    if (active != null) {
                        active.add(d);
                    }
                    sinceMs[d] = nowMs;
                    firstDeviceMs[d] = r.deviceTime().toEpochMilli();
                    firstSeenMs[d] = nowMs;
                    lastSeenMs[d] = nowMs;
                    if (holdMs == 0) {
                        raise(d, nowMs, out);
                    }
                }
            }
            case PENDING -> {
                if (raiseCondition) {
                    lastSeenMs[d] = nowMs;
                    if (nowMs - sinceMs[d] >= holdMs) {
                        raise(d, nowMs, out);
                    }
                } else {
                    phase[d] = IDLE;
                    pending--;
                    if (active != null) {
                        active.remove(d);
                    }
                }
            }
            case OPEN -> {
                if (clearCondition) {
                    phase[d] = CLEARING;
                    pending++;
                    sinceMs[d] = nowMs;
                    if (clearHoldMs == 0) {
                        clear(d, nowMs, out);
                    }
                } else if (raiseCondition) {
                    lastSeenMs[d] = nowMs;
                }
            }
            default -> {
                if (clearCondition) {
                    if (nowMs - sinceMs[d] >= clearHoldMs) {
                        clear(d, nowMs, out);
                    }
                } else {
                    phase[d] = OPEN;
                    pending--;
                    if (raiseCondition) {
                        lastSeenMs[d] = nowMs;
                    }
                }
            }
        }
    }

    @Override
    public void tick(long nowMs, List<Alert> out) {
        if (pending == 0) {
            return;
        }
        for (int d = 0; d < phase.length; d++) {
            if (phase[d] == PENDING && nowMs - sinceMs[d] >= holdMs) {
                raise(d, nowMs, out);
            } else if (phase[d] == CLEARING && nowMs - sinceMs[d] >= clearHoldMs) {
                clear(d, nowMs, out);
            }
        }
    }

    @Override
    public boolean restore(Alert alert) {
        int d = devices.indexOf(alert.subject());
        if (d < 0) {
            return false;
        }
        ensure(d);
        if (phase[d] == PENDING || phase[d] == CLEARING) {
            pending--;
        }
        if (phase[d] == IDLE && active != null) {
            active.add(d);
        }
        if (open[d] == null) {
            openCount++;
        }
        phase[d] = OPEN;
        open[d] = alert;
        value[d] = alert.value();
        return true;
    }

    /**
     * The device's phase and times (version 1, big-endian): phase u8, since, first device ms,
     * first seen, last seen (i64 each), value (f64), the last reading's tags (u16 count, then
     * u16-length UTF-8 key and value each). Null when idle: nothing to carry.
     */
    @Override
    public byte[] saveDevice(int d) {
        if (d >= phase.length || phase[d] == IDLE) {
            return null;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(96);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(1);
            out.writeByte(phase[d]);
            out.writeLong(sinceMs[d]);
            out.writeLong(firstDeviceMs[d]);
            out.writeLong(firstSeenMs[d]);
            out.writeLong(lastSeenMs[d]);
            out.writeDouble(value[d]);
            Map<String, String> t = tags[d] == null ? Map.of() : tags[d];
            out.writeShort(t.size());
            for (Map.Entry<String, String> e : t.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeUTF(e.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    @Override
    public void loadDevice(int d, byte[] state) {
        byte p;
        long since;
        long firstDevice;
        long firstSeen;
        long lastSeen;
        double v;
        Map<String, String> t = new TreeMap<>();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(state))) {
            if (in.readByte() != 1) {
                return;
            }
            p = in.readByte();
            since = in.readLong();
            firstDevice = in.readLong();
            firstSeen = in.readLong();
            lastSeen = in.readLong();
            v = in.readDouble();
            int n = in.readUnsignedShort();
            for (int i = 0; i < n; i++) {
                t.put(in.readUTF(), in.readUTF());
            }
        } catch (IOException e) {
            return;
        }
        ensure(d);
        // An OPEN or CLEARING phase needs its episode, which restore() gave back; without one the
        // device starts afresh rather than clear an episode nobody raised.
        if (p < PENDING || p > CLEARING || (p != PENDING && open[d] == null)) {
            return;
        }
        byte was = phase[d];
        if (was == PENDING || was == CLEARING) {
            pending--;
        }
        if (p == PENDING || p == CLEARING) {
            pending++;
        }
        if (was == IDLE && active != null) {
            active.add(d);
        }
        if (p == PENDING && open[d] != null) {
            open[d] = null;
            openCount--;
        }
        phase[d] = p;
        sinceMs[d] = since;
        firstDeviceMs[d] = firstDevice;
        firstSeenMs[d] = firstSeen;
        lastSeenMs[d] = lastSeen;
        value[d] = v;
        tags[d] = t.isEmpty() ? null : t;
    }

    private void raise(int d, long nowMs, List<Alert> out) {
        pending--;
        phase[d] = OPEN;
        String device = devices.id(d);
        Instant now = Instant.ofEpochMilli(nowMs);
        Alert a = Alert.builder().alertId(Alert.episodeId(devices.gateway(), id, device, firstDeviceMs[d])).rule(id)
                .state(AlertState.RAISED).severity(config.severity()).site(devices.site(d)).device(device)
                .subjectKind(Alert.DEVICE).subject(device).kind(kind).field(field).value(value[d]).threshold(raiseLevel)
                .firstSeen(Instant.ofEpochMilli(firstSeenMs[d])).lastSeen(Instant.ofEpochMilli(lastSeenMs[d]))
                .raisedAt(now).at(now).tags(tags[d] == null ? devices.tags(d) : tags[d]).build();
        open[d] = a;
        openCount++;
        out.add(a);
    }

    private void clear(int d, long nowMs, List<Alert> out) {
        pending--;
        phase[d] = IDLE;
        if (active != null) {
            active.remove(d);
        }
        Instant now = Instant.ofEpochMilli(nowMs);
        out.add(open[d].cleared(value[d], clearLevel, Instant.ofEpochMilli(lastSeenMs[d]), now, null));
        open[d] = null;
        openCount--;
    }

    private void ensure(int d) {
        if (d < phase.length) {
            return;
        }
        int n = Math.max(d + 1, Math.max(16, Math.max(devices.size(), phase.length * 2)));
        phase = Arrays.copyOf(phase, n);
        sinceMs = Arrays.copyOf(sinceMs, n);
        firstDeviceMs = Arrays.copyOf(firstDeviceMs, n);
        firstSeenMs = Arrays.copyOf(firstSeenMs, n);
        lastSeenMs = Arrays.copyOf(lastSeenMs, n);
        value = Arrays.copyOf(value, n);
        tags = Arrays.copyOf(tags, n);
        open = Arrays.copyOf(open, n);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String>[] newMaps(int n) {
        return new Map[n];
    }

    /** Open episodes, for the live view and tests. */
    public int openEpisodes() {
        return openCount;
    }
}
