package org.limes.gateway.sink.centre.format;

import java.time.Instant;
import java.util.Map;
import org.limes.gateway.rules.Alert;
import org.limes.gateway.rules.AlertState;

/** Alert transitions for format tests. */
final class Alerts {

    static final Instant RAISED_AT = Instant.parse("2026-11-26T06:30:00.123Z");
    static final Instant CLEARED_AT = Instant.parse("2026-11-26T06:41:07.9Z");
    static final Map<String, String> LOCATED = Map.of("lane", "3", "direction", "inbound", "lat", "32.8843",
            "lon", "11.5563");

    private Alerts() {
    }

    static Alert raised(String device, String severity, Map<String, String> tags) {
        return Alert.builder()
                .alertId("queue-surge/" + device + "/" + RAISED_AT.toEpochMilli())
                .rule("queue-surge")
                .state(AlertState.RAISED)
                .severity(severity)
                .site("ras-ajdir")
                .device(device)
                .subjectKind("device")
                .subject(device)
                .kind("vehicle_count")
                .field("count_total")
                .value(64.0)
                .threshold(40.0)
                .firstSeen(RAISED_AT)
                .lastSeen(RAISED_AT)
                .raisedAt(RAISED_AT)
                .at(RAISED_AT)
                .tags(tags)
                .build();
    }

    static Alert cleared(String device, String severity, Map<String, String> tags) {
        return Alert.builder()
                .alertId("queue-surge/" + device + "/" + RAISED_AT.toEpochMilli())
                .rule("queue-surge")
                .state(AlertState.CLEARED)
                .severity(severity)
                .site("ras-ajdir")
                .device(device)
                .subjectKind("device")
                .subject(device)
                .kind("vehicle_count")
                .field("count_total")
                .value(18.0)
                .threshold(20.0)
                .firstSeen(RAISED_AT)
                .lastSeen(CLEARED_AT)
                .raisedAt(RAISED_AT)
                .at(CLEARED_AT)
                .tags(tags)
                .build();
    }
}
