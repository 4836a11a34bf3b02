package org.limes.gateway.source.tcp;

import java.util.function.LongSupplier;

/**
 * A per-connection rate limit: up to {@code perSecond} tokens a second, with a burst of one
 * second's worth. Each frame takes one token. Time comes from an injected nanosecond
 * ticker, so tests control it.
 *
 * <p>Threading: not thread-safe; one bucket belongs to one channel and is only used on
 * its event loop.
 */
final class TokenBucket {

    private static final long SECOND = 1_000_000_000L;

    private final long perSecond;
    private final LongSupplier nanos;
    private double tokens;
    private long last;

    TokenBucket(long perSecond, LongSupplier nanos) {
        this.perSecond = perSecond;
        this.nanos = nanos;
        this.tokens = perSecond;
        this.last = nanos.getAsLong();
    }

    /** Takes one token if there is one. */
    boolean tryTake() {
        refill();
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }

    /** Nanoseconds until the next token is due (0 when one is there). */
    long nanosUntilToken() {
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
