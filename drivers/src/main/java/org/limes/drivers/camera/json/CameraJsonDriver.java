package org.limes.drivers.camera.json;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.limes.drivers.DecodeException;
import org.limes.drivers.camera.PlateText;
import org.limes.drivers.Driver;
import org.limes.drivers.EventKey;
import org.limes.drivers.Frame;
import org.limes.drivers.Framing;
import org.limes.drivers.Reading;
import org.limes.drivers.DeviceId;
import org.limes.drivers.json.JsonErrors;

/**
 * The {@code camera-json} format: camera analytics as one JSON object per frame (one line
 * on a stream, one MQTT message, one HTTP body), the kind chosen by {@code "type"}.
 *
 * <pre>
 * type            key             JSON type          unit  range / form                       req.  → reading
 * --------------  --------------  -----------------  ----  ---------------------------------  ----  ------------------------
 * (every type)    type            string             -     anpr_read | people_count |         yes   kind
 *                                                          vehicle_count | device_health
 *                 device          string             -     1..64 of [A-Za-z0-9._:-]           yes   deviceId
 *                 time            string             -     ISO-8601 with offset               yes   deviceTime
 * anpr_read       plate           string             -     1..32 chars, no control chars      yes   field plate
 *                 confidence_pct  number             %     0..100                             yes   field confidence_pct
 *                 lane            string | number    -     1..16 chars                        no    tag lane
 *                 direction       string             -     inbound | outbound                 no    tag direction
 *                 country         string             -     1..64 chars (ISO 3166 alpha-2)     no    tag country
 *                 vehicle_type    string             -     1..64 chars (car, truck, bus, …)   no    tag vehicle_type
 *                 list            string             -     1..64 chars (blockList, …)         no    tag list
 *                 plate_color     string             -     1..64 chars                        no    tag plate_color
 * people_count,   zone            string             -     1..64 chars                        yes   tag zone
 * vehicle_count   interval_s      integer            s     1..86400                           yes   field interval_s
 *                 count_in        integer            -     0..1000000                         yes   field count_in
 *                 count_out       integer            -     0..1000000                         yes   field count_out
 *                 (derived)                                                                         field count_total
 * device_health   online          boolean            -     -                                  yes   field online
 *                 temperature_c   number | null      °C    -60..150                           no    field temperature_c
 *                 tamper          boolean | null     -     -                                  no    field tamper
 *                 video_loss      boolean | null     -     -                                  no    field video_loss
 *                 fps             number | null      1/s   0..1000                            no    field fps
 * (other keys)    any             -                  -     ignored                            -     -
 * </pre>
 *
 * <p>Worked example. The frame
 * <pre>
 * {"type":"people_count","device":"cam-gate-2","time":"2026-11-26T08:01:00+02:00","zone":"hall-a",
 *  "interval_s":60,"count_in":14,"count_out":9}
 * </pre>
 * decodes to one reading: device {@code cam-gate-2}, kind {@code people_count}, tags
 * {@code {zone=hall-a}}, fields {@code {count_in=14L, count_out=9L, count_total=23L,
 * interval_s=60L}}, device time {@code 2026-11-26T06:01:00Z}.
 *
 * <p>Faults in JSON syntax are reported by byte offset (a key given twice among them);
 * content faults by key: {@code type} first, then the other keys in document order, then
 * missing required keys in table order. Keys of another type are ignored like unknown keys.
 * Nesting deeper than {@value #MAX_DEPTH} is refused.
 *
 * <p>{@link #encode} writes the same layout, keys in table order, time in UTC, optional keys
 * only when present, no {@code count_total} (derived; when given it must equal the sum), and
 * no line terminator.
 *
 * <p>Immutable and thread-safe: one instance serves every source and thread.
 */
public final class CameraJsonDriver implements Driver {

    public static final String NAME = "camera-json";
    public static final String ANPR_READ = "anpr_read";
    public static final String PEOPLE_COUNT = "people_count";
    public static final String VEHICLE_COUNT = "vehicle_count";
    public static final String DEVICE_HEALTH = "device_health";

    static final int MAX_DEPTH = 16;
    private static final int MAX_PLATE_CHARS = 32;
    private static final int MAX_LANE_CHARS = 16;
    private static final int MAX_TEXT_CHARS = 64;
    private static final long MAX_INTERVAL_S = 86_400;
    private static final long MAX_COUNT = 1_000_000;
    private static final int MAX_SHOWN_CHARS = 40;
    private static final Set<String> TYPES = Set.of(ANPR_READ, PEOPLE_COUNT, VEHICLE_COUNT, DEVICE_HEALTH);
    private static final Set<String> DIRECTIONS = Set.of("inbound", "outbound");
    private static final List<String> ANPR_TAGS = List.of("lane", "direction", "country", "vehicle_type", "list", "plate_color");

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
            .build();
    private static final ObjectMapper MAPPER = new ObjectMapper(JSON);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Framing framing() {
        return Framing.NEWLINE;
    }

    @Override
    public List<Reading> decode(Frame frame) throws DecodeException {
        JsonParser parser = null;
        JsonNode root;
        try {
            parser = JSON.createParser(frame.payload());
            root = MAPPER.readTree(parser);
            if (root == null || root.isMissingNode()) {
                throw DecodeException.atOffset(0, "empty frame: expected a JSON object");
            }
            if (!root.isObject()) {
                throw DecodeException.atOffset(0, "expected a JSON object, got " + shown(root));
            }
            JsonToken after = parser.nextToken();
            if (after != null) {
                throw DecodeException.atOffset(JsonErrors.offsetOf(parser.currentTokenLocation(), parser),
                        "unexpected content after the JSON object");
            }
        } catch (JsonProcessingException e) {
            // Without the tokens Jackson quotes: an unquoted plate would be one.
            throw DecodeException.atOffset(JsonErrors.offsetOf(e.getLocation(), parser), "malformed JSON: "
                    + JsonErrors.reasonWithoutInput(e), e);
        } catch (IOException e) {
            throw DecodeException.atOffset(JsonErrors.offsetOf(null, parser), "malformed JSON: " + e.getMessage(), e);
        } finally {
            if (parser != null) {
                JsonErrors.closeQuietly(parser);
            }
        }
        return List.of(reading((ObjectNode) root, frame.receivedAt()));
    }

    private static Reading reading(ObjectNode o, Instant receivedAt) throws DecodeException {
        JsonNode typeNode = o.get("type");
        if (typeNode == null) {
            throw DecodeException.atField("type", "is required but missing");
        }
        String type = typeNode.isTextual() ? typeNode.textValue() : null;
        if (type == null || !TYPES.contains(type)) {
            throw DecodeException.atField("type", "must be one of " + TYPES.stream().sorted().toList() + ", got "
                    + shown(typeNode));
        }
        String device = null;
        Instant time = null;
        String timeText = null;
        TreeMap<String, String> tags = new TreeMap<>();
        TreeMap<String, Object> fields = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            JsonNode v = e.getValue();
            switch (key) {
                case "type" -> { }
                case "device" -> device = device(v);
                case "time" -> {
                    time = time(v);
                    timeText = v.textValue();
                }
                default -> {
                    switch (type) {
                        case ANPR_READ -> anprKey(key, v, tags, fields);
                        case PEOPLE_COUNT, VEHICLE_COUNT -> countKey(key, v, tags, fields);
                        default -> healthKey(key, v, fields);
                    }
                }
            }
        }
        require(device, "device");
        require(time, "time");
        switch (type) {
            case ANPR_READ -> {
                require(fields.get("plate"), "plate");
                require(fields.get("confidence_pct"), "confidence_pct");
            }
            case PEOPLE_COUNT, VEHICLE_COUNT -> {
                require(tags.get("zone"), "zone");
                require(fields.get("interval_s"), "interval_s");
                require(fields.get("count_in"), "count_in");
                require(fields.get("count_out"), "count_out");
                fields.put("count_total", (Long) fields.get("count_in") + (Long) fields.get("count_out"));
            }
            default -> require(fields.get("online"), "online");
        }
        Reading reading = new Reading(device, "", type, tags, fields, time, receivedAt);
        // A plate read is an event: two in one time step must not share a store key (EventKey).
        // Counts are per interval and health is a state: a repeat of either overwrites.
        return type.equals(ANPR_READ) ? EventKey.mark(reading, EventKey.precisionOf(timeText)) : reading;
    }

    private static void anprKey(String key, JsonNode v, Map<String, String> tags, Map<String, Object> fields)
            throws DecodeException {
        switch (key) {
            case "plate" -> fields.put("plate", plate(v));
            case "confidence_pct" -> fields.put("confidence_pct", number(v, key, 0, 100));
            case "lane" -> tags.put("lane", v.isIntegralNumber() ? text(v.asText(), key, MAX_LANE_CHARS)
                    : text(v, key, MAX_LANE_CHARS));
            case "direction" -> {
                String d = text(v, key, MAX_TEXT_CHARS);
                if (!DIRECTIONS.contains(d)) {
                    throw DecodeException.atField(key, "must be \"inbound\" or \"outbound\", got " + quoted(d));
                }
                tags.put(key, d);
            }
            case "country", "vehicle_type", "list", "plate_color" -> tags.put(key, text(v, key, MAX_TEXT_CHARS));
            default -> { }
        }
    }

    private static void countKey(String key, JsonNode v, Map<String, String> tags, Map<String, Object> fields)
            throws DecodeException {
        switch (key) {
            case "zone" -> tags.put("zone", text(v, key, MAX_TEXT_CHARS));
            case "interval_s" -> fields.put(key, integer(v, key, 1, MAX_INTERVAL_S));
            case "count_in", "count_out" -> fields.put(key, integer(v, key, 0, MAX_COUNT));
            default -> { }
        }
    }

    private static void healthKey(String key, JsonNode v, Map<String, Object> fields) throws DecodeException {
        switch (key) {
            case "online" -> fields.put(key, bool(v, key));
            case "tamper", "video_loss" -> {
                if (!v.isNull()) {
                    fields.put(key, bool(v, key));
                }
            }
            case "temperature_c" -> {
                if (!v.isNull()) {
                    fields.put(key, number(v, key, -60, 150));
                }
            }
            case "fps" -> {
                if (!v.isNull()) {
                    fields.put(key, number(v, key, 0, 1000));
                }
            }
            default -> { }
        }
    }

    private static void require(Object value, String key) throws DecodeException {
        if (value == null) {
            throw DecodeException.atField(key, "is required but missing");
        }
    }

    private static String device(JsonNode v) throws DecodeException {
        if (!v.isTextual() || !DeviceId.isWellFormed(v.textValue())) {
            throw DecodeException.atField("device", "must be a string of 1.." + DeviceId.MAX_CHARS
                    + " characters of [A-Za-z0-9._:-], got " + shown(v));
        }
        return v.textValue();
    }

    private static Instant time(JsonNode v) throws DecodeException {
        if (v.isTextual()) {
            try {
                return OffsetDateTime.parse(v.textValue(), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
            } catch (DateTimeException e) {
                // Reported below with the value.
            }
        }
        throw DecodeException.atField("time", "must be an ISO-8601 instant with offset (Z or ±hh:mm), got " + shown(v));
    }

    /** A plate; an error says what is wrong with it without quoting it (it is personal data). */
    private static String plate(JsonNode v) throws DecodeException {
        String s = v.isTextual() ? v.textValue() : null;
        if (s == null || !isText(s, MAX_PLATE_CHARS)) {
            throw DecodeException.atField("plate", "must be 1.." + MAX_PLATE_CHARS + " characters, not "
                    + "blank, without control characters, got " + (v.isTextual() ? PlateText.describe(s)
                    : v.isObject() ? "an object" : v.isArray() ? "an array" : v.isNumber() ? "a number"
                    : v.isBoolean() ? "a boolean" : "null"));
        }
        return s;
    }

    private static String text(JsonNode v, String key, int max) throws DecodeException {
        if (!v.isTextual()) {
            throw DecodeException.atField(key, "must be a string, got " + shown(v));
        }
        return text(v.textValue(), key, max);
    }

    private static String text(String s, String key, int max) throws DecodeException {
        if (!isText(s, max)) {
            throw DecodeException.atField(key, "must be 1.." + max + " characters, not blank, without control characters, got "
                    + quoted(s));
        }
        return s;
    }

    private static long integer(JsonNode v, String key, long min, long max) throws DecodeException {
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < min || v.longValue() > max) {
            throw DecodeException.atField(key, "must be an integer " + min + ".." + max + ", got " + shown(v));
        }
        return v.longValue();
    }

    private static double number(JsonNode v, String key, double min, double max) throws DecodeException {
        if (v.isNumber()) {
            double d = v.doubleValue();
            if (d >= min && d <= max) {
                return d;
            }
        }
        throw DecodeException.atField(key, "must be a number " + (long) min + ".." + (long) max + ", got " + shown(v));
    }

    private static boolean bool(JsonNode v, String key) throws DecodeException {
        if (!v.isBoolean()) {
            throw DecodeException.atField(key, "must be true or false, got " + shown(v));
        }
        return v.booleanValue();
    }

    @Override
    public byte[] encode(Reading reading) {
        String type = reading.kind();
        if (!TYPES.contains(type)) {
            throw new IllegalArgumentException(NAME + " encodes kinds " + TYPES.stream().sorted().toList() + ", got " + type);
        }
        if (!DeviceId.isWellFormed(reading.deviceId())) {
            throw new IllegalArgumentException("deviceId must be 1.." + DeviceId.MAX_CHARS
                    + " characters of [A-Za-z0-9._:-], got " + quoted(reading.deviceId()));
        }
        Map<String, Object> fields = reading.fields();
        Map<String, String> tags = reading.tags();
        Map<String, Object> body = new LinkedHashMap<>();
        String time = reading.deviceTime().toString();
        switch (type) {
            case ANPR_READ -> {
                allowOnly(tags.keySet(), Set.copyOf(ANPR_TAGS), "tag");
                allowOnly(fields.keySet(), Set.of("plate", "confidence_pct", EventKey.FIELD), "field");
                Object precision = fields.get(EventKey.FIELD);
                if (precision != null && !(precision instanceof Long)) {
                    throw new IllegalArgumentException("field " + EventKey.FIELD + " must be a Long, got " + precision);
                }
                if (precision != null) {
                    time = EventKey.isoTime(reading.deviceTime(), (Long) precision);
                }
                body.put("plate", textField(fields, "plate", MAX_PLATE_CHARS));
                body.put("confidence_pct", doubleField(fields, "confidence_pct", 0, 100, true));
                for (String t : ANPR_TAGS) {
                    String v = tags.get(t);
                    if (v != null) {
                        int max = t.equals("lane") ? MAX_LANE_CHARS : MAX_TEXT_CHARS;
                        if (!isText(v, max) || (t.equals("direction") && !DIRECTIONS.contains(v))) {
                            throw new IllegalArgumentException("tag " + t + " cannot be written: " + quoted(v));
                        }
                        body.put(t, v);
                    }
                }
            }
            case PEOPLE_COUNT, VEHICLE_COUNT -> {
                allowOnly(tags.keySet(), Set.of("zone"), "tag");
                allowOnly(fields.keySet(), Set.of("interval_s", "count_in", "count_out", "count_total"), "field");
                String zone = tags.get("zone");
                if (zone == null || !isText(zone, MAX_TEXT_CHARS)) {
                    throw new IllegalArgumentException("tag zone must be 1.." + MAX_TEXT_CHARS + " characters, got "
                            + (zone == null ? "none" : quoted(zone)));
                }
                body.put("zone", zone);
                body.put("interval_s", longField(fields, "interval_s", 1, MAX_INTERVAL_S));
                long in = longField(fields, "count_in", 0, MAX_COUNT);
                long out = longField(fields, "count_out", 0, MAX_COUNT);
                Object total = fields.get("count_total");
                if (total != null && !total.equals(in + out)) {
                    throw new IllegalArgumentException("field count_total must be count_in + count_out, " + (in + out)
                            + ", got " + total);
                }
                body.put("count_in", in);
                body.put("count_out", out);
            }
            default -> {
                allowOnly(tags.keySet(), Set.of(), "tag");
                allowOnly(fields.keySet(), Set.of("online", "temperature_c", "tamper", "video_loss", "fps"), "field");
                body.put("online", boolField(fields, "online", true));
                putIfPresent(body, "temperature_c", doubleField(fields, "temperature_c", -60, 150, false));
                putIfPresent(body, "tamper", boolField(fields, "tamper", false));
                putIfPresent(body, "video_loss", boolField(fields, "video_loss", false));
                putIfPresent(body, "fps", doubleField(fields, "fps", 0, 1000, false));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(192);
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringField("type", type);
            g.writeStringField("device", reading.deviceId());
            g.writeStringField("time", time);
            for (Map.Entry<String, Object> e : body.entrySet()) {
                g.writeFieldName(e.getKey());
                Object v = e.getValue();
                if (v instanceof String s) {
                    g.writeString(s);
                } else if (v instanceof Long l) {
                    g.writeNumber(l);
                } else if (v instanceof Double d) {
                    g.writeNumber(d);
                } else {
                    g.writeBoolean((Boolean) v);
                }
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return out.toByteArray();
    }

    private static void putIfPresent(Map<String, Object> body, String key, Object value) {
        if (value != null) {
            body.put(key, value);
        }
    }

    private static void allowOnly(Set<String> names, Set<String> allowed, String what) {
        for (String n : names) {
            if (!allowed.contains(n)) {
                throw new IllegalArgumentException(NAME + " cannot carry " + what + " " + n + " here, only "
                        + allowed.stream().sorted().toList());
            }
        }
    }

    private static String textField(Map<String, Object> fields, String name, int max) {
        Object v = fields.get(name);
        if (!(v instanceof String s) || !isText(s, max)) {
            throw new IllegalArgumentException("field " + name + " must be a String of 1.." + max
                    + " characters without control characters, got " + PlateText.describe(v));
        }
        return s;
    }

    private static Double doubleField(Map<String, Object> fields, String name, double min, double max, boolean required) {
        Object v = fields.get(name);
        if (v == null && !required) {
            return null;
        }
        if (!(v instanceof Double d) || d < min || d > max) {
            throw new IllegalArgumentException("field " + name + " must be a Double " + min + ".." + max + ", got "
                    + (v == null ? "none" : v + " (" + v.getClass().getSimpleName() + ")"));
        }
        return d;
    }

    private static long longField(Map<String, Object> fields, String name, long min, long max) {
        Object v = fields.get(name);
        if (!(v instanceof Long l) || l < min || l > max) {
            throw new IllegalArgumentException("field " + name + " must be a Long " + min + ".." + max + ", got "
                    + (v == null ? "none" : v + " (" + v.getClass().getSimpleName() + ")"));
        }
        return l;
    }

    private static Boolean boolField(Map<String, Object> fields, String name, boolean required) {
        Object v = fields.get(name);
        if (v == null && !required) {
            return null;
        }
        if (!(v instanceof Boolean b)) {
            throw new IllegalArgumentException("field " + name + " must be a Boolean, got " + (v == null ? "none" : v));
        }
        return b;
    }

    private static boolean isText(String s, int max) {
        if (s.isEmpty() || s.length() > max || s.isBlank()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c)) {
                return false;
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    private static String shown(JsonNode v) {
        if (v.isObject()) {
            return "an object";
        }
        if (v.isArray()) {
            return "an array";
        }
        if (v.isTextual()) {
            return quoted(v.textValue());
        }
        String s = v.toString();
        return s.length() <= MAX_SHOWN_CHARS ? s : s.substring(0, MAX_SHOWN_CHARS) + "…";
    }

    private static String quoted(String s) {
        String shown = s.length() <= MAX_SHOWN_CHARS ? s : s.substring(0, MAX_SHOWN_CHARS) + "…";
        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(shown)) + "\"";
    }
}
