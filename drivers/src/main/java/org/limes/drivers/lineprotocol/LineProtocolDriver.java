package org.limes.drivers.lineprotocol;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.limes.drivers.DecodeException;
import org.limes.drivers.DecodeResult;
import org.limes.drivers.Driver;
import org.limes.drivers.Frame;
import org.limes.drivers.Framing;
import org.limes.drivers.OneReadingList;
import org.limes.drivers.Reading;
import org.limes.drivers.SortedArrayMap;
import org.limes.drivers.StoreNames;

/**
 * The {@code lineprotocol} format: InfluxDB line protocol as Telegraf and InfluxDB clients
 * write it, one point per line, any number of lines per frame.
 *
 * <pre>
 * measurement[,tag_key=tag_value...] field_key=field_value[,field_key=field_value...] [timestamp]
 *
 * element       ends at (unescaped)   escapes (\x reads as x)      other \x
 * ------------  --------------------  ---------------------------  ----------------
 * measurement   ',' or ' '            \,  \(space)  \\             kept: \x
 * tag key       '='                   \,  \=  \(space)  \\         kept: \x
 * tag value     ',' or ' '            \,  \=  \(space)  \\         kept: \x
 * field key     '='                   \,  \=  \(space)  \\         kept: \x
 * string value  closing '"'           \"  \\                       kept: \x
 *
 * field value   form                                        reading field
 * ------------  ------------------------------------------  --------------------------
 * float         -?(d+[.d*]|.d+)([eE][+-]?d+)?, finite       Double
 * integer       -?d+i, within 64-bit signed                 Long
 * unsigned      d+u, at most 9223372036854775807            Long
 * string        "..."                                       String
 * boolean       t T true True TRUE f F false False FALSE    Boolean
 * timestamp     -?d+ in the option precision (ns, us, ms, s), within int64 nanoseconds
 * </pre>
 *
 * <p>Lines are separated by LF (a CR before it is dropped); blank lines and lines whose
 * first non-blank character is {@code #} are skipped (a frame of nothing else decodes to no
 * readings, not an error, since a stream source hands over comment lines one by one). Leading spaces and tabs are skipped;
 * sections are separated by one or more spaces; trailing spaces are ignored. A CR inside a
 * line is an error.
 *
 * <p>Worked example, with the default options ({@code device_tag: device},
 * {@code precision: ns}). The line
 * <pre>
 * gate_count,device=cam-07,zone=gate\ 2 in=12i,out=9i,ok=T,note="a \"b\"" 1764136800000000000
 * </pre>
 * decodes to one reading: device {@code cam-07}, kind {@code gate_count}, tags
 * {@code {zone=gate 2}}, fields {@code {in=12L, note=a "b", ok=true, out=9L}}, device time
 * {@code 2026-11-26T06:00:00Z}. Every other tag stays a tag; the reading's site is left empty
 * for the gateway's inventory.
 *
 * <p>Names, checked as each is read (see {@link StoreNames}): the measurement, tag keys and
 * field keys must be names the store can hold ({@code [A-Za-z][A-Za-z0-9_]{0,126}}); no tag or
 * field may be, in any letter case, a name the gateway writes itself ({@code device},
 * {@code site}, {@code timestamp}, {@code time}) or the device tag; two tags, two fields, or a
 * tag and a field, must not differ only in letter case (the store ignores case); and the
 * measurement must not be one Limes writes itself ({@code alert} never, a driver's kind such as
 * {@code vehicle_count} only when option {@code allow_kinds} lists it). Each is an error of that
 * line, naming the key and what is allowed: a device cannot write as another device, forge
 * alert rows, or stop the store with a name it cannot hold.
 *
 * <p>{@link #decodeAll} decodes line by line: a bad line is one error, located by its
 * 1-based line and column, and the lines around it still decode. {@link #decode} throws
 * the first error. {@link #encode} writes one line with {@link LineProtocolEncoder}'s
 * escaping, the device as the {@code device_tag} tag and the timestamp in the option
 * precision.
 *
 * <p>Immutable and thread-safe.
 */
public final class LineProtocolDriver implements Driver {

    public static final String NAME = "lineprotocol";

    private static final int MAX_SHOWN_CHARS = 40;

    private final String deviceTag;
    private final Precision precision;
    private final Set<String> allowedKinds;

    /** The timestamp precisions of the {@code precision} option. */
    public enum Precision {
        NS(1), US(1_000), MS(1_000_000), S(1_000_000_000);

        final long nanos;

        Precision(long nanos) {
            this.nanos = nanos;
        }
    }

    /** A driver that may write no measurement Limes writes itself. */
    public LineProtocolDriver(String deviceTag, Precision precision) {
        this(deviceTag, precision, Set.of());
    }

    /**
     * @param allowedKinds the measurements Limes writes itself ({@link StoreNames#LIMES_MEASUREMENTS})
     *                     that this source's devices may write too (option {@code allow_kinds});
     *                     never {@code alert}
     */
    public LineProtocolDriver(String deviceTag, Precision precision, Set<String> allowedKinds) {
        if (deviceTag == null || deviceTag.isEmpty()) {
            throw new IllegalArgumentException("deviceTag must not be empty");
        }
        for (String kind : allowedKinds) {
            if (!StoreNames.LIMES_MEASUREMENTS.contains(kind) || kind.equals(StoreNames.ALERT)) {
                throw new IllegalArgumentException("allow_kinds lists the kinds Limes drivers write that a "
                        + "line-protocol device may write too, one of " + allowedKindsText() + ", got '" + kind + "'");
            }
        }
        this.deviceTag = deviceTag;
        this.precision = precision;
        this.allowedKinds = Set.copyOf(allowedKinds);
    }

    /** The kinds option {@code allow_kinds} may list, sorted, as text. */
    static String allowedKindsText() {
        return StoreNames.LIMES_MEASUREMENTS.stream().filter(k -> !k.equals(StoreNames.ALERT)).sorted().toList()
                .toString();
    }

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
        byte[] b = frame.payload();
        int newline = -1;
        for (int k = 0; k < b.length; k++) {
            if (b[k] == '\n') {
                newline = k;
                break;
            }
        }
        if (newline >= 0 && newline < b.length - 1) {
            return decodeAll(frame).readingsOrThrow();
        }
        // One line, the usual frame: what decodeAll gives for it, without its lists.
        int end = newline >= 0 ? newline : b.length;
        int stop = end > 0 && b[end - 1] == '\r' ? end - 1 : end;
        if (end == 0) {
            return List.of();
        }
        Reading r = new LineParser(text(b, 0, stop, 1), 1, frame.receivedAt()).parse();
        return r == null ? List.of() : OneReadingList.of(r);
    }

    @Override
    public DecodeResult decodeAll(Frame frame) {
        byte[] bytes = frame.payload();
        return DecodeResult.eachLine(bytes, (number, from, to) ->
                new LineParser(text(bytes, from, to, number), number, frame.receivedAt()).parse());
    }

    /** The line as text: ASCII (the usual line) directly, anything else through a strict UTF-8 decoder. */
    private static String text(byte[] bytes, int from, int to, int lineNumber) throws DecodeException {
        boolean ascii = true;
        for (int k = from; k < to && ascii; k++) {
            ascii = bytes[k] >= 0;
        }
        if (ascii) {
            return new String(bytes, from, to - from, StandardCharsets.US_ASCII);
        }
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            return utf8.reset().decode(ByteBuffer.wrap(bytes, from, to - from)).toString();
        } catch (CharacterCodingException e) {
            ByteBuffer in = ByteBuffer.wrap(bytes, from, to - from);
            CharBuffer good = CharBuffer.allocate(to - from + 1);
            utf8.reset().decode(in, good, true);
            good.flip();
            throw DecodeException.atLine(lineNumber, Character.codePointCount(good, 0, good.length()) + 1,
                    "not valid UTF-8 (frame byte " + in.position() + ")");
        }
    }

    /** One line; not thread-safe, one per line. */
    private final class LineParser {
        private final String s;
        private final int lineNumber;
        private final Instant receivedAt;
        private int i;

        LineParser(String s, int lineNumber, Instant receivedAt) {
            this.s = s;
            this.lineNumber = lineNumber;
            this.receivedAt = receivedAt;
        }

        /** The reading, or null for a blank or comment line. */
        Reading parse() throws DecodeException {
            int first = 0;
            while (first < s.length() && (s.charAt(first) == ' ' || s.charAt(first) == '\t')) {
                first++;
            }
            if (first == s.length() || s.charAt(first) == '#') {
                return null;
            }
            i = first;
            int cr = s.indexOf('\r');
            if (cr >= 0) {
                throw fault(cr, "carriage return (U+000D) inside a line; lines end with LF or CR LF");
            }
            String measurement = name(false, "measurement");
            checkMeasurement(measurement, first);
            SortedArrayMap.Builder<String> tags = null; // made at the first tag besides the device's
            String device = null;
            Names names = new Names();
            while (i < s.length() && s.charAt(i) == ',') {
                i++;
                int at = i;
                String key = name(true, "tag key");
                expect('=', "'=' after tag key ", key);
                String value = value(true, "tag value of ", key);
                // The device tag is kept apart from the reading's tags, as it always was (removed at the end).
                boolean isDevice = key.equals(deviceTag);
                if (!isDevice && tags == null) {
                    tags = SortedArrayMap.builder(4);
                }
                boolean again = isDevice ? device != null : tags.put(key, value) != null;
                if (again) {
                    throw fault(at, "tag " + shown(key) + " appears more than once");
                }
                if (key.equals(deviceTag)) {
                    device = value;
                }
                checkTagKey(key, at, names);
            }
            if (i >= s.length()) {
                throw fault(i, "missing fields: a point needs at least one field after a space");
            }
            if (s.charAt(i) != ' ') {
                throw fault(i, "unexpected " + shownChar(s.charAt(i)) + " in the measurement or tags");
            }
            spaces();
            SortedArrayMap.Builder<Object> fields = SortedArrayMap.builder(4);
            names.endTags();
            while (true) {
                int at = i;
                if (i >= s.length()) {
                    throw fault(i, "missing field key");
                }
                String key = name(true, "field key");
                expect('=', "'=' after field key ", key);
                Object value = fieldValue(key);
                if (fields.put(key, value) != null) {
                    throw fault(at, "field " + shown(key) + " appears more than once");
                }
                checkFieldKey(key, at, names);
                if (i < s.length() && s.charAt(i) == ',') {
                    i++;
                    continue;
                }
                break;
            }
            Instant time = receivedAt;
            if (i < s.length()) {
                if (s.charAt(i) != ' ') {
                    throw fault(i, "unexpected " + shownChar(s.charAt(i)) + " after a field value");
                }
                spaces();
                if (i < s.length()) {
                    time = timestamp();
                    spaces();
                    if (i < s.length()) {
                        throw fault(i, "unexpected " + shownChar(s.charAt(i)) + " after the timestamp");
                    }
                }
            }
            if (device == null || device.isBlank()) {
                throw fault(0, "tag " + shown(deviceTag) + " (option device_tag) is missing: it names the device");
            }
            if (measurement.isBlank()) {
                throw fault(0, "the measurement must not be blank");
            }
            return new Reading(device, "", measurement, tags == null ? SortedArrayMap.of() : tags.build(), fields.build(),
                    time, receivedAt);
        }

        /** A name the store can hold, and not one Limes writes itself unless allowed. */
        private void checkMeasurement(String measurement, int at) throws DecodeException {
            String problem = StoreNames.problem(measurement);
            if (problem != null) {
                throw fault(at, "measurement " + shown(measurement) + ": " + problem);
            }
            String lower = measurement.toLowerCase(Locale.ROOT);
            if (lower.equals(StoreNames.ALERT)) {
                throw fault(at, "measurement " + shown(measurement) + " holds the gateway's alert transitions; "
                        + "a device may not write it");
            }
            if (StoreNames.isLimesMeasurement(lower) && !allowedKinds.contains(lower)) {
                throw fault(at, "measurement " + shown(measurement) + " is a kind Limes drivers write; a "
                        + "line-protocol device may write it only when the source's option allow_kinds lists it");
            }
        }

        /**
         * The device tag itself, or a store name that is not the gateway's and not another tag of
         * the line in other letter case ({@code names}: lower case to the key, filled here).
         */
        private void checkTagKey(String key, int at, Names names) throws DecodeException {
            if (key.equals(deviceTag)) {
                names.put(key);
                return;
            }
            String problem = StoreNames.problem(key);
            if (problem != null) {
                throw fault(at, "tag key " + shown(key) + ": " + problem);
            }
            if (key.equalsIgnoreCase(deviceTag) || StoreNames.isGatewayKey(key)) {
                throw fault(at, "tag " + shown(key) + " is, in some letter case, a name the gateway writes itself ("
                        + shown(deviceTag) + " names the device; device, site, timestamp and time are the gateway's)");
            }
            String other = names.putIfAbsent(key);
            if (other != null) {
                throw fault(at, "tags " + shown(other) + " and " + shown(key) + " differ only in letter case, "
                        + "and the store reads them as one");
            }
        }

        /** A store name that is not the gateway's, nor another field or a tag in other letter case. */
        private void checkFieldKey(String key, int at, Names names) throws DecodeException {
            String problem = StoreNames.problem(key);
            if (problem != null) {
                throw fault(at, "field key " + shown(key) + ": " + problem);
            }
            if (StoreNames.isGatewayKey(key)) {
                throw fault(at, "field " + shown(key) + " is, in some letter case, a name the gateway writes itself "
                        + "(device, site, timestamp and time are the gateway's)");
            }
            String tag = names.getTag(key);
            if (tag != null && !tag.equals(deviceTag)) {
                throw fault(at, "field " + shown(key) + " has the name of tag " + shown(tag)
                        + ", and the store reads them as one column");
            }
            String other = names.putIfAbsent(key);
            if (other != null) {
                throw fault(at, "fields " + shown(other) + " and " + shown(key) + " differ only in letter case, "
                        + "and the store reads them as one");
            }
        }

        private void spaces() {
            while (i < s.length() && s.charAt(i) == ' ') {
                i++;
            }
        }

        /** Expects {@code c}; the error says "expected {@code what}{@code key shown}, got …". */
        private void expect(char c, String what, String key) throws DecodeException {
            if (i >= s.length() || s.charAt(i) != c) {
                throw fault(i, "expected " + what + shown(key) + (i >= s.length() ? ", got the end of the line"
                        : ", got " + shownChar(s.charAt(i))));
            }
            i++;
        }

        /** A measurement ({@code key} false: ends at ',' or ' ') or a key (ends at '='). */
        private String name(boolean key, String what) throws DecodeException {
            int from = i;
            StringBuilder sb = null; // only once an escape is met: most names are a plain substring
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c == '\\' && i + 1 < s.length() && escapes(s.charAt(i + 1), key)) {
                    if (sb == null) {
                        sb = new StringBuilder().append(s, from, i);
                    }
                    sb.append(s.charAt(i + 1));
                    i += 2;
                    continue;
                }
                if (key ? c == '=' : (c == ',' || c == ' ')) {
                    break;
                }
                if (key && (c == ',' || c == ' ')) {
                    throw fault(i, "unescaped " + shownChar(c) + " in " + what + " (escape it as \\" + c + ")");
                }
                if (sb != null) {
                    sb.append(c);
                }
                i++;
            }
            if (i == from) {
                throw fault(from, "missing " + what);
            }
            if (sb == null && key && s.regionMatches(from, deviceTag, 0, deviceTag.length()) && i - from == deviceTag.length()) {
                return deviceTag; // every line names its device: its key without a substring
            }
            return sb == null ? s.substring(from, i) : sb.toString();
        }

        /** A tag value: ends at an unescaped ',' or ' '. */
        /** A tag value: {@code what} and the key shown make the subject of its errors. */
        private String value(boolean tag, String what, String key) throws DecodeException {
            int from = i;
            StringBuilder sb = null; // only once an escape is met
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c == '\\' && i + 1 < s.length() && escapes(s.charAt(i + 1), tag)) {
                    if (sb == null) {
                        sb = new StringBuilder().append(s, from, i);
                    }
                    sb.append(s.charAt(i + 1));
                    i += 2;
                    continue;
                }
                if (c == ',' || c == ' ') {
                    break;
                }
                if (c == '=') {
                    throw fault(i, "unescaped '=' in " + what + shown(key) + " (escape it as \\=)");
                }
                if (sb != null) {
                    sb.append(c);
                }
                i++;
            }
            if (i == from) {
                throw fault(from, "missing " + what + shown(key));
            }
            return sb == null ? s.substring(from, i) : sb.toString();
        }

        private Object fieldValue(String key) throws DecodeException {
            int from = i;
            if (i < s.length() && s.charAt(i) == '"') {
                return string(key);
            }
            while (i < s.length() && s.charAt(i) != ',' && s.charAt(i) != ' ') {
                i++;
            }
            Object fast = plainNumber(s, from, i);
            if (fast != null) {
                return fast;
            }
            String v = s.substring(from, i);
            if (v.isEmpty()) {
                throw fault(from, "missing value of field " + shown(key));
            }
            switch (v) {
                case "t", "T", "true", "True", "TRUE":
                    return Boolean.TRUE;
                case "f", "F", "false", "False", "FALSE":
                    return Boolean.FALSE;
                default:
                    break;
            }
            char last = v.charAt(v.length() - 1);
            String digits = v.substring(0, v.length() - 1);
            if ((last == 'i' || last == 'u') && isFloat(digits)) {
                boolean unsigned = last == 'u';
                if (!isInteger(digits, !unsigned)) {
                    throw fault(from, "field " + shown(key) + ": not " + (unsigned ? "an unsigned" : "an")
                            + " integer: " + shown(v));
                }
                try {
                    return Long.parseLong(digits);
                } catch (NumberFormatException e) {
                    throw fault(from, "field " + shown(key) + ": " + (unsigned
                            ? "unsigned integer above 9223372036854775807, the largest a reading holds: "
                            : "integer outside the 64-bit range: ") + shown(v));
                }
            }
            if (!isFloat(v)) {
                throw fault(from, "field " + shown(key) + ": not a number, integer, string or boolean: " + shown(v));
            }
            double d = Double.parseDouble(v);
            if (!Double.isFinite(d)) {
                throw fault(from, "field " + shown(key) + ": float out of range: " + shown(v));
            }
            return d;
        }

        private String string(String key) throws DecodeException {
            int from = i;
            i++;
            StringBuilder sb = new StringBuilder();
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c == '\\' && i + 1 < s.length() && (s.charAt(i + 1) == '"' || s.charAt(i + 1) == '\\')) {
                    sb.append(s.charAt(i + 1));
                    i += 2;
                    continue;
                }
                if (c == '"') {
                    i++;
                    return sb.toString();
                }
                sb.append(c);
                i++;
            }
            throw fault(from, "field " + shown(key) + ": string value without its closing '\"'");
        }

        private Instant timestamp() throws DecodeException {
            int from = i;
            while (i < s.length() && s.charAt(i) != ' ') {
                i++;
            }
            long plain = plainDigits(s, from, i);
            if (plain >= 0 && plain <= Long.MAX_VALUE / precision.nanos) {
                long nanos = plain * precision.nanos;
                return Instant.ofEpochSecond(nanos / 1_000_000_000L, nanos % 1_000_000_000L);
            }
            String v = s.substring(from, i);
            if (!isInteger(v, true)) {
                throw fault(from, "timestamp must be an integer (" + precision.name().toLowerCase() + "), got "
                        + shown(v));
            }
            try {
                long nanos = Math.multiplyExact(Long.parseLong(v), precision.nanos);
                return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
            } catch (ArithmeticException | NumberFormatException | DateTimeException e) {
                throw fault(from, "timestamp outside the range of 64-bit nanoseconds (1677-09-21..2262-04-11): "
                        + shown(v));
            }
        }

        private DecodeException fault(int index, String reason) {
            return DecodeException.atLine(lineNumber, s.codePointCount(0, Math.min(index, s.length())) + 1, reason);
        }
    }

    private static final double[] POW10 = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13,
        1e14, 1e15};

    /**
     * The value of {@code s[from, to)} when it is 1..18 plain decimal digits, else -1: the
     * common timestamp and integer, read without a substring.
     */
    private static long plainDigits(String s, int from, int to) {
        if (to - from < 1 || to - from > 18) {
            return -1;
        }
        long v = 0;
        for (int k = from; k < to; k++) {
            char c = s.charAt(k);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /**
     * The field value {@code s[from, to)} when it is a plain integer ({@code -?d{1,18}i}) or a
     * plain float ({@code -?d*[.d*]} with 1..15 digits, no exponent), read without substrings
     * and exactly as {@code Long.parseLong} and {@code Double.parseDouble} read them (a mantissa
     * below 2^53 divided by an exact power of ten is correctly rounded); null for anything else,
     * which the general path reads and reports.
     */
    private static Object plainNumber(String s, int from, int to) {
        if (to - from < 1) {
            return null;
        }
        boolean negative = s.charAt(from) == '-';
        int start = negative ? from + 1 : from;
        if (s.charAt(to - 1) == 'i') {
            long v = plainDigits(s, start, to - 1);
            return v < 0 ? null : Long.valueOf(negative ? -v : v);
        }
        long mantissa = 0;
        int digits = 0;
        int fraction = -1;
        for (int k = start; k < to; k++) {
            char c = s.charAt(k);
            if (c == '.' && fraction < 0) {
                fraction = 0;
            } else if (c >= '0' && c <= '9') {
                if (++digits > 15) {
                    return null;
                }
                mantissa = mantissa * 10 + (c - '0');
                if (fraction >= 0) {
                    fraction++;
                }
            } else {
                return null;
            }
        }
        if (digits == 0) {
            return null;
        }
        double d = fraction > 0 ? mantissa / POW10[fraction] : mantissa;
        return Double.valueOf(negative ? -d : d);
    }

    /**
     * The keys of one line's tags, then its fields, to find two that differ only in letter
     * case ({@code toLowerCase(Locale.ROOT)}, as the store compares them): a line has a
     * handful, so a scan of one small array, no hash map. Tags are put first; after
     * {@link #endTags} the keys put are fields, and a lookup sees the fields only, while
     * {@link #getTag} sees the tags.
     */
    private static final class Names {
        private String[] keys = new String[8];
        private int size;
        private int tags = -1;

        /** The keys put from here on are fields. */
        void endTags() {
            tags = size;
        }

        /** The first tag whose key equals {@code key} in lower case, or null. */
        String getTag(String key) {
            return find(key, 0, tags < 0 ? size : tags);
        }

        private String find(String key, int from, int to) {
            String lower = key.toLowerCase(Locale.ROOT);
            for (int k = from; k < to; k++) {
                if (keys[k].toLowerCase(Locale.ROOT).equals(lower)) {
                    return keys[k];
                }
            }
            return null;
        }

        void put(String key) {
            if (size == keys.length) {
                keys = Arrays.copyOf(keys, size * 2);
            }
            keys[size++] = key;
        }

        /**
         * As a map from lower case to the first key, among the tags until {@link #endTags}, then
         * among the fields: the key already there, else null after putting this one.
         */
        String putIfAbsent(String key) {
            String other = find(key, tags < 0 ? 0 : tags, size);
            if (other == null) {
                put(key);
            }
            return other;
        }
    }

    private static boolean escapes(char next, boolean key) {
        return next == ',' || next == ' ' || next == '\\' || (key && next == '=');
    }

    private static boolean isInteger(String v, boolean signed) {
        int k = signed && v.startsWith("-") ? 1 : 0;
        if (k == v.length()) {
            return false;
        }
        for (; k < v.length(); k++) {
            if (v.charAt(k) < '0' || v.charAt(k) > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean isFloat(String v) {
        int k = v.startsWith("-") ? 1 : 0;
        int digits = 0;
        while (k < v.length() && v.charAt(k) >= '0' && v.charAt(k) <= '9') {
            k++;
            digits++;
        }
        if (k < v.length() && v.charAt(k) == '.') {
            k++;
            while (k < v.length() && v.charAt(k) >= '0' && v.charAt(k) <= '9') {
                k++;
                digits++;
            }
        }
        if (digits == 0) {
            return false;
        }
        if (k < v.length() && (v.charAt(k) == 'e' || v.charAt(k) == 'E')) {
            k++;
            if (k < v.length() && (v.charAt(k) == '+' || v.charAt(k) == '-')) {
                k++;
            }
            int exp = 0;
            while (k < v.length() && v.charAt(k) >= '0' && v.charAt(k) <= '9') {
                k++;
                exp++;
            }
            if (exp == 0) {
                return false;
            }
        }
        return k == v.length();
    }

    private static String shown(String v) {
        String cut = v.length() > MAX_SHOWN_CHARS ? v.substring(0, MAX_SHOWN_CHARS) + "…" : v;
        return "'" + cut + "'";
    }

    private static String shownChar(char c) {
        return c < 0x20 || c == 0x7f ? String.format("U+%04X", (int) c) : "'" + c + "'";
    }

    @Override
    public byte[] encode(Reading reading) {
        if (reading.kind().startsWith("#")) {
            throw new IllegalArgumentException("a measurement starting with '#' reads as a comment: " + reading.kind());
        }
        if (reading.tags().containsKey(deviceTag)) {
            throw new IllegalArgumentException("tag " + deviceTag + " is the device (option device_tag); "
                    + "the reading must not carry it as a tag too");
        }
        long nanos = LineProtocolEncoder.nanos(reading.deviceTime());
        if (nanos % precision.nanos != 0) {
            throw new IllegalArgumentException("device time " + reading.deviceTime() + " is finer than precision "
                    + precision.name().toLowerCase());
        }
        for (Map.Entry<String, String> tag : reading.tags().entrySet()) {
            if (tag.getValue().isEmpty()) {
                throw new IllegalArgumentException("tag " + tag.getKey() + " is empty; line protocol has no empty tags");
            }
        }
        TreeMap<String, String> tags = new TreeMap<>(reading.tags());
        tags.put(deviceTag, reading.deviceId());
        StringBuilder sb = new StringBuilder(128);
        LineProtocolEncoder.appendPoint(sb, reading.kind(), tags, reading.fields(), reading.deviceTime());
        if (precision != Precision.NS) {
            int space = sb.lastIndexOf(" ");
            sb.setLength(space + 1);
            sb.append(nanos / precision.nanos);
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }
}
