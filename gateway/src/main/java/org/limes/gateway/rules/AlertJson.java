package org.limes.gateway.rules;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * The canonical JSON form of an alert transition: what the outbox stores for a centre and
 * what a {@code format: json} centre receives.
 *
 * <pre>{@code
 * {"event_id":"queue-surge/cnt-01/1764136800000:raised","alert_id":"queue-surge/cnt-01/1764136800000",
 *  "rule":"queue-surge","state":"raised","severity":"warning","site":"ras-ajdir","device":"cnt-01",
 *  "kind":"vehicle_count","field":"count_total","value":64.0,"threshold":40.0,
 *  "raised_at":"2026-11-26T06:00:00Z","at":"2026-11-26T06:00:00Z","gateway":"ras-ajdir-gw",
 *  "tags":{"direction":"inbound","lane":"1"}}
 * }</pre>
 *
 * Thread-safe.
 */
public final class AlertJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private AlertJson() {
    }

    public static byte[] encode(Alert a, String gateway) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("event_id", a.eventId());
        n.put("alert_id", a.alertId());
        n.put("rule", a.rule());
        n.put("state", a.state().label());
        n.put("severity", a.severity());
        n.put("site", a.site());
        n.put("device", a.device());
        n.put("kind", a.kind());
        n.put("field", a.field());
        n.put("value", a.value());
        n.put("threshold", a.threshold());
        n.put("raised_at", a.raisedAt().toString());
        n.put("at", a.at().toString());
        n.put("gateway", gateway);
        ObjectNode tags = n.putObject("tags");
        a.tags().forEach(tags::put);
        try {
            return MAPPER.writeValueAsBytes(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("alert " + a.eventId() + " cannot be written as JSON", e);
        }
    }

    public static Alert decode(byte[] json) throws IOException {
        JsonNode n = MAPPER.readTree(json);
        Map<String, String> tags = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.path("tags").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            tags.put(e.getKey(), e.getValue().asText());
        }
        return new Alert(n.path("alert_id").asText(), n.path("rule").asText(),
                AlertState.valueOf(n.path("state").asText().toUpperCase(java.util.Locale.ROOT)),
                n.path("severity").asText(), n.path("site").asText(), n.path("device").asText(),
                n.path("kind").asText(), n.path("field").asText(), n.path("value").asDouble(),
                n.path("threshold").asDouble(), Instant.parse(n.path("raised_at").asText()),
                Instant.parse(n.path("at").asText()), tags);
    }
}
