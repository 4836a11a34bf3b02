package org.limes.gateway.rules;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.limes.drivers.Reading;

/**
 * Raises when a device's field changes by more than a limit within a window of device
 * time, and clears once a whole window has passed without such a change (so a noisy
 * value at the edge does not flap).
 *
 * <p>Per device, a ring of the last {@code max_samples} (device time, value) pairs,
 * allocated on the device's first reading; the base is the lowest (rise) or highest
 * (fall) value of the ring within the window. Worked example, {@code rise_factor: 3,
 * window: 10m}: counts 12, 14, 11 at 06:00, 06:05, 06:08, then 40 at 06:09 — the lowest in
 * the window is 11, 40 ≥ 33, so it raises (value 40, threshold 33). A reading older than
 * the newest one kept (out of order) is ignored. Shard-confined (see {@link Rule}).
 *
 * <p>The ring is a {@link RateSamples}, which the engine may share among rules of the same
 * kind, field and {@code max_samples} ({@link RuleIndex}); the engine then pushes each
 * reading once and asks each rule to {@link #decide} on the base it computed, and visits a
 * rule only when the reading reaches its limit or the rule has an episode open for the
 * device ({@link DeviceCounts}). {@link #evaluate} is the same for a rule on its own.
 */
public final class RateOfChangeRule implements Rule {

    /** A restored episode has no window yet: it counts its first reading as the last change. */
    private static final long RESTORED = Long.MIN_VALUE;
    private static final byte ADD = 0;
    private static final byte SUBTRACT = 1;
    private static final byte MULTIPLY = 2;
    private static final byte DIVIDE = 3;

    private final RateOfChangeRuleConfig config;
    private final DeviceTable devices;
    private final String id;
    private final String kind;
    private final String field;
    private final long windowMs;
    private final boolean rising;
    /** How the limit applies to the base: rise_by, fall_by, rise_factor, fall_factor. */
    private final byte mode;
    private final double limit;
    private final double minBase;

    private RateSamples samples;
    /** Where the rule counts its open episodes per device; null when on its own. */
    private DeviceCounts openCounts;
    private long[] lastChangeMs = new long[0];
    private Alert[] open = new Alert[0];

    public RateOfChangeRule(RateOfChangeRuleConfig config, DeviceTable devices) {
        this.config = config;
        this.devices = devices;
        this.id = config.id();
        this.kind = config.kind();
        this.field = config.field();
        this.windowMs = config.windowMs();
        this.rising = config.rising();
        if (config.riseBy() != null) {
            mode = ADD;
            limit = config.riseBy();
        } else if (config.fallBy() != null) {
            mode = SUBTRACT;
            limit = config.fallBy();
        } else if (config.riseFactor() != null) {
            mode = MULTIPLY;
            limit = config.riseFactor();
        } else {
            mode = DIVIDE;
            limit = config.fallFactor();
        }
        this.minBase = config.minBase();
        this.samples = new RateSamples(devices, config.maxSamples());
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

    long windowMs() {
        return windowMs;
    }

    boolean rising() {
        return rising;
    }

    RateSamples samples() {
        return samples;
    }

    /** Takes a shared ring instead of its own, which must not have been used yet ({@link RuleIndex}). */
    void share(RateSamples shared) {
        if (samples.used() || shared.capacity() != samples.capacity()) {
            throw new IllegalStateException("rule " + id + " cannot share a ring");
        }
        samples = shared;
    }

    /** Counts its open episodes into {@code counts} from now on (and those open now). */
    void join(DeviceCounts counts) {
        openCounts = counts;
        for (int d = 0; d < open.length; d++) {
            if (open[d] != null) {
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
        long t = r.deviceTime().toEpochMilli();
        if (samples.stale(d, t)) {
            return;
        }
        double base = samples.base(d, t, windowMs, rising);
        samples.push(d, t, v);
        decide(r, d, v, t, base, nowMs, out);
    }

    /** True when {@code v} reaches the limit from {@code base} (NaN: no base in the window). */
    boolean changes(double v, double base) {
        double level = level(base);
        return !Double.isNaN(level) && (rising ? v >= level : v <= level);
    }

    /**
     * The rest of {@link #evaluate} once the reading (value {@code v}, device time {@code t})
     * was pushed into the ring: {@code base} is the base of the samples before it.
     */
    void decide(Reading r, int d, double v, long t, double base, long nowMs, List<Alert> out) {
        ensure(d);
        if (open[d] != null && lastChangeMs[d] == RESTORED) {
            lastChangeMs[d] = t;
        }
        boolean haveBase = !Double.isNaN(base);
        double level = haveBase ? level(base) : Double.NaN;
        boolean changed = haveBase && !Double.isNaN(level) && (rising ? v >= level : v <= level);
        if (changed) {
            lastChangeMs[d] = t;
            if (open[d] == null) {
                String device = devices.id(d);
                Instant now = Instant.ofEpochMilli(nowMs);
                open[d] = Alert.builder().alertId(Alert.episodeId(devices.gateway(), id, device, t)).rule(id)
                        .state(AlertState.RAISED).severity(config.severity()).site(devices.site(d)).device(device)
                        .subjectKind(Alert.DEVICE).subject(device).kind(kind).field(field)
                        .value(v).threshold(level).firstSeen(now).lastSeen(now).raisedAt(now).at(now).tags(r.tags())
                        .build();
                opened(d);
                out.add(open[d]);
            }
        } else if (open[d] != null && t - lastChangeMs[d] >= windowMs) {
            Instant now = Instant.ofEpochMilli(nowMs);
            out.add(open[d].cleared(v, haveBase ? level : v, Instant.ofEpochMilli(nowMs), now, null));
            open[d] = null;
            if (openCounts != null) {
                openCounts.remove(d);
            }
        }
    }

    /** The value the current one has to reach from {@code base}; NaN when a factor's base is too small. */
    private double level(double base) {
        switch (mode) {
            case ADD:
                return base + limit;
            case SUBTRACT:
                return base - limit;
            default:
                if (base < minBase) {
                    return Double.NaN;
                }
                return mode == MULTIPLY ? base * limit : base / limit;
        }
    }

    @Override
    public void tick(long nowMs, List<Alert> out) {
        // The window runs on device time, which only readings advance.
    }

    @Override
    public boolean restore(Alert alert) {
        int d = devices.indexOf(alert.subject());
        if (d < 0) {
            return false;
        }
        ensure(d);
        samples.ensure(d);
        if (open[d] == null) {
            opened(d);
        }
        open[d] = alert;
        lastChangeMs[d] = RESTORED;
        return true;
    }

    /**
     * Cluster mode: the device's window samples and, with an episode open, its last change, so
     * the next owner raises and clears as this one would have. Version 1: {@code 1}, last change
     * (i64, ms device time; {@code Long.MIN_VALUE} while a restored episode has seen none), the
     * sample count (u16, ≤ {@code max_samples}), then each sample's device ms (i64) and value
     * (f64), oldest first. Null while the device has neither.
     */
    @Override
    public byte[] saveDevice(int d) {
        long[] pairs = samples.samplesOf(d);
        boolean episode = d < open.length && open[d] != null;
        if (pairs.length == 0 && !episode) {
            return null;
        }
        ByteBuffer b = ByteBuffer.allocate(1 + Long.BYTES + Short.BYTES + pairs.length * Long.BYTES);
        b.put((byte) 1).putLong(episode ? lastChangeMs[d] : RESTORED).putShort((short) (pairs.length / 2));
        for (long x : pairs) {
            b.putLong(x);
        }
        return b.array();
    }

    @Override
    public void loadDevice(int d, byte[] state) {
        ByteBuffer b = ByteBuffer.wrap(state);
        long[] pairs;
        long lastChange;
        try {
            if (b.get() != 1) {
                return;
            }
            lastChange = b.getLong();
            int n = Short.toUnsignedInt(b.getShort());
            if (b.remaining() != n * 2 * Long.BYTES) {
                return;
            }
            pairs = new long[2 * n];
            for (int i = 0; i < pairs.length; i++) {
                pairs[i] = b.getLong();
            }
        } catch (BufferUnderflowException e) {
            return;
        }
        for (int i = 1; i < pairs.length; i += 2) {
            if (!Double.isFinite(Double.longBitsToDouble(pairs[i]))) {
                return;
            }
        }
        samples.takeOver(d, pairs);
        ensure(d);
        // Only with the episode restore() gave back; its last change replaces "none seen yet".
        if (open[d] != null && lastChangeMs[d] == RESTORED) {
            lastChangeMs[d] = lastChange;
        }
    }

    private void opened(int d) {
        if (openCounts != null) {
            openCounts.add(d);
        }
    }

    private void ensure(int d) {
        if (d >= open.length) {
            int n = Math.max(d + 1, Math.max(16, Math.max(devices.size(), open.length * 2)));
            lastChangeMs = Arrays.copyOf(lastChangeMs, n);
            open = Arrays.copyOf(open, n);
        }
    }
}
