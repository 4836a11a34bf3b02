package org.limes.gateway.rules;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The watchlist passages of every shard: a plate read in a lane within the passage
 * window of its last read is the same passage, whichever camera (device) read it — and
 * two cameras of one lane are two devices that may sit on two pipeline shards, whose rule
 * state is otherwise shard-confined. So this one small table is shared.
 *
 * <p>Each passage is owned by the rule instance that raised it (on its shard's thread): only
 * the owner emits its clear, so the clear goes through the same shard's engine that holds
 * the episode open and persists it. Other shards only extend a passage (last seen, reads).
 *
 * <p>Bounded: at most {@code max} passages per rule; a new passage beyond that evicts the
 * least recently read one. An evicted passage whose window is already over is simply
 * forgotten (its owner clears it on its next tick as usual); any other is marked
 * {@link Passage#evicted}, and its owner clears it with reason {@code evicted}, counts and
 * logs it.
 *
 * <p>Threading: every method is {@code synchronized}. That is cheap here: the table is
 * touched only on a watchlist hit (rare: a listed plate) and on the ticks of shards that
 * own an open passage, never on the hot path of ordinary reads, which stays lock-free in
 * each shard's own rule state.
 */
public final class PassageTable {

    /** A restored passage's last read is unknown: its window starts at its owner's first tick. */
    static final long UNKNOWN = Long.MIN_VALUE;

    private final Map<String, LinkedHashMap<String, Passage>> byRule = new HashMap<>();

    /**
     * A read of a listed plate at gateway time {@code nowMs}: extends the passage of
     * {@code key} when its last read is less than {@code windowMs} ago, and returns null;
     * otherwise starts a new passage and returns it: the caller raises it and owns it.
     */
    public synchronized Passage admit(String rule, int max, String key, long nowMs, long windowMs) {
        LinkedHashMap<String, Passage> passages = byRule.computeIfAbsent(rule, r -> new LinkedHashMap<>(16, 0.75f,
                true));
        Passage p = passages.get(key);
        if (p != null && !p.ended && (p.lastSeenMs == UNKNOWN || nowMs - p.lastSeenMs < windowMs)) {
            p.lastSeenMs = Math.max(p.lastSeenMs, nowMs);
            p.reads++;
            return null;
        }
        if (p != null) {
            p.ended = true;
            passages.remove(key);
        }
        if (passages.size() >= max) {
            Iterator<Passage> eldest = passages.values().iterator();
            Passage old = eldest.next();
            eldest.remove();
            old.ended = true;
            old.evicted = old.lastSeenMs == UNKNOWN || nowMs - old.lastSeenMs < windowMs;
        }
        Passage fresh = new Passage(key, nowMs);
        passages.put(key, fresh);
        return fresh;
    }

    /**
     * Takes over an open passage (a restored or reloaded episode) for the caller: the
     * passage of {@code key} if there is one, else a new one whose window starts at the
     * owner's next tick.
     */
    public synchronized Passage restore(String rule, int max, String key) {
        LinkedHashMap<String, Passage> passages = byRule.computeIfAbsent(rule, r -> new LinkedHashMap<>(16, 0.75f,
                true));
        Passage p = passages.get(key);
        if (p != null && !p.ended) {
            return p;
        }
        if (passages.size() >= max) {
            Iterator<Passage> eldest = passages.values().iterator();
            Passage old = eldest.next();
            eldest.remove();
            old.ended = true;
            old.evicted = true;
        }
        Passage fresh = new Passage(key, UNKNOWN);
        passages.put(key, fresh);
        return fresh;
    }

    /**
     * True when passage {@code p} has ended at gateway time {@code nowMs}: its window ran
     * out without another read (it is then removed), or it was replaced or evicted. A
     * restored passage's window starts now.
     */
    public synchronized boolean ended(String rule, Passage p, long nowMs, long windowMs) {
        if (p.ended) {
            return true;
        }
        if (p.lastSeenMs == UNKNOWN) {
            p.lastSeenMs = nowMs;
            return false;
        }
        if (nowMs - p.lastSeenMs < windowMs) {
            return false;
        }
        p.ended = true;
        LinkedHashMap<String, Passage> passages = byRule.get(rule);
        if (passages != null && passages.get(p.key) == p) {
            passages.remove(p.key);
        }
        return true;
    }

    /**
     * Cluster mode: a passage taken over from the instance that owned its lane before
     * ({@link #restore}d just now) goes on from that instance's last read and read count, so its
     * window ends when it would have there and its clear counts every read.
     */
    public synchronized void carry(Passage p, long lastSeenMs, int reads) {
        if (lastSeenMs != UNKNOWN && (p.lastSeenMs == UNKNOWN || lastSeenMs > p.lastSeenMs)) {
            p.lastSeenMs = lastSeenMs;
        }
        p.reads = Math.max(p.reads, reads);
    }

    /** Reads in passage {@code p} so far. */
    public synchronized int reads(Passage p) {
        return p.reads;
    }

    /** Gateway time of the last read in passage {@code p}; {@link #UNKNOWN} before a restored one's first tick. */
    public synchronized long lastSeenMs(Passage p) {
        return p.lastSeenMs;
    }

    /** True when {@code p} was pushed out by the limit while its window was still open. */
    public synchronized boolean evicted(Passage p) {
        return p.evicted;
    }

    /** Open passages of a rule, for tests and the live view. */
    public synchronized int size(String rule) {
        LinkedHashMap<String, Passage> passages = byRule.get(rule);
        return passages == null ? 0 : passages.size();
    }

    /** One passage of a plate through a lane. Guarded by the table's lock, but {@link #alert}. */
    public static final class Passage {
        final String key;
        long lastSeenMs;
        int reads = 1;
        boolean ended;
        boolean evicted;
        /** The raised episode; written and read only by the owner's thread. */
        Alert alert;

        Passage(String key, long lastSeenMs) {
            this.key = key;
            this.lastSeenMs = lastSeenMs;
        }

    }
}
