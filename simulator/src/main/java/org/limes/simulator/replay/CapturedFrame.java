package org.limes.simulator.replay;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Base64;

/**
 * One line of a capture file: a frame as it was sent, when, and to which device.
 *
 * <pre>
 * {"at_ms":1250,"target":"devices","device":"cnt-03","kind":"vehicle_count","frame_b64":"eyJkZXZpY2UiOi…"}
 *   at_ms      milliseconds from the start of the capture
 *   target     the scenario's target name (informative; replay sends to --target)
 *   device     device id, for MQTT topics
 *   kind       reading kind, for MQTT topics
 *   frame_b64  the exact bytes, Base64 (frames may be binary: ASTERIX)
 * </pre>
 *
 * @param atMs   milliseconds from the start of the capture
 * @param target target name
 * @param device device id
 * @param kind   reading kind
 * @param frame  the bytes
 */
public record CapturedFrame(long atMs, String target, String device, String kind, byte[] frame) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The JSON line, without terminator. */
    public String toJsonLine() {
        ObjectNode n = JSON.createObjectNode();
        n.put("at_ms", atMs);
        n.put("target", target);
        n.put("device", device);
        n.put("kind", kind);
        n.put("frame_b64", Base64.getEncoder().encodeToString(frame));
        return n.toString();
    }

    /**
     * Parses one line.
     *
     * @throws IllegalArgumentException naming what is missing or wrong
     */
    public static CapturedFrame parse(String line) {
        JsonNode n;
        try {
            n = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("expected a JSON object");
        }
        JsonNode at = n.get("at_ms");
        if (at == null || !at.canConvertToLong() || at.asLong() < 0) {
            throw new IllegalArgumentException("at_ms must be an integer of at least 0");
        }
        String device = text(n, "device");
        String kind = text(n, "kind");
        byte[] frame;
        try {
            frame = Base64.getDecoder().decode(text(n, "frame_b64"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("frame_b64 is not Base64: " + e.getMessage());
        }
        return new CapturedFrame(at.asLong(), n.path("target").asText(""), device, kind, frame);
    }

    private static String text(JsonNode n, String key) {
        JsonNode v = n.get(key);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) {
            throw new IllegalArgumentException(key + " must be a non-empty string");
        }
        return v.asText();
    }
}
