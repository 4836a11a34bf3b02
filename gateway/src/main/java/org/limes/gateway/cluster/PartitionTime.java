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
 * processed, so a tick is at the last record's receive time plus the wall time since it was
 * processed — the partition's receive time as of now if its lag is unchanged — never past the wall
 * clock. A partition that got no record for {@link #IDLE_MS} may be idle or stalled behind a
 * backlog (right after a takeover, the new owner's first fetch can take seconds on a busy box);
 * Kafka tells which ({@link Offsets}): records between what this group processed or committed and
 * the partition's end are a backlog, and the tick is skipped ({@link #tick} returns false) — a tick
 * at the wall clock would start every hold of the backlog at once and cancel it at the surge's end.
 * Caught up, the partition is idle and ticks at the wall clock. When Kafka cannot say, a partition
 * silent since {@code init} waits {@link #IDLE_MS} before it counts as idle. Until the first
 * record or tick, {@link #clock()} reads the wall clock (what the engine is built and takes its
 * state over at).
 *
 * <p>Threading: one per Streams task, used by its one thread.
 */
final class PartitionTime {

    /**
     * Where the partition stands in Kafka, asked only when it has been silent for {@link #IDLE_MS}.
     * Both may block briefly (an Admin request, cached); -1 when not known.
     */
    interface Offsets {
        /** Offsets with nothing known: the partition is judged by its silence alone. */
        Offsets UNKNOWN = new Offsets() {
            @Override
            public long end() {
                return -1;
            }

            @Override
            public long committed() {
                return -1;
            }
        };

        /** The offset after the partition's last readable record (its last stable offset). */
        long end();

        /** The offset this group committed for the partition (past any transaction marker). */
        long committed();
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
        long w = wall.millis();
        long t;
        if (heard && w - lastRecordWallMs < IDLE_MS) {
            t = Math.min(w, lastRecordMs + (w - lastRecordWallMs));
        } else {
            int backlog = backlog();
            if (backlog > 0 || backlog < 0 && !heard && w - startWallMs < IDLE_MS) {
                return false;
            }
            t = w;
        }
        nowMs = known ? Math.max(nowMs, t) : t;
        known = true;
        return true;
    }

    /** 1 when Kafka holds records of the partition not yet processed here, 0 when not, -1 when it cannot say. */
    private int backlog() {
        long end = offsets.end();
        long position = Math.max(lastOffset + 1, offsets.committed());
        if (end < 0 || position <= 0 && lastOffset < 0) {
            return -1;
        }
        return position < end ? 1 : 0;
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
