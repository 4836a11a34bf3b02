package org.limes.gateway.sink.centre;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.limes.gateway.outbox.OutboxRecord;
import org.limes.gateway.pipeline.LogLimiter;
import org.limes.gateway.rules.Alert;
import org.limes.gateway.rules.AlertJson;
import org.limes.gateway.sink.SinkMetrics;
import org.limes.gateway.sink.centre.format.AlertFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a centre's outbox record (canonical alert JSON) into the message its format asks
 * for. A record that is not an alert, or cannot be read as one, can never be delivered: it
 * is counted ({@code limes.dropped{reason=undecodable}}), logged at most once a minute, and
 * skipped, so the alerts behind it flow on. Sink thread only.
 */
final class CentreEncoder {

    private static final Logger LOG = LoggerFactory.getLogger(CentreEncoder.class);

    private final String centre;
    private final AlertFormat format;
    private final SinkMetrics metrics;
    private final LogLimiter logLimiter = new LogLimiter(TimeUnit.MINUTES.toNanos(1), 16);

    CentreEncoder(String centre, AlertFormat format, SinkMetrics metrics) {
        this.centre = centre;
        this.format = format;
        this.metrics = metrics;
    }

    AlertFormat format() {
        return format;
    }

    /** The alert in the record, or null when the record was dropped as undeliverable. */
    Alert decode(OutboxRecord r) {
        if (r.type() != OutboxRecord.ALERT) {
            return drop(r, "record type " + OutboxRecord.typeName(r.type()) + " is not an alert", null);
        }
        try {
            return AlertJson.decode(r.payload());
        } catch (IOException | RuntimeException e) {
            return drop(r, "not a readable alert: " + e.getMessage(), e);
        }
    }

    /** The message for the record, or null when the record was dropped as undeliverable. */
    byte[] encode(OutboxRecord r) {
        Alert a = decode(r);
        if (a == null) {
            return null;
        }
        try {
            return format.encode(a);
        } catch (RuntimeException e) {
            return drop(r, "cannot be written as " + format.name() + ": " + e.getMessage(), e);
        }
    }

    private <T> T drop(OutboxRecord r, String why, Exception e) {
        metrics.dropped("undecodable", 1);
        if (logLimiter.allow("undecodable", System.nanoTime())) {
            LOG.error("centre {}: outbox record {} dropped, {} (logged at most once a minute)", centre, r.seq(), why,
                    e);
        }
        return null;
    }
}
