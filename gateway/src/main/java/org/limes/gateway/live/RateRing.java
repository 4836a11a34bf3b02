package org.limes.gateway.live;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One device's readings per second over the last {@value #BUCKETS} × {@value #BUCKET_S} s (ten
 * minutes), for the status page's sparklines: a ring of {@value #BUCKETS} counters, each the
 * readings of one {@value #BUCKET_S}-second bucket of gateway time. Fixed size (about 750 bytes a
 * device); a bucket is reset when the ring comes round to it again.
 *
 * <p>Threading: {@link #count} is called by the one pipeline shard that owns the device;
 * {@link #perSecond} by the admin thread, which may see a bucket mid-reset (good enough to look
 * at, never used for decisions).
 */
final class RateRing {

    static final int BUCKETS = 60;
    static final int BUCKET_S = 10;

    private final AtomicLongArray bucketOf = new AtomicLongArray(BUCKETS);
    private final AtomicIntegerArray counts = new AtomicIntegerArray(BUCKETS);

    RateRing() {
        for (int i = 0; i < BUCKETS; i++) {
            bucketOf.set(i, Long.MIN_VALUE);
        }
    }

    void count(long nowMs) {
        long bucket = Math.floorDiv(nowMs, BUCKET_S * 1000L);
        int i = (int) Math.floorMod(bucket, (long) BUCKETS);
        if (bucketOf.getPlain(i) != bucket) {
            counts.setRelease(i, 0);
            bucketOf.setRelease(i, bucket);
        }
        // One writer: a plain read and an ordered write, not an atomic increment (a locked
        // instruction per reading, 10 % of a shard's samples under a flood).
        counts.setRelease(i, counts.getPlain(i) + 1);
    }

    /**
     * Readings per second in each of the last {@value #BUCKETS} whole buckets before the current
     * one, oldest first (the current bucket is still filling, so it is left out).
     */
    double[] perSecond(long nowMs) {
        long current = Math.floorDiv(nowMs, BUCKET_S * 1000L);
        double[] out = new double[BUCKETS];
        for (int k = 0; k < BUCKETS; k++) {
            long bucket = current - BUCKETS + k;
            int i = (int) Math.floorMod(bucket, (long) BUCKETS);
            out[k] = bucketOf.get(i) == bucket ? counts.get(i) / (double) BUCKET_S : 0;
        }
        return out;
    }
}
