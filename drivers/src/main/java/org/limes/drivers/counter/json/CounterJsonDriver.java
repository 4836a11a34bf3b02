package org.limes.drivers.counter.json;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.limes.drivers.DecodeException;
import org.limes.drivers.Driver;
import org.limes.drivers.Frame;
import org.limes.drivers.Framing;
import org.limes.drivers.OneReadingList;
import org.limes.drivers.Reading;
import org.limes.drivers.SortedArrayMap;
import org.limes.drivers.DeviceId;
import org.limes.drivers.json.IsoInstant;
import org.limes.drivers.json.JsonErrors;

/**
 * The {@code counter-json} format: a vehicle counter reports, once per counting interval,
 * one JSON object per frame (one line on a stream, one message on MQTT).
 *
 * <pre>
 * key            JSON type         unit   range / form                        required
 * -------------  ----------------  -----  ----------------------------------  --------
 * device         string            -      1..64 chars of [A-Za-z0-9._:-]       yes
 * time           string            -      ISO-8601 with offset, interval end   yes
 * lane           string | number   -      non-blank, at most 16 chars          yes
 * direction      string            -      "inbound" | "outbound"               yes
 * interval_s     integer           s      1..86400                             yes
 * counts         object            veh    1+ classes [a-z][a-z0-9_]{0,31},     yes
 *                                         each an integer 0..1000000
 * avg_speed_kmh  number | null     km/h   0..400                               no
 * occupancy_pct  number | null     %      0..100                               no
 * (other keys)   any               -      ignored                              -
 * </pre>
 *
 * <p>Worked example. The frame
 * <pre>
 * {"device":"cnt-north-01","time":"2026-11-26T08:00:00+02:00","lane":2,"direction":"inbound",
 *  "interval_s":60,"counts":{"car":12,"truck":3},"avg_speed_kmh":36.0}
 * </pre>
 * decodes to one reading: device {@code cnt-north-01}, site {@code ""}, kind
 * {@code vehicle_count}, tags {@code {direction=inbound, lane=2}}, fields
 * {@code {count_car=12L, count_total=15L, count_truck=3L, interval_s=60L,
 * speed_avg_mps=10.0}}, device time {@code 2026-11-26T06:00:00Z}, received at the frame's
 * receive time. A class named {@code total} is rejected, since {@code count_total} is the
 * derived sum.
 *
 * <p>A frame in the common form a counter sends (printable ASCII, no escapes, the usual
 * vehicle classes; see {@link CounterJsonScanner}) is read straight from its bytes; any other
 * frame, and every frame with a fault, is parsed with Jackson's streaming parser, which gives
 * the reading or the error below. Both give the same reading for a frame both read.
 *
 * <p>Faults in JSON syntax are reported by byte offset, faults in content by field path
 * ({@code counts.car}), in document order, then missing required keys in the order of
 * the table. A key given twice is a fault.
 *
 * <p>{@link #encode} writes the same layout (lane as a string, {@code count_total} left
 * out, {@code speed_avg_mps} back to km/h) without a line terminator; a stream transport
 * appends the {@code \n} of {@link Framing#NEWLINE}.
 *
 * <p>Immutable and thread-safe: one instance serves every source and thread.
 */
public final class CounterJsonDriver implements Driver {

    public static final String NAME = "counter-json";
    public static final String KIND = "vehicle_count";

    static final String TAG_LANE = "lane";
    static final String TAG_DIRECTION = "direction";
    static final String COUNT_PREFIX = "count_";
    static final String FIELD_TOTAL = "count_total";
    static final String FIELD_INTERVAL = "interval_s";
    static final String FIELD_SPEED = "speed_avg_mps";
    static final String FIELD_OCCUPANCY = "occupancy_pct";

    private static final int MAX_LANE_CHARS = 16;
    private static final int MAX_CLASS_CHARS = 32;
    private static final long MAX_INTERVAL_S = 86_400;
    private static final long MAX_COUNT = 1_000_000;
    private static final double MAX_SPEED_KMH = 400;
    private static final double MAX_OCCUPANCY_PCT = 100;
    private static final double KMH_PER_MPS = 3.6;
    private static final int MAX_SHOWN_CHARS = 40;
    private static final String INBOUND = "inbound";
    private static final String OUTBOUND = "outbound";
    private static final Set<String> DIRECTIONS = Set.of(INBOUND, OUTBOUND);
    /** Lanes "0" to "9" as constants: most frames name one of them. */
    private static final String[] DIGIT_LANES = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};

    private static final JsonFactory JSON = JsonFactory.builder().build();

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
        Reading common = CounterJsonScanner.read(frame.payload(), frame.receivedAt());
        if (common != null) {
            return OneReadingList.of(common);
        }
        return decodeWithJackson(frame);
    }

    /** The frame parsed with Jackson: the one path for a frame that is not in the common form. */
    static List<Reading> decodeWithJackson(Frame frame) throws DecodeException {
        JsonParser parser = null;
        try {
            parser = JSON.createParser(frame.payload());
            return OneReadingList.of(decodeObject(parser, frame.receivedAt()));
        } catch (JsonProcessingException e) {
            throw DecodeException.atOffset(JsonErrors.offsetOf(e.getLocation(), parser), "malformed JSON: " + JsonErrors.reason(e), e);
        } catch (IOException e) {
            // Not JSON at all, e.g. bytes Jackson takes for UTF-32 text.
            throw DecodeException.atOffset(JsonErrors.offsetOf(null, parser), "malformed JSON: " + e.getMessage(), e);
        } finally {
            if (parser != null) {
                JsonErrors.closeQuietly(parser);
            }
        }
    }

    private static Reading decodeObject(JsonParser p, Instant receivedAt) throws IOException, DecodeException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw DecodeException.atOffset(JsonErrors.offsetOf(p.currentTokenLocation(), p), "expected a JSON object, got " + shown(p));
        }
        String device = null;
        Instant time = null;
        String lane = null;
        String direction = null;
        Long interval = null;
        SortedArrayMap.Builder<Object> counts = null;
        double speedKmh = Double.NaN;
        double occupancy = Double.NaN;
        int seen = 0; // one bit per known key, in the order of the switch below
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            p.nextToken();
            int bit;
            switch (key) {
                case "device" -> {
                    device = device(p);
                    bit = 1;
                }
                case "time" -> {
                    time = time(p);
                    bit = 1 << 1;
                }
                case "lane" -> {
                    lane = lane(p);
                    bit = 1 << 2;
                }
                case "direction" -> {
                    direction = direction(p);
                    bit = 1 << 3;
                }
                case "interval_s" -> {
                    interval = integer(p, null, "interval_s", 1, MAX_INTERVAL_S);
                    bit = 1 << 4;
                }
                case "counts" -> {
                    counts = counts(p);
                    bit = 1 << 5;
                }
                case "avg_speed_kmh" -> {
                    speedKmh = optionalNumber(p, "avg_speed_kmh", MAX_SPEED_KMH);
                    bit = 1 << 6;
                }
                case "occupancy_pct" -> {
                    occupancy = optionalNumber(p, "occupancy_pct", MAX_OCCUPANCY_PCT);
                    bit = 1 << 7;
                }
                default -> {
                    bit = 0;
                    p.skipChildren();
                }
            }
            if ((seen & bit) != 0) {
                throw DecodeException.atField(key, "appears more than once");
            }
            seen |= bit;
        }
        if (t != JsonToken.END_OBJECT) {
            throw DecodeException.atOffset(JsonErrors.offsetOf(p.currentTokenLocation(), p), "expected a key or '}'");
        }
        if (p.nextToken() != null) {
            throw DecodeException.atOffset(JsonErrors.offsetOf(p.currentTokenLocation(), p),
                    "unexpected content after the JSON object: " + shown(p));
        }
        require(device, "device");
        require(time, "time");
        require(lane, "lane");
        require(direction, "direction");
        require(interval, "interval_s");
        require(counts, "counts");

        counts.put(FIELD_INTERVAL, interval);
        if (!Double.isNaN(speedKmh)) {
            counts.put(FIELD_SPEED, speedKmh / KMH_PER_MPS);
        }
        if (!Double.isNaN(occupancy)) {
            counts.put(FIELD_OCCUPANCY, occupancy);
        }
        SortedArrayMap.Builder<String> tags = SortedArrayMap.builder(2);
        tags.put(TAG_DIRECTION, direction);
        tags.put(TAG_LANE, lane);
        return new Reading(device, "", KIND, tags.build(), counts.build(), time, receivedAt);
    }

    private static void require(Object value, String key) throws DecodeException {
        if (value == null) {
            throw DecodeException.atField(key, "is required but missing");
        }
    }

    private static String device(JsonParser p) throws IOException, DecodeException {
        String s = string(p, "device");
        if (!DeviceId.isWellFormed(s)) {
            throw DecodeException.atField("device", "must be 1.." + DeviceId.MAX_CHARS
                    + " characters of [A-Za-z0-9._:-], got " + quoted(s));
        }
        return s;
    }

    private static Instant time(JsonParser p) throws IOException, DecodeException {
        if (p.currentToken() == JsonToken.VALUE_STRING) {
            Instant fast = IsoInstant.parse(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
            if (fast != null) {
                return fast;
            }
        }
        String s = string(p, "time");
        try {
            return OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeException e) {
            throw DecodeException.atField("time", "must be an ISO-8601 instant with offset (Z or ±hh:mm), got " + quoted(s));
        }
    }

    private static String lane(JsonParser p) throws IOException, DecodeException {
        JsonToken t = p.currentToken();
        if ((t == JsonToken.VALUE_STRING || t == JsonToken.VALUE_NUMBER_INT) && p.getTextLength() == 1) {
            char c = p.getTextCharacters()[p.getTextOffset()];
            if (c >= '0' && c <= '9') {
                return DIGIT_LANES[c - '0'];
            }
        }
        String s = t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT ? p.getText() : string(p, "lane");
        if (!isLane(s)) {
            throw DecodeException.atField("lane", "must be a non-blank string of at most " + MAX_LANE_CHARS
                    + " characters, got " + quoted(s));
        }
        return s;
    }

    private static String direction(JsonParser p) throws IOException, DecodeException {
        if (p.currentToken() == JsonToken.VALUE_STRING) {
            // The two allowed values as constants, without a String per frame.
            if (textEquals(p, INBOUND)) {
                return INBOUND;
            }
            if (textEquals(p, OUTBOUND)) {
                return OUTBOUND;
            }
        }
        String s = string(p, "direction");
        throw DecodeException.atField("direction", "must be \"inbound\" or \"outbound\", got " + quoted(s));
    }

    private static boolean textEquals(JsonParser p, String expected) throws IOException {
        int n = p.getTextLength();
        if (n != expected.length()) {
            return false;
        }
        char[] chars = p.getTextCharacters();
        int at = p.getTextOffset();
        for (int i = 0; i < n; i++) {
            if (chars[at + i] != expected.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The {@code count_<class>} fields and their sum {@code count_total}, in a builder the
     * caller adds the other fields to (room for the usual five classes and four more fields).
     */
    private static SortedArrayMap.Builder<Object> counts(JsonParser p) throws IOException, DecodeException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw DecodeException.atField("counts", "must be an object of vehicle class to count, got " + shown(p));
        }
        SortedArrayMap.Builder<Object> fields = SortedArrayMap.builder(9);
        long total = 0;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String vehicleClass = p.currentName();
            if (!isVehicleClass(vehicleClass)) {
                throw DecodeException.atField("counts", "class names must match [a-z][a-z0-9_]{0,31}, got "
                        + quoted(vehicleClass));
            }
            if (vehicleClass.equals("total")) {
                throw DecodeException.atField("counts." + vehicleClass, "is reserved: count_total is the sum of all classes");
            }
            p.nextToken();
            long count = integer(p, "counts", vehicleClass, 0, MAX_COUNT);
            if (fields.put(countField(vehicleClass), count) != null) {
                throw DecodeException.atField("counts." + vehicleClass, "appears more than once");
            }
            total += count;
        }
        if (fields.size() == 0) {
            throw DecodeException.atField("counts", "must hold at least one vehicle class");
        }
        fields.put(FIELD_TOTAL, total);
        return fields;
    }

    /** {@code count_<class>}, without building the string for the classes the simulator and most counters send. */
    private static String countField(String vehicleClass) {
        return switch (vehicleClass) {
            case "car" -> "count_car";
            case "van" -> "count_van";
            case "truck" -> "count_truck";
            case "bus" -> "count_bus";
            case "motorcycle" -> "count_motorcycle";
            case "bicycle" -> "count_bicycle";
            case "pedestrian" -> "count_pedestrian";
            default -> COUNT_PREFIX + vehicleClass;
        };
    }

    private static String string(JsonParser p, String path) throws IOException, DecodeException {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw DecodeException.atField(path, "must be a string, got " + shown(p));
        }
        return p.getText();
    }

    /** An integer in {@code min..max}; {@code parent} (or null) and {@code key} make the path of its error. */
    private static long integer(JsonParser p, String parent, String key, long min, long max) throws IOException, DecodeException {
        if (p.currentToken() != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                || p.getLongValue() < min || p.getLongValue() > max) {
            throw DecodeException.atField(parent == null ? key : parent + "." + key,
                    "must be an integer " + min + ".." + max + ", got " + shown(p));
        }
        return p.getLongValue();
    }

    /** A number in {@code 0..max}, or NaN for JSON {@code null} (JSON has no NaN). */
    private static double optionalNumber(JsonParser p, String path, double max) throws IOException, DecodeException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NULL) {
            return Double.NaN;
        }
        if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
            double v = p.getDoubleValue();
            if (v >= 0 && v <= max) {
                return v;
            }
        }
        throw DecodeException.atField(path, "must be a number 0.." + (long) max + ", got " + shown(p));
    }

    @Override
    public byte[] encode(Reading reading) {
        if (!KIND.equals(reading.kind())) {
            throw new IllegalArgumentException("counter-json encodes kind " + KIND + ", got " + reading.kind());
        }
        if (!DeviceId.isWellFormed(reading.deviceId())) {
            throw new IllegalArgumentException("deviceId must be 1.." + DeviceId.MAX_CHARS
                    + " characters of [A-Za-z0-9._:-], got " + quoted(reading.deviceId()));
        }
        Map<String, String> tags = reading.tags();
        String lane = tags.get(TAG_LANE);
        String direction = tags.get(TAG_DIRECTION);
        if (lane == null || !isLane(lane)) {
            throw new IllegalArgumentException("tag lane must be a non-blank string of at most " + MAX_LANE_CHARS
                    + " characters, got " + (lane == null ? "none" : quoted(lane)));
        }
        if (direction == null || !DIRECTIONS.contains(direction)) {
            throw new IllegalArgumentException("tag direction must be inbound or outbound, got "
                    + (direction == null ? "none" : quoted(direction)));
        }
        if (tags.size() != 2) {
            throw new IllegalArgumentException("counter-json carries only the tags lane and direction, got " + tags.keySet());
        }
        Map<String, Object> fields = reading.fields();
        long interval = longField(fields, FIELD_INTERVAL, 1, MAX_INTERVAL_S);
        TreeMap<String, Long> counts = new TreeMap<>();
        for (Map.Entry<String, Object> e : fields.entrySet()) {
            String name = e.getKey();
            if (name.startsWith(COUNT_PREFIX) && !name.equals(FIELD_TOTAL)) {
                String vehicleClass = name.substring(COUNT_PREFIX.length());
                if (!isVehicleClass(vehicleClass)) {
                    throw new IllegalArgumentException("field " + name + ": class names must match [a-z][a-z0-9_]{0,31}");
                }
                counts.put(vehicleClass, longField(fields, name, 0, MAX_COUNT));
            } else if (!Set.of(FIELD_TOTAL, FIELD_INTERVAL, FIELD_SPEED, FIELD_OCCUPANCY).contains(name)) {
                throw new IllegalArgumentException("counter-json cannot carry field " + name);
            }
        }
        if (counts.isEmpty()) {
            throw new IllegalArgumentException("a vehicle_count needs at least one count_<class> field");
        }
        long sum = counts.values().stream().mapToLong(Long::longValue).sum();
        Object total = fields.get(FIELD_TOTAL);
        if (total != null && !total.equals(sum)) {
            throw new IllegalArgumentException("field count_total must be the sum of the classes, " + sum + ", got " + total);
        }
        Double speedKmh = fields.containsKey(FIELD_SPEED) ? kmhFor(doubleField(fields, FIELD_SPEED)) : null;
        Double occupancy = fields.containsKey(FIELD_OCCUPANCY) ? doubleField(fields, FIELD_OCCUPANCY) : null;
        if (occupancy != null && !(occupancy >= 0 && occupancy <= MAX_OCCUPANCY_PCT)) {
            throw new IllegalArgumentException("field occupancy_pct must be 0..100, got " + occupancy);
        }

        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringField("device", reading.deviceId());
            g.writeStringField("time", reading.deviceTime().toString());
            g.writeStringField("lane", lane);
            g.writeStringField("direction", direction);
            g.writeNumberField("interval_s", interval);
            g.writeObjectFieldStart("counts");
            for (Map.Entry<String, Long> c : counts.entrySet()) {
                g.writeNumberField(c.getKey(), c.getValue());
            }
            g.writeEndObject();
            if (speedKmh != null) {
                g.writeNumberField("avg_speed_kmh", speedKmh);
            }
            if (occupancy != null) {
                g.writeNumberField("occupancy_pct", occupancy);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return out.toByteArray();
    }

    /**
     * The km/h value to write for a speed in m/s. Of the doubles nearest {@code mps * 3.6}
     * it prefers one that decodes back to exactly {@code mps}, so that a decoded reading
     * re-encodes without drift wherever the double grid allows.
     */
    private static double kmhFor(double mps) {
        double k = mps * KMH_PER_MPS;
        double[] candidates = {k, Math.nextDown(k), Math.nextUp(k)};
        for (double c : candidates) {
            if (c / KMH_PER_MPS == mps && c >= 0 && c <= MAX_SPEED_KMH) {
                return c;
            }
        }
        for (double c : candidates) {
            if (c >= 0 && c <= MAX_SPEED_KMH) {
                return c;
            }
        }
        throw new IllegalArgumentException("field speed_avg_mps must be 0.." + MAX_SPEED_KMH / KMH_PER_MPS
                + " (0..400 km/h), got " + mps);
    }

    private static long longField(Map<String, Object> fields, String name, long min, long max) {
        Object v = fields.get(name);
        if (!(v instanceof Long l) || l < min || l > max) {
            throw new IllegalArgumentException("field " + name + " must be a Long " + min + ".." + max + ", got "
                    + (v == null ? "none" : v + " (" + v.getClass().getSimpleName() + ")"));
        }
        return l;
    }

    private static double doubleField(Map<String, Object> fields, String name) {
        Object v = fields.get(name);
        if (!(v instanceof Double d)) {
            throw new IllegalArgumentException("field " + name + " must be a Double, got "
                    + v + " (" + v.getClass().getSimpleName() + ")");
        }
        return d;
    }

    private static boolean isLane(String s) {
        return !s.isBlank() && s.length() <= MAX_LANE_CHARS;
    }

    private static boolean isVehicleClass(String s) {
        if (s.isEmpty() || s.length() > MAX_CLASS_CHARS || s.charAt(0) < 'a' || s.charAt(0) > 'z') {
            return false;
        }
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
                return false;
            }
        }
        return true;
    }

    /** The current value as it appears in the frame, shortened, for an error message. */
    private static String shown(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        if (t == null) {
            return "nothing";
        }
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> quoted(p.getText());
            default -> shortened(p.getText());
        };
    }

    private static String quoted(String s) {
        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(shortened(s))) + "\"";
    }

    private static String shortened(String s) {
        return s.length() <= MAX_SHOWN_CHARS ? s : s.substring(0, MAX_SHOWN_CHARS) + "…";
    }
}
