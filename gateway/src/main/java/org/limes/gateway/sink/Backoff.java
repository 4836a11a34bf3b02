package org.limes.gateway.sink;

import java.util.concurrent.ThreadLocalRandom;

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
}
