package org.limes.gateway.rules;

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
 */
public final class RateOfChangeRule implements Rule {

    /** A restored episode has no window yet: it counts its first reading as the last change. */
    private static final long RESTORED = Long.MIN_VALUE;

    private final RateOfChangeRuleConfig config;
    private final DeviceTable devices;
    private final String id;
    private final long windowMs;
    private final int capacity;
    private final boolean rising;

    private long[][] times = new long[0][];
    private double[][] values = new double[0][];
    private int[] head = new int[0];
    private int[] count = new int[0];
    private long[] lastChangeMs = new long[0];
    private Alert[] open = new Alert[0];

    public RateOfChangeRule(RateOfChangeRuleConfig config, DeviceTable devices) {
        this.config = config;
        this.devices = devices;
        this.id = config.id();
        this.windowMs = config.windowMs();
        this.capacity = config.maxSamples();
        this.rising = config.rising();
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public RuleConfig config() {
        return config;
    }

    @Override
    public void evaluate(Reading r, int d, long nowMs, List<Alert> out) {
        if (!config.kind().equals(r.kind())) {
            return;
        }
        double v = r.number(config.field());
        if (Double.isNaN(v)) {
            return;
        }
        ensure(d);
        long t = r.deviceTime().toEpochMilli();
        long[] ts = times[d];
        double[] vs = values[d];
        int n = count[d];
        if (n > 0 && t <= ts[(head[d] + n - 1) % capacity]) {
            return;
        }
        boolean haveBase = false;
        double base = 0;
        for (int i = 0; i < n; i++) {
            int k = (head[d] + i) % capacity;
            if (t - ts[k] > windowMs) {
                continue;
            }
            if (!haveBase || (rising ? vs[k] < base : vs[k] > base)) {
                base = vs[k];
                haveBase = true;
            }
        }
        if (n == capacity) {
            head[d] = (head[d] + 1) % capacity;
            n--;
        }
        int slot = (head[d] + n) % capacity;
        ts[slot] = t;
        vs[slot] = v;
        count[d] = n + 1;

        if (open[d] != null && lastChangeMs[d] == RESTORED) {
            lastChangeMs[d] = t;
        }
        double level = haveBase ? level(base) : Double.NaN;
        boolean changed = haveBase && !Double.isNaN(level) && (rising ? v >= level : v <= level);
        if (changed) {
            lastChangeMs[d] = t;
            if (open[d] == null) {
                String device = devices.id(d);
                Instant now = Instant.ofEpochMilli(nowMs);
                open[d] = Alert.builder().alertId(Alert.episodeId(devices.gateway(), id, device, t)).rule(id)
                        .state(AlertState.RAISED).severity(config.severity()).site(devices.site(d)).device(device)
                        .subjectKind(Alert.DEVICE).subject(device).kind(config.kind()).field(config.field())
                        .value(v).threshold(level).firstSeen(now).lastSeen(now).raisedAt(now).at(now).tags(r.tags())
                        .build();
                out.add(open[d]);
            }
        } else if (open[d] != null && t - lastChangeMs[d] >= windowMs) {
            Instant now = Instant.ofEpochMilli(nowMs);
            out.add(open[d].cleared(v, haveBase ? level : v, Instant.ofEpochMilli(nowMs), now, null));
            open[d] = null;
        }
    }

    /** The value the current one has to reach from {@code base}; NaN when a factor's base is too small. */
    private double level(double base) {
        if (config.riseBy() != null) {
            return base + config.riseBy();
        }
        if (config.fallBy() != null) {
            return base - config.fallBy();
        }
        if (base < config.minBase()) {
            return Double.NaN;
        }
        return config.riseFactor() != null ? base * config.riseFactor() : base / config.fallFactor();
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
        open[d] = alert;
        lastChangeMs[d] = RESTORED;
        return true;
    }

    private void ensure(int d) {
        if (d >= head.length) {
            int n = Math.max(d + 1, Math.max(16, Math.max(devices.size(), head.length * 2)));
            times = Arrays.copyOf(times, n);
            values = Arrays.copyOf(values, n);
            head = Arrays.copyOf(head, n);
            count = Arrays.copyOf(count, n);
            lastChangeMs = Arrays.copyOf(lastChangeMs, n);
            open = Arrays.copyOf(open, n);
        }
        if (times[d] == null) {
            times[d] = new long[capacity];
            values[d] = new double[capacity];
        }
    }
}
