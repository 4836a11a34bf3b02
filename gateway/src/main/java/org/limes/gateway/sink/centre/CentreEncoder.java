package org.limes.gateway.sink.centre;

import java.io.IOException;
import org.limes.gateway.outbox.OutboxRecord;
import org.limes.gateway.rules.Alert;
import org.limes.gateway.rules.AlertJson;
import org.limes.gateway.sink.Undeliverable;
import org.limes.gateway.sink.centre.format.AlertFormat;

/**
 * Turns a centre's outbox record (canonical alert JSON) into the message its format asks
 * for. A record that is not an alert, or cannot be read or written as one, can never be
 * delivered: it is reported as {@link Undeliverable} (reason {@code undecodable}), which the
 * sink's drainer sets aside in the centre's dead-letter file and counts
 * ({@code limes.dropped{reason=undecodable}}), so the alerts behind it flow on. Sink thread only.
 */
final class CentreEncoder {

    private final String centre;
    private final AlertFormat format;

    CentreEncoder(String centre, AlertFormat format) {
        this.centre = centre;
        this.format = format;
    }

    AlertFormat format() {
        return format;
    }

    /** The alert in the record. */
    Alert decode(OutboxRecord r) throws Undeliverable {
        if (r.type() != OutboxRecord.ALERT) {
            return drop(r, "record type " + OutboxRecord.typeName(r.type()) + " is not an alert", null);
        }
        try {
            return AlertJson.decode(r.payload());
        } catch (IOException | RuntimeException e) {
            return drop(r, "not a readable alert: " + e.getMessage(), e);
        }
    }

    /** The message for the record. */
    byte[] encode(OutboxRecord r) throws Undeliverable {
        Alert a = decode(r);
        try {
            return format.encode(a, r.payload());
        } catch (RuntimeException e) {
            return drop(r, "cannot be written as " + format.name() + ": " + e.getMessage(), e);
        }
    }

    private <T> T drop(OutboxRecord r, String why, Exception e) throws Undeliverable {
        throw new Undeliverable("undecodable", why, e);
    }
}
