package org.limes.gateway.outbox;

/**
 * Size limits of one destination's queue.
 *
 * @param maxBytes       the queue's size on disk; beyond it the oldest segment is evicted
 * @param segmentBytes   size at which a new segment file is started; at most a quarter of
 *                       {@code maxBytes}, so that eviction always has a whole old segment
 * @param bufferBytes    the in-memory write buffer between two group commits
 * @param maxRecordBytes the largest single record
 */
public record OutboxLimits(long maxBytes, long segmentBytes, int bufferBytes, int maxRecordBytes) {

    public OutboxLimits {
        if (segmentBytes <= 0 || segmentBytes > maxBytes / 4) {
            throw new IllegalArgumentException("segment_bytes must be 1.." + (maxBytes / 4)
                    + " (a quarter of max_bytes), got " + segmentBytes);
        }
        if (maxRecordBytes <= 0 || bufferBytes < maxRecordBytes + RecordCodec.HEADER_BYTES) {
            throw new IllegalArgumentException("buffer_bytes must hold at least one record of max_record_bytes "
                    + maxRecordBytes + ", got " + bufferBytes);
        }
    }

    public static OutboxLimits defaults() {
        return new OutboxLimits(1L << 30, 64L << 20, 4 << 20, 1 << 20);
    }
}
