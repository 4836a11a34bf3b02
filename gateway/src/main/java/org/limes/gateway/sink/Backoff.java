package org.limes.gateway.sink;

import java.time.Clock;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Exponential backoff with full jitter between an initial and a maximum delay, for a
 * sink's retries and a source's reconnects. It never runs out: data is never dropped
 * because a retry budget ended. One instance per thread; not thread-safe.
 */
public final class Backoff {

    private static final long STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

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
     * Waits until {@code clock} has moved {@code ms} on, on the calling thread, in steps of at
     * most 50 ms so that it returns soon after {@code keepWaiting} turns false (closing) — and,
     * with a clock a test moves by hand, soon after the test moved it past the delay.
     */
    public static void pause(Clock clock, long ms, BooleanSupplier keepWaiting) {
        long deadline = clock.millis() + ms;
        while (keepWaiting.getAsBoolean()) {
            long left = deadline - clock.millis();
            if (left <= 0) {
                return;
            }
            LockSupport.parkNanos(Math.min(TimeUnit.MILLISECONDS.toNanos(left), STEP_NANOS));
        }
    }
}
