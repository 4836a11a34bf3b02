package org.limes.gateway.sink.centre;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.limes.gateway.outbox.OutboxRecord;
import org.limes.gateway.rules.Alert;
import org.limes.gateway.rules.AlertJson;
import org.limes.gateway.rules.AlertState;
import org.limes.gateway.sink.SinkContractTest;

/**
 * The sink contract for a centre: what every centre's contract test sends (numbered alerts, and
 * one no format can read) and how it tells them apart at the centre. A subclass starts the real
 * centre and its sink, and calls {@link #took} with each message the centre received.
 */
abstract class CentreContractTest extends SinkContractTest {

    private static final Pattern NUMBER = Pattern.compile("contract-(\\d+)");

    private final List<Integer> taken = new CopyOnWriteArrayList<>();

    /** Notes that the centre received {@code message}. */
    protected final void took(String message) {
        taken.add(number(message));
    }

    @Override
    protected final byte recordType() {
        return OutboxRecord.ALERT;
    }

    @Override
    protected final byte[] record(int n) {
        return alert(n);
    }

    @Override
    protected final byte[] undeliverable() {
        return unreadableAlert();
    }

    @Override
    protected final List<Integer> received() {
        return List.copyOf(taken);
    }

    /** Canonical alert JSON (an outbox record) for device {@code contract-<n>}. */
    static byte[] alert(int n) {
        Instant raised = Instant.parse("2026-12-05T07:30:00Z").plusSeconds(n);
        Alert a = Alert.builder()
                .alertId("queue-surge/contract-" + n + "/" + raised.toEpochMilli())
                .rule("queue-surge")
                .state(AlertState.RAISED)
                .severity("critical")
                .site("ras-ajdir")
                .device("contract-" + n)
                .subject("contract-" + n)
                .kind("vehicle_count")
                .field("count_total")
                .value(64.0)
                .threshold(40.0)
                .firstSeen(raised)
                .lastSeen(raised)
                .raisedAt(raised)
                .at(raised)
                .tags(Map.of("lat", "32.88", "lon", "11.55"))
                .build();
        return AlertJson.encode(a, "ras-ajdir-gw");
    }

    /** An alert record no format can read: set aside as undecodable. */
    static byte[] unreadableAlert() {
        return "{not an alert".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The number of the alert a message at the centre carries. */
    static int number(String message) {
        Matcher m = NUMBER.matcher(message);
        if (!m.find()) {
            throw new AssertionError("no contract alert in " + message);
        }
        return Integer.parseInt(m.group(1));
    }
}
