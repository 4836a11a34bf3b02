package org.limes.gateway.sink.centre;

import java.time.Instant;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.limes.gateway.rules.Alert;
import org.limes.gateway.rules.AlertJson;
import org.limes.gateway.rules.AlertState;

/** The numbered alerts the centre sinks' contract tests send, and how to tell them apart at the centre. */
final class ContractAlerts {

    private static final Pattern NUMBER = Pattern.compile("contract-(\\d+)");

    private ContractAlerts() {
    }

    /** Canonical alert JSON (an outbox record) for device {@code contract-<n>}. */
    static byte[] record(int n) {
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
    static byte[] unreadable() {
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
