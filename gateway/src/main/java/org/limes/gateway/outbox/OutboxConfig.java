package org.limes.gateway.outbox;

import org.limes.gateway.config.Require;

/**
 * {@code outbox:} — limits of every destination's durable queue and the group commit.
 *
 * @param maxBytes       size of each destination's queue on disk (default 1 GiB)
 * @param segmentBytes   segment file size (default 64 MiB, at most max_bytes / 4)
 * @param bufferBytes    write buffer per destination between group commits (default 4 MiB)
 * @param maxRecordBytes largest record (default 1 MiB)
 * @param syncIntervalMs group commit period (default 5 ms)
 */
public record OutboxConfig(Long maxBytes, Long segmentBytes, Integer bufferBytes, Integer maxRecordBytes,
        Integer syncIntervalMs) {

    public OutboxConfig {
        maxBytes = Require.range("max_bytes", maxBytes, 1L << 30, 64 * 1024, Long.MAX_VALUE);
        segmentBytes = Require.range("segment_bytes", segmentBytes, Math.min(64L << 20, maxBytes / 4), 4096,
                maxBytes / 4);
        maxRecordBytes = (int) Require.range("max_record_bytes", maxRecordBytes, 1 << 20, 256, 64 << 20);
        bufferBytes = (int) Require.range("buffer_bytes", bufferBytes, Math.max(4 << 20, 2 * maxRecordBytes),
                maxRecordBytes + 64L, 1L << 30);
        syncIntervalMs = (int) Require.range("sync_interval_ms", syncIntervalMs, 5, 1, 10_000);
    }

    public static OutboxConfig defaults() {
        return new OutboxConfig(null, null, null, null, null);
    }

    public OutboxLimits limits() {
        return new OutboxLimits(maxBytes, segmentBytes, bufferBytes, maxRecordBytes);
    }
}
