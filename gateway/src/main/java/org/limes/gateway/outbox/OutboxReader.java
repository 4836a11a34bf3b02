package org.limes.gateway.outbox;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sink's side of one outbox: its read position (a sequence number, and where that
 * record is: segment, open channel, byte) and the reading of durable records from there.
 *
 * <p>The position runs ahead of the acknowledged one: records read are handed to the sink
 * and stay in the queue until acknowledged; {@link #rewind} goes back to the first
 * unacknowledged record so they are read again. Reading never goes past the durable
 * position it is given. A record that fails its checks ({@link RecordCodec}) loses the rest
 * of its segment: those records are counted as corrupt and reading goes on with the next
 * segment, so one bad sector never stops a destination.
 *
 * <p>Records are read through a read-ahead window ({@link SegmentWindow}, {@value #WINDOW_BYTES}
 * bytes): one system call for many records.
 *
 * <p>Threading: sink thread only. {@link #skipAcknowledged} is called by the outbox under its
 * lock from the sink thread too; the reader takes the lock itself, briefly, to look segments
 * up in the {@link SegmentLog}. The segment being read may be deleted or evicted under it: its
 * open channel still reads, and its successor is found by sequence number.
 */
final class OutboxReader {

    private static final Logger LOG = LoggerFactory.getLogger(OutboxReader.class);

    /** Bytes one read-ahead fetches from the segment being read ({@link SegmentWindow}). */
    static final int WINDOW_BYTES = 64 * 1024;

    private final String destination;
    private final int maxRecordBytes;
    private final OutboxMetrics metrics;
    private final ReentrantLock lock;
    private final SegmentLog log;

    private long lastLostPositionLog;
    private long readSeq;
    private Segment readSegment;
    private FileChannel readChannel;
    private long readPos;
    private final SegmentWindow window = new SegmentWindow(WINDOW_BYTES);

    OutboxReader(String destination, int maxRecordBytes, OutboxMetrics metrics, ReentrantLock lock, SegmentLog log,
            long startSeq) {
        this.destination = destination;
        this.maxRecordBytes = maxRecordBytes;
        this.metrics = metrics;
        this.lock = lock;
        this.log = log;
        this.readSeq = startSeq;
    }

    /** The sequence number the next record read will have. */
    long position() {
        return readSeq;
    }

    /** Moves the position up to {@code acked} if it is below (records evicted under the reader). */
    void skipAcknowledged(long acked) {
        if (readSeq < acked) {
            readSeq = acked;
            readSegment = null;
        }
    }

    /** Goes back to {@code acked}, the first unacknowledged record. */
    void rewind(long acked) {
        readSeq = acked;
        readSegment = null;
    }

    /** Reads on from the position: at most {@code maxRecords}, stopping once {@code maxBytes} are reached. */
    List<OutboxRecord> read(int maxRecords, int maxBytes, long durableSeq) throws IOException {
        List<OutboxRecord> out = new ArrayList<>();
        long bytes = 0;
        while (readSeq < durableSeq && out.size() < maxRecords && bytes < maxBytes) {
            OutboxRecord r = readNext(durableSeq);
            if (r == null) {
                break;
            }
            out.add(r);
            bytes += r.payload().length;
        }
        return out;
    }

    private OutboxRecord readNext(long limit) throws IOException {
        while (true) {
            if (readSegment == null || readChannel == null) {
                if (!positionReader(readSeq)) {
                    return null;
                }
            }
            long segmentEnd;
            Segment following;
            lock.lock();
            try {
                segmentEnd = readSegment.bytes;
                following = log.after(readSegment);
            } finally {
                lock.unlock();
            }
            if (readPos >= segmentEnd || readSeq >= readSegment.endSeq()) {
                if (following == null) {
                    if (readSeq < limit) {
                        lostPosition(segmentEnd, limit);
                    }
                    return null;
                }
                readSeq = Math.max(readSeq, following.base);
                openReader(following);
                continue;
            }
            if (readSeq >= limit) {
                return null;
            }
            RecordCodec.Decoded d = RecordCodec.read(window, readPos, segmentEnd, maxRecordBytes);
            if (!d.valid()) {
                skipCorrupt(switch (d.fault()) {
                    case TORN_HEADER -> "torn header";
                    case BAD_LENGTH -> "bad length " + d.header().length();
                    case CHECKSUM_MISMATCH -> "checksum mismatch";
                }, following);
                continue;
            }
            OutboxRecord r = new OutboxRecord(readSeq, d.header().type(), d.header().time(), d.payload());
            readSeq++;
            readPos += d.header().recordBytes();
            return r;
        }
    }

    /**
     * The reader is at the end of what it takes for the last segment although records below
     * {@code limit} are durable: its position disagrees with the log. Not expected — the one
     * known cause, a reader whose segment was deleted or evicted under it, is handled by
     * {@link SegmentLog#after} — so this is a safety net for a fault not yet understood:
     * counted ({@code error_type=reader_repositioned}), logged at ERROR (at most every 10 s)
     * with the numbers, and the reader is positioned afresh by sequence number on the next
     * call, so delivery goes on after one empty poll instead of stalling the destination.
     */
    private void lostPosition(long segmentEnd, long limit) {
        long now = System.nanoTime();
        if (now - lastLostPositionLog > TimeUnit.SECONDS.toNanos(10)) {
            lastLostPositionLog = now;
            LOG.error("outbox {}: reader at seq {} byte {} found segment {} ending at byte {} with {} records while "
                    + "{} are durable; repositioning (a bug: please report this line)", destination, readSeq, readPos,
                    readSegment.path.getFileName(), segmentEnd, readSegment.records, limit);
        }
        metrics.repositioned();
        readSegment = null;
    }

    private void skipCorrupt(String why, Segment following) throws IOException {
        long lost = readSegment.endSeq() - readSeq;
        metrics.corrupt(Math.max(lost, 1));
        LOG.error("outbox {}: {} in segment {} at byte {}; skipping its remaining {} records",
                destination, why, readSegment.path.getFileName(), readPos, lost);
        if (following == null) {
            readPos = Long.MAX_VALUE;
            readSeq = readSegment.endSeq();
            return;
        }
        readSeq = following.base;
        openReader(following);
    }

    /** Opens the segment holding {@code seq} and skips to it. */
    private boolean positionReader(long seq) throws IOException {
        Segment target;
        lock.lock();
        try {
            target = log.holding(seq);
            if (target == null) {
                target = log.first();
            }
        } finally {
            lock.unlock();
        }
        if (target == null) {
            return false;
        }
        openReader(target);
        if (readSeq < target.base) {
            readSeq = target.base;
        }
        for (long s = target.base; s < seq && readPos < target.bytes; s++) {
            readPos += RecordCodec.readHeader(window, readPos, target.bytes).recordBytes();
        }
        return true;
    }

    private void openReader(Segment s) throws IOException {
        // The window never outlives its channel: it would answer for the next segment's bytes.
        window.over(null);
        FileChannel previous = readChannel;
        readChannel = null;
        if (previous != null) {
            previous.close();
        }
        readSegment = s;
        readPos = 0;
        try {
            readChannel = FileChannel.open(s.path, StandardOpenOption.READ);
            window.over(readChannel);
        } catch (NoSuchFileException evicted) {
            readSegment = null;
            throw new IOException("outbox " + destination + ": segment " + s.path + " vanished while reading", evicted);
        }
    }

    /** Closes the open segment, at shutdown. */
    void release() {
        try {
            if (readChannel != null) {
                readChannel.close();
            }
        } catch (IOException e) {
            LOG.warn("outbox {}: closing files failed: {}", destination, e.toString());
        }
    }
}
