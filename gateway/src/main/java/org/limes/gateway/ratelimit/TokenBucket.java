package org.limes.gateway.ratelimit;

import java.util.function.LongSupplier;

/**
 * A rate limit: up to {@code perSecond} tokens a second, with a burst of one second's
 * worth. A TCP connection takes one per frame, a pipeline shard one per reading of a
 * device. Time comes from an injected nanosecond ticker, so tests control it.
 *
 * <p>Threading: not thread-safe; a bucket belongs to one channel (used on its event loop)
 * or one pipeline shard (used on its thread).
 */
public final class TokenBucket {

    private static final long SECOND = 1_000_000_000L;

    private final long perSecond;
    private final LongSupplier nanos;
    private double tokens;
    private long last;

    public TokenBucket(long perSecond, LongSupplier nanos) {
        this.perSecond = perSecond;
        this.nanos = nanos;
        this.tokens = perSecond;
        this.last = nanos.getAsLong();
    }

    /** Takes one token if there is one. */
    public boolean tryTake() {
        refill();
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }

    /** Nanoseconds until the next token is due (0 when one is there). */
    public long nanosUntilToken() {
        refill();
        return tokens >= 1 ? 0 : (long) Math.ceil((1 - tokens) * SECOND / perSecond);
    }

    private void refill() {
        long now = nanos.getAsLong();
        if (now > last) {
            tokens = Math.min(perSecond, tokens + (double) (now - last) * perSecond / SECOND);
            last = now;
        }
    }
}
