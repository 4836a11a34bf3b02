package org.limes.gateway.outbox;

import org.limes.gateway.config.Require;

/**
 * {@code outbox:} — limits of every destination's durable queue and the group commit.
 * Each destination has an alert log and a reading log; {@code alert_share_pct} of
 * {@code max_bytes} is the alert log's, reserved: alerts are never evicted for readings.
 *
 * @param maxBytes        size of each destination's queue on disk, both logs (default 1 GiB)
 * @param segmentBytes    segment file size (default 64 MiB; capped at a quarter of each log)
 * @param bufferBytes     write buffer per log between group commits (default 4 MiB)
 * @param maxRecordBytes  largest record (default 1 MiB)
 * @param syncIntervalMs  group commit period (default 5 ms)
 * @param alertSharePct   the alert log's share of max_bytes, percent (default 25)
 * @param maxAgeS         readings older than this are evicted, seconds (default 7 days; 0 = no limit)
 * @param drainRatePerS   readings per second a sink may take from its backlog (default 0 = unlimited)
 * @param readyMaxAgeS    {@code /ready} fails when a destination's oldest unacknowledged record is
 *                        older than this, seconds (default 300)
 */
public record OutboxConfig(Long maxBytes, Long segmentBytes, Integer bufferBytes, Integer maxRecordBytes,
        Integer syncIntervalMs, Integer alertSharePct, Long maxAgeS, Double drainRatePerS, Long readyMaxAgeS) {

    public OutboxConfig {
        maxBytes = Require.range("max_bytes", maxBytes, 1L << 30, 256 * 1024, Long.MAX_VALUE);
        alertSharePct = (int) Require.range("alert_share_pct", alertSharePct, 25, 5, 95);
        long smallestLog = Math.min(alertBytes(maxBytes, alertSharePct), maxBytes - alertBytes(maxBytes,
                alertSharePct));
        // A quarter of the smaller log at most, so that eviction always has a whole old segment.
        segmentBytes = Require.range("segment_bytes", segmentBytes, Math.min(64L << 20, smallestLog / 4), 4096,
                smallestLog / 4);
        maxRecordBytes = (int) Require.range("max_record_bytes", maxRecordBytes, 1 << 20, 256, 64 << 20);
        bufferBytes = (int) Require.range("buffer_bytes", bufferBytes, Math.max(4 << 20, 2 * maxRecordBytes),
                maxRecordBytes + 64L, 1L << 30);
        syncIntervalMs = (int) Require.range("sync_interval_ms", syncIntervalMs, 5, 1, 10_000);
        maxAgeS = Require.range("max_age_s", maxAgeS, 7 * 24 * 3600L, 0, 365 * 24 * 3600L);
        drainRatePerS = drainRatePerS == null ? 0.0 : drainRatePerS;
        if (drainRatePerS < 0 || drainRatePerS.isNaN() || drainRatePerS.isInfinite()) {
            throw new IllegalArgumentException("drain_rate_per_s must be 0 (unlimited) or above, got " + drainRatePerS);
        }
        readyMaxAgeS = Require.range("ready_max_age_s", readyMaxAgeS, 300, 1, 365 * 24 * 3600L);
    }

    public static OutboxConfig defaults() {
        return new OutboxConfig(null, null, null, null, null, null, null, null, null);
    }

    private static long alertBytes(long maxBytes, int sharePct) {
        return maxBytes * sharePct / 100;
    }

    /** Limits of a destination's alert log. */
    public OutboxLimits alertLimits() {
        return limitsFor(alertBytes(maxBytes, alertSharePct));
    }

    /** Limits of a destination's reading log. */
    public OutboxLimits readingLimits() {
        return limitsFor(maxBytes - alertBytes(maxBytes, alertSharePct));
    }

    private OutboxLimits limitsFor(long logBytes) {
        return new OutboxLimits(logBytes, Math.min(segmentBytes, logBytes / 4), bufferBytes, maxRecordBytes);
    }
}
