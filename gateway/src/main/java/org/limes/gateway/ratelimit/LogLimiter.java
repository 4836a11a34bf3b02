package org.limes.gateway.ratelimit;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Decides whether a problem with a given key (a device or an origin, with the source that
 * saw it) may be logged now: at most once per key per interval. Keys live in an LRU map of bounded size; when it is
 * full the least recently logged key is forgotten (it may then log again early), and
 * those evictions are counted. Thread-safe.
 */
public final class LogLimiter {

    private final long intervalNanos;
    private final int maxKeys;
    private final LinkedHashMap<String, Long> lastLogged;
    private long evictions;

    public LogLimiter(long intervalNanos, int maxKeys) {
        this.intervalNanos = intervalNanos;
        this.maxKeys = maxKeys;
        this.lastLogged = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
                boolean full = size() > LogLimiter.this.maxKeys;
                if (full) {
                    evictions++;
                }
                return full;
            }
        };
    }

    /** True when {@code key} has not been logged within the interval; records it as logged. */
    public synchronized boolean allow(String key, long nowNanos) {
        Long last = lastLogged.get(key);
        if (last != null && nowNanos - last < intervalNanos) {
            return false;
        }
        lastLogged.put(key, nowNanos);
        return true;
    }

    /**
     * As {@link #allow(String, long)} for a problem {@code key} (a peer address, a device) seen
     * by {@code source}: the same peer's faults on two sources (its TCP and its UDP stream) are
     * limited apart, so one never silences the other.
     */
    public boolean allow(String source, String key, long nowNanos) {
        return allow(source + '\u0000' + key, nowNanos);
    }

    public synchronized long evictions() {
        return evictions;
    }
}
