package org.limes.gateway.outbox;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared index of one outbox: its segments in sequence order, the bytes they hold, and
 * the three positions every side agrees on — the next sequence number to hand out, the end
 * of what is durable, and the end of what the destination acknowledged
 * ({@code acked <= durable <= next}).
 *
 * <p>Threading: guarded by the {@link Outbox}'s lock; every method but {@link #durableSeq()}
 * and {@link #ackedSeq()} must be called holding it. Those two are volatile so that gauges
 * and the sink may read them lock-free; they are written only under the lock. Segments are
 * added at the end by the committer and removed from the front (acknowledged or evicted), so
 * the segment being written is never removed.
 */
final class SegmentLog {

    private static final Logger LOG = LoggerFactory.getLogger(SegmentLog.class);

    private final String destination;
    private final OutboxMetrics metrics;
    private final ArrayDeque<Segment> segments;
    private Segment writing;
    private long bytes;
    private long nextSeq;
    private volatile long durableSeq;
    private volatile long ackedSeq;

    SegmentLog(String destination, OutboxMetrics metrics, OutboxRecovery.Recovered recovered) {
        this.destination = destination;
        this.metrics = metrics;
        this.segments = new ArrayDeque<>(recovered.segments());
        this.writing = segments.peekLast();
        for (Segment s : segments) {
            bytes += s.bytes;
        }
        this.nextSeq = recovered.nextSeq();
        this.durableSeq = recovered.nextSeq();
        this.ackedSeq = recovered.ackedSeq();
    }

    long nextSeq() {
        return nextSeq;
    }

    /** Hands out the next sequence number. */
    long claimSeq() {
        return nextSeq++;
    }

    long durableSeq() {
        return durableSeq;
    }

    void durable(long uptoExclusive) {
        durableSeq = uptoExclusive;
    }

    long ackedSeq() {
        return ackedSeq;
    }

    void acked(long uptoExclusive) {
        ackedSeq = uptoExclusive;
    }

    /** Valid bytes in all segments. */
    long bytes() {
        return bytes;
    }

    int size() {
        return segments.size();
    }

    /** The segment being written, null before the first. */
    Segment writing() {
        return writing;
    }

    /** Adds {@code s} at the end as the segment now being written. */
    void startSegment(Segment s) {
        segments.addLast(s);
        writing = s;
    }

    /** Counts a synced write of {@code n} bytes and {@code records} records to {@code s}. */
    void grew(Segment s, int n, int records, long lastTime) {
        s.bytes += n;
        s.records += records;
        s.lastTime = lastTime;
        bytes += n;
    }

    /** The newest segment whose base is at most {@code seq}, or null when all start above it. */
    Segment holding(long seq) {
        Segment holder = null;
        for (Segment s : segments) {
            if (s.base <= seq) {
                holder = s;
            } else {
                break;
            }
        }
        return holder;
    }

    Segment first() {
        return segments.peekFirst();
    }

    /**
     * The segment after {@code s} by sequence number. By number, not by place in the log: the
     * segment the reader is on may already have been removed (deleted as acknowledged, or
     * evicted) while its open channel still reads, and the reader must still find its
     * successor rather than take itself for the log's end.
     */
    Segment after(Segment s) {
        for (Segment candidate : segments) {
            if (candidate.base > s.base) {
                return candidate;
            }
        }
        return null;
    }

    /**
     * Removes the segments whose records are all below {@code acked}, except the one being
     * written; the caller deletes their files after releasing the lock.
     */
    List<Segment> removeAcknowledged(long acked) {
        List<Segment> removed = new ArrayList<>();
        while (segments.size() > 1) {
            Segment oldest = segments.peekFirst();
            if (second().base > acked || oldest == writing) {
                break;
            }
            segments.pollFirst();
            bytes -= oldest.bytes;
            removed.add(oldest);
        }
        return removed;
    }

    /** Whether the oldest segment, not being written, holds only records older than {@code maxAgeMs}. */
    boolean oldestExpired(long nowMs, long maxAgeMs) {
        return segments.size() > 1 && segments.peekFirst() != writing
                && nowMs - segments.peekFirst().lastTime > maxAgeMs;
    }

    /**
     * Evicts the oldest segment if it is not the one being written: deletes its file, moves
     * the acknowledged position past it, counts and logs the undelivered records lost. The
     * caller signals the space freed.
     *
     * @param why the limit reached, for the log
     * @return the unacknowledged records lost (0 or more), or -1 when nothing can be evicted
     */
    long evictOldest(String why) {
        if (segments.size() < 2) {
            return -1;
        }
        Segment oldest = segments.peekFirst();
        if (oldest == writing) {
            return -1;
        }
        Segment next = second();
        long lostFrom = Math.max(oldest.base, ackedSeq);
        long lost = Math.max(0, next.base - lostFrom);
        segments.pollFirst();
        bytes -= oldest.bytes;
        if (ackedSeq < next.base) {
            ackedSeq = next.base;
        }
        try {
            Files.deleteIfExists(oldest.path);
        } catch (IOException e) {
            LOG.warn("outbox {}: could not delete evicted segment {}: {}", destination, oldest.path, e.toString());
        }
        if (lost > 0) {
            metrics.evicted(lost);
            LOG.error("outbox {} reached {}: evicted its oldest segment, {} undelivered records lost (seq {}..{})",
                    destination, why, lost, lostFrom, next.base - 1);
        }
        return lost;
    }

    private Segment second() {
        Iterator<Segment> it = segments.iterator();
        it.next();
        return it.next();
    }
}
