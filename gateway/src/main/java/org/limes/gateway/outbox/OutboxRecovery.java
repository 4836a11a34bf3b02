package org.limes.gateway.outbox;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds an outbox from whatever a crash left in its directory: lists the segments, reads
 * each one record by record (through a read-ahead {@link SegmentWindow}) to count what is
 * valid, and reads the acknowledged position.
 *
 * <p>A torn or corrupt record (see {@link RecordCodec}) ends a segment's valid part: it is
 * counted ({@code error_type=corrupt_record}) and logged, and the queue opens anyway with the
 * records before it. In the last segment — the one a crash interrupted — the invalid tail is
 * cut off the file, so that new records are appended right after the last valid one; in an
 * older segment the file is left as it is and only its valid part is counted.
 *
 * <p>The positions: records are numbered on from the end of the last segment (or from the
 * acknowledged position if it is further, as after all segments were deleted); the
 * acknowledged position is never below the oldest segment, since nothing below it exists.
 * Everything recovered is durable.
 *
 * <p>Threading: runs once, in {@link Outbox#open}, before any other thread sees the outbox.
 */
final class OutboxRecovery {

    private static final Logger LOG = LoggerFactory.getLogger(OutboxRecovery.class);

    /**
     * What is on disk: the valid segments in order, the next sequence number, the
     * acknowledged position to resume from, and the position the {@code ack} file holds (-1
     * when none).
     */
    record Recovered(List<Segment> segments, long nextSeq, long ackedSeq, long persistedAck) {
    }

    private final String destination;
    private final Path dir;
    private final int maxRecordBytes;
    private final OutboxMetrics metrics;

    OutboxRecovery(String destination, Path dir, int maxRecordBytes, OutboxMetrics metrics) {
        this.destination = destination;
        this.dir = dir;
        this.maxRecordBytes = maxRecordBytes;
        this.metrics = metrics;
    }

    Recovered recover(AckFile ackFile) throws IOException {
        List<Path> files = Segment.list(dir);
        long acked = ackFile.read();
        List<Segment> segments = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            Path p = files.get(i);
            Segment s = new Segment(Segment.parseBase(p), p);
            scan(s, i == files.size() - 1);
            segments.add(s);
        }
        Segment last = segments.isEmpty() ? null : segments.get(segments.size() - 1);
        long nextSeq = last == null ? Math.max(acked, 0) : Math.max(last.endSeq(), acked);
        long ackedSeq = Math.max(acked, segments.isEmpty() ? nextSeq : segments.get(0).base);
        if (ackedSeq > nextSeq) {
            ackedSeq = nextSeq;
        }
        if (!segments.isEmpty()) {
            LOG.info("outbox {}: recovered {} segments, {} records pending delivery", destination, segments.size(),
                    nextSeq - ackedSeq);
        }
        return new Recovered(List.copyOf(segments), nextSeq, ackedSeq, acked);
    }

    /** Counts the valid records of a segment; cuts a torn or corrupt tail off the last one. */
    void scan(Segment s, boolean isLast) throws IOException {
        try (FileChannel ch = FileChannel.open(s.path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            long pos = 0;
            long records = 0;
            String fault = null;
            // Through the sinks' read-ahead window: one pread for many records, not two per record.
            SegmentWindow window = new SegmentWindow(OutboxReader.WINDOW_BYTES);
            window.over(ch);
            while (pos < size) {
                RecordCodec.Decoded d = RecordCodec.read(window, pos, size, maxRecordBytes);
                if (!d.valid()) {
                    fault = switch (d.fault()) {
                        case TORN_HEADER -> "torn header";
                        case BAD_LENGTH -> "torn or bad length " + d.header().length();
                        case CHECKSUM_MISMATCH -> "checksum mismatch";
                    };
                    break;
                }
                pos += d.header().recordBytes();
                records++;
                s.lastTime = d.header().time();
            }
            s.records = records;
            s.bytes = pos;
            if (fault != null) {
                metrics.corrupt(1);
                LOG.warn("outbox {}: {} at byte {} of {} ({} bytes cut); {} valid records kept", destination, fault,
                        pos, s.path.getFileName(), size - pos, records);
                if (isLast) {
                    ch.truncate(pos);
                    ch.force(true);
                }
            }
        }
    }
}
