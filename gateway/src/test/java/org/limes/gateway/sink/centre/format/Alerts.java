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
        return new Alert("queue-surge/" + device + "/" + RAISED_AT.toEpochMilli(), "queue-surge", AlertState.RAISED, severity, "ras-ajdir", device, "device", device, "vehicle_count", "count_total", 64.0, 40.0, RAISED_AT, RAISED_AT, RAISED_AT, RAISED_AT, null, tags);
    }

    static Alert cleared(String device, String severity, Map<String, String> tags) {
        return new Alert("queue-surge/" + device + "/" + RAISED_AT.toEpochMilli(), "queue-surge", AlertState.CLEARED, severity, "ras-ajdir", device, "device", device, "vehicle_count", "count_total", 18.0, 20.0, RAISED_AT, CLEARED_AT, RAISED_AT, CLEARED_AT, null, tags);
    }
}
