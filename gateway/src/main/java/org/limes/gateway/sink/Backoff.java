package org.limes.gateway.sink;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Exponential backoff with full jitter between an initial and a maximum delay, for a
 * sink's retries. It never runs out: data is never dropped because a retry budget ended.
 * One instance per sink thread; not thread-safe.
 */
public final class Backoff {

    private final long initialMs;
    private final long maxMs;
    private long ceilingMs;

    public Backoff(long initialMs, long maxMs) {
        this.initialMs = initialMs;
        this.maxMs = maxMs;
        this.ceilingMs = initialMs;
    }

    /** The delay before the next attempt: uniform in [initial/2, ceiling], ceiling doubling up to max. */
    public long nextDelayMs() {
        long low = Math.max(1, initialMs / 2);
        long delay = low >= ceilingMs ? ceilingMs : ThreadLocalRandom.current().nextLong(low, ceilingMs + 1);
        ceilingMs = Math.min(maxMs, ceilingMs * 2);
        return delay;
    }

    public void reset() {
        ceilingMs = initialMs;
    }

    /**
     * Waits {@code ms} on the calling (sink) thread, in short steps so that it returns soon
     * after {@code keepWaiting} turns false (the sink is closing).
     */
    public static void pause(long ms, BooleanSupplier keepWaiting) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        while (keepWaiting.getAsBoolean() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(Math.min(deadline - System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(50)));
        }
    }
}
