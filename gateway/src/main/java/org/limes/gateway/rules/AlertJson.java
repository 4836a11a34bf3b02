package org.limes.gateway.rules;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The canonical JSON form of an alert transition: what the outbox stores for a centre,
 * what a {@code format: json} centre receives, and what the persisted alert state holds.
 *
 * <pre>{@code
 * {"event_id":"ras-ajdir-gw/queue-surge/cnt-01/1764136800000:raised","alert_id":"ras-ajdir-gw/queue-surge/cnt-01/1764136800000",
 *  "rule":"queue-surge","state":"raised","severity":"warning","site":"ras-ajdir","device":"cnt-01",
 *  "subject":{"kind":"device","id":"cnt-01"},
 *  "kind":"vehicle_count","field":"count_total","value":64.0,"threshold":40.0,
 *  "first_seen":"2026-11-26T05:59:00Z","last_seen":"2026-11-26T06:00:00Z",
 *  "raised_at":"2026-11-26T06:00:00Z","at":"2026-11-26T06:00:00Z","gateway":"ras-ajdir-gw",
 *  "location":{"lat":32.8841,"lon":11.5561},"tags":{"direction":"inbound","lane":"1"}}
 * }</pre>
 *
 * {@code reason} is present only on a clear that its condition did not cause
 * ({@code rule_removed}, {@code subject_removed}); {@code location} only when the device
 * has one. Thread-safe.
 */
public final class AlertJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private AlertJson() {
    }

    public static byte[] encode(Alert a, String gateway) {
        try {
            return MAPPER.writeValueAsBytes(node(a, gateway));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("alert " + a.eventId() + " cannot be written as JSON", e);
        }
    }

    /** A JSON array of alerts, for the persisted state. */
    public static byte[] encodeAll(List<Alert> alerts, String gateway) {
        ArrayNode array = MAPPER.createArrayNode();
        for (Alert a : alerts) {
            array.add(node(a, gateway));
        }
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(array);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("alert state cannot be written as JSON", e);
        }
    }

    private static ObjectNode node(Alert a, String gateway) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("event_id", a.eventId());
        n.put("alert_id", a.alertId());
        n.put("rule", a.rule());
        n.put("state", a.state().label());
        n.put("severity", a.severity());
        n.put("site", a.site());
        n.put("device", a.device());
        ObjectNode subject = n.putObject("subject");
        subject.put("kind", a.subjectKind());
        subject.put("id", a.subject());
        n.put("kind", a.kind());
        n.put("field", a.field());
        n.put("value", a.value());
        n.put("threshold", a.threshold());
        n.put("first_seen", a.firstSeen().toString());
        n.put("last_seen", a.lastSeen().toString());
        n.put("raised_at", a.raisedAt().toString());
        n.put("at", a.at().toString());
        if (a.reason() != null) {
            n.put("reason", a.reason());
        }
        n.put("gateway", gateway);
        String lat = a.tags().get("lat");
        String lon = a.tags().get("lon");
        if (lat != null && lon != null) {
            try {
                ObjectNode location = n.putObject("location");
                location.put("lat", Double.parseDouble(lat));
                location.put("lon", Double.parseDouble(lon));
            } catch (NumberFormatException e) {
                n.remove("location");
            }
        }
        ObjectNode tags = n.putObject("tags");
        a.tags().forEach(tags::put);
        return n;
    }

    public static Alert decode(byte[] json) throws IOException {
        return decode(MAPPER.readTree(json));
    }

    /** The alerts of a JSON array written by {@link #encodeAll}. */
    public static List<Alert> decodeAll(byte[] json) throws IOException {
        JsonNode array = MAPPER.readTree(json);
        if (array == null || !array.isArray()) {
            throw new IOException("expected a JSON array of alerts");
        }
        List<Alert> alerts = new ArrayList<>(array.size());
        for (JsonNode n : array) {
            alerts.add(decode(n));
        }
        return alerts;
    }

    private static Alert decode(JsonNode n) throws IOException {
        try {
            Map<String, String> tags = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = n.path("tags").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                tags.put(e.getKey(), e.getValue().asText());
            }
            String device = n.path("device").asText();
            JsonNode subject = n.path("subject");
            return Alert.builder().alertId(n.path("alert_id").asText()).rule(n.path("rule").asText())
                    .state(AlertState.valueOf(n.path("state").asText().toUpperCase(Locale.ROOT)))
                    .severity(n.path("severity").asText()).site(n.path("site").asText()).device(device)
                    .subjectKind(subject.path("kind").asText(Alert.DEVICE)).subject(subject.path("id").asText(device))
                    .kind(n.path("kind").asText()).field(n.path("field").asText()).value(n.path("value").asDouble())
                    .threshold(n.path("threshold").asDouble())
                    .firstSeen(instant(n, "first_seen")).lastSeen(instant(n, "last_seen"))
                    .raisedAt(Instant.parse(n.path("raised_at").asText())).at(Instant.parse(n.path("at").asText()))
                    .reason(n.hasNonNull("reason") ? n.get("reason").asText() : null).tags(tags).build();
        } catch (RuntimeException e) {
            throw new IOException("not an alert: " + e.getMessage(), e);
        }
    }

    private static Instant instant(JsonNode n, String key) {
        return n.hasNonNull(key) ? Instant.parse(n.get(key).asText()) : null;
    }
}
