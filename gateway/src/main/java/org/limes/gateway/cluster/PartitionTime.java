package org.limes.gateway.cluster;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The time one partition's rules run at in cluster mode: the time the ingesting instance received
 * each frame (its {@link FrameRecord}'s {@code received_s/ns}, a gateway clock stamped before the
 * device was acknowledged), not the moment this instance happens to process it.
 *
 * <p>Why: after a takeover the new owner works through seconds of frames at once (the session
 * timeout, the dead owner's transaction aborted). Judged at processing time, a hold of 10 s that
 * had 9 s behind it when its owner died would start again at the takeover, and a surge that ended
 * within a hold of it would never raise: the backlog compresses time. Judged at receive time, the
 * backlog is replayed as it happened, and a transition replayed on another node gets the same
 * times, so the same payload and stored row.
 *
 * <p>Rule time never goes back: a record is judged at {@code max(rule time, received)}, the
 * receive time capped at this instance's wall clock (another instance's clock may run a little
 * ahead). Ticks (hold times ending, deadman) must not run ahead of the frames still to be
 * processed, so each tick asks Kafka where the partition stands ({@link Offsets}, an answer at
 * most a second old): with records between what this group processed (or committed) and the
 * partition's end, the tick is at the last record's time — no later — and, before any record
 * since {@code init}, skipped ({@link #tick} returns false); with none, the partition is idle up
 * to the moment Kafka answered, and ticks there. A tick at the wall clock in front of a backlog —
 * after a takeover the new owner's first fetch can take seconds, and its catch-up runs slower
 * and faster than real time by turns — would start the backlog's holds late and its surge's end
 * would cancel them. When Kafka cannot say, the lag is taken as unchanged: a tick is at the last
 * record's receive time plus the wall time since it was processed, at the wall clock after
 * {@link #IDLE_MS} of silence, and a partition silent since {@code init} waits {@link #IDLE_MS}.
 * Until the first record or tick, {@link #clock()} reads the wall clock (what the engine is built
 * and takes its state over at).
 *
 * <p>Threading: one per Streams task, used by its one thread.
 */
final class PartitionTime {

    /** Where the partition stands in Kafka, asked at each tick (an Admin request, cached; it may block briefly). */
    interface Offsets {
        /** Offsets never known: the partition is judged by its silence alone. */
        Offsets UNKNOWN = () -> null;

        /** The latest answer, or null when Kafka could not say. */
        Position position();
    }

    /**
     * What Kafka said of the partition at {@code asOfMs} (the wall clock when it answered).
     *
     * @param end       the offset after its last readable record (its last stable offset)
     * @param committed the offset this group committed for it (past any transaction marker); -1 none
     */
    record Position(long end, long committed, long asOfMs) {
    }

    /** Without a record for this long (wall clock), the partition is idle and ticks at the wall clock. */
    static final long IDLE_MS = 3_000;

    private final Clock wall;
    private final Offsets offsets;
    private final long startWallMs;
    private final Clock view = new View();
    private boolean known;
    private long nowMs;
    private boolean heard;
    private long lastRecordMs;
    private long lastRecordWallMs;
    private long lastOffset = -1;
    private int skippedTicks;

    PartitionTime(Clock wall, Offsets offsets) {
        this.wall = wall;
        this.offsets = offsets;
        this.startWallMs = wall.millis();
    }

    /**
     * The rule time to judge the record at {@code offset}, received (by the ingesting instance) at
     * {@code receivedMs}; sets it.
     */
    long record(long receivedMs, long offset) {
        lastOffset = Math.max(lastOffset, offset);
        long w = wall.millis();
        long t = Math.min(receivedMs, w);
        nowMs = known ? Math.max(nowMs, t) : t;
        known = true;
        heard = true;
        lastRecordMs = nowMs;
        lastRecordWallMs = w;
        return nowMs;
    }

    /** Moves the rule time for a tick; false when the tick is to be skipped (see the class comment). */
    boolean tick() {
        boolean run = advance();
        if (!run) {
            skippedTicks++;
        }
        return run;
    }

    private boolean advance() {
        long w = wall.millis();
        Position p = offsets.position();
        long position = p == null ? -1 : Math.max(lastOffset + 1, p.committed());
        long t;
        if (p != null && position >= 0 && position < p.end()) {
            // Frames left to process: the rule time stays at the last one's (none yet: the tick waits).
            return heard;
        } else if (p != null && position >= 0) {
            // Every frame Kafka had when it answered is processed: idle up to that moment.
            t = Math.min(w, p.asOfMs());
        } else if (heard && w - lastRecordWallMs < IDLE_MS) {
            // Kafka cannot say: the lag is taken as unchanged.
            t = Math.min(w, lastRecordMs + (w - lastRecordWallMs));
        } else if (!heard && w - startWallMs < IDLE_MS) {
            return false;
        } else {
            t = w;
        }
        nowMs = known ? Math.max(nowMs, t) : t;
        known = true;
        return true;
    }

    /** True once a record was judged here (since the assignment). */
    boolean heard() {
        return heard;
    }

    /** The wall-clock time this partition was assigned here (this object made). */
    long assignedMs() {
        return startWallMs;
    }

    /** Ticks skipped so far, waiting for the backlog (or for Kafka to say). */
    int skippedTicks() {
        return skippedTicks;
    }

    /** The rule time (the wall clock until the first record or tick). */
    long now() {
        return known ? nowMs : wall.millis();
    }

    /** A clock reading {@link #now()}, for the rules engine. */
    Clock clock() {
        return view;
    }

    private final class View extends Clock {
        @Override
        public long millis() {
            return now();
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(now());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("rule time is UTC");
        }
    }
}
