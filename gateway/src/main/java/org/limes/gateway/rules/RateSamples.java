package org.limes.gateway.rules;

import java.util.Arrays;

/**
 * The rate-of-change window samples of one (kind, field, {@code max_samples}): per device,
 * a ring of the last {@code capacity} (device time, value) pairs, allocated on the device's
 * first sample, kept in one {@code long[]} per device (time and the value's raw bits side
 * by side, so one reading touches one array).
 *
 * <p>What a ring holds depends only on the readings of its kind and field and on its
 * capacity, not on a rule's window or limit, so rate-of-change rules created together with
 * the same kind, field and capacity share one ({@link RuleIndex}): a reading is pushed once,
 * not once per rule. A rule that already has samples keeps its own ring (a reload never
 * hands a new rule another's history).
 *
 * <p>Bounded: {@code capacity} samples per device, devices bounded by the {@link
 * DeviceTable}. Shard-confined, like the rules.
 */
final class RateSamples {

    private final DeviceTable devices;
    private final int capacity;
    /** Per device: [time0, bits0, time1, bits1, …], a ring of capacity pairs; null until its first sample. */
    private long[][] rings = new long[0][];
    private int[] head = new int[0];
    private int[] count = new int[0];
    private boolean used;

    RateSamples(DeviceTable devices, int capacity) {
        this.devices = devices;
        this.capacity = capacity;
    }

    int capacity() {
        return capacity;
    }

    /** True once a sample was pushed: another rule may not take this ring over any more. */
    boolean used() {
        return used;
    }

    /** Makes room for device {@code d} and allocates its ring. */
    void ensure(int d) {
        if (d >= head.length) {
            int n = Math.max(d + 1, Math.max(16, Math.max(devices.size(), head.length * 2)));
            rings = Arrays.copyOf(rings, n);
            head = Arrays.copyOf(head, n);
            count = Arrays.copyOf(count, n);
        }
        if (rings[d] == null) {
            rings[d] = new long[2 * capacity];
        }
    }

    /**
     * True when device time {@code t} is not after the newest sample kept (an out-of-order
     * reading, which is ignored). Calls {@link #ensure} first.
     */
    boolean stale(int d, long t) {
        ensure(d);
        int n = count[d];
        if (n == 0) {
            return false;
        }
        int newest = head[d] + n - 1;
        if (newest >= capacity) {
            newest -= capacity;
        }
        return t <= rings[d][2 * newest];
    }

    /**
     * The lowest ({@code rising}) or highest value of the samples within {@code windowMs} of
     * device time {@code t}, the oldest first; NaN when none is (values are finite).
     */
    double base(int d, long t, long windowMs, boolean rising) {
        long[] ring = rings[d];
        int n = count[d];
        int k = head[d];
        boolean have = false;
        double base = Double.NaN;
        for (int i = 0; i < n; i++) {
            if (t - ring[2 * k] <= windowMs) {
                double v = Double.longBitsToDouble(ring[2 * k + 1]);
                if (!have || (rising ? v < base : v > base)) {
                    base = v;
                    have = true;
                }
            }
            if (++k == capacity) {
                k = 0;
            }
        }
        return base;
    }

    /** The device's samples, oldest first, as [time0, bits0, time1, bits1, …]; empty when none. */
    long[] samplesOf(int d) {
        int n = d < count.length ? count[d] : 0;
        long[] out = new long[2 * n];
        int k = n == 0 ? 0 : head[d];
        for (int i = 0; i < n; i++) {
            out[2 * i] = rings[d][2 * k];
            out[2 * i + 1] = rings[d][2 * k + 1];
            if (++k == capacity) {
                k = 0;
            }
        }
        return out;
    }

    /**
     * Cluster mode: takes over a device's samples from its previous owner ({@link #samplesOf}),
     * only while the device has none here (rules sharing this ring each offer the same), keeping
     * the newest {@code capacity} in increasing time; out-of-order ones are left out.
     */
    void takeOver(int d, long[] pairs) {
        ensure(d);
        if (count[d] > 0) {
            return;
        }
        int from = Math.max(0, pairs.length / 2 - capacity);
        for (int i = from; i < pairs.length / 2; i++) {
            if (!stale(d, pairs[2 * i])) {
                push(d, pairs[2 * i], Double.longBitsToDouble(pairs[2 * i + 1]));
            }
        }
    }

    /** Appends a sample, forgetting the oldest when the ring is full. After {@link #stale} was false. */
    void push(int d, long t, double v) {
        used = true;
        int n = count[d];
        int h = head[d];
        if (n == capacity) {
            h = h + 1 == capacity ? 0 : h + 1;
            head[d] = h;
            n--;
        }
        int slot = h + n;
        if (slot >= capacity) {
            slot -= capacity;
        }
        long[] ring = rings[d];
        ring[2 * slot] = t;
        ring[2 * slot + 1] = Double.doubleToRawLongBits(v);
        count[d] = n + 1;
    }
}
