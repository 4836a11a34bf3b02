package org.limes.drivers.lineprotocol;

import java.time.Instant;
import java.util.Map;
import org.limes.drivers.EventKey;
import org.limes.drivers.Reading;
import org.limes.drivers.SortedArrayMap;

/**
 * Writes InfluxDB line protocol:
 * {@code measurement,tag=v,tag=v field=1.5,count=3i,ok=true,name="x" 1764136800000000000}.
 *
 * <p>Escaping per the line protocol reference: in the measurement, comma and space; in tag
 * keys, tag values and field keys, comma, equals sign and space; in string field values,
 * double quote and backslash. A backslash in a name or tag value is doubled where it would
 * otherwise escape what follows it (see {@code escape}). Doubles are written so they read back identical; longs get
 * the {@code i} suffix. Tags are written in key order, which InfluxDB recommends.
 *
 * <p>A reading becomes one point: measurement = kind; tags = {@code device}, {@code site}
 * (when set) and the reading's tags; timestamp = the device time in nanoseconds, plus, for an
 * event kind, the offset below the device time's precision that keeps two events of one series
 * apart ({@link EventKey#storeTime}).
 *
 * <p>Stateless and thread-safe.
 */
public final class LineProtocolEncoder {

    private LineProtocolEncoder() {
    }

    /** The reading as one line, without a trailing newline. */
    public static String encode(Reading r) {
        StringBuilder sb = new StringBuilder(128);
        appendReading(sb, r);
        return sb.toString();
    }

    public static void appendReading(StringBuilder sb, Reading r) {
        escape(sb, r.kind(), false);
        boolean deviceWritten = false;
        boolean siteWritten = r.site().isEmpty();
        // A reading's maps are SortedArrayMaps: read by index, no iterator or entry per tag.
        SortedArrayMap<String> tags = (SortedArrayMap<String>) r.tags();
        for (int i = 0; i < tags.size(); i++) {
            String key = tags.keyAt(i);
            String value = tags.valueAt(i);
            if (!deviceWritten && key.compareTo("device") > 0) {
                tag(sb, "device", r.deviceId());
                deviceWritten = true;
            }
            if (!siteWritten && key.compareTo("site") > 0) {
                tag(sb, "site", r.site());
                siteWritten = true;
            }
            if (key.equals("device") || key.equals("site") || value.isEmpty()) {
                continue;
            }
            tag(sb, key, value);
        }
        if (!deviceWritten) {
            tag(sb, "device", r.deviceId());
        }
        if (!siteWritten) {
            tag(sb, "site", r.site());
        }
        appendFields(sb, r.fields());
        sb.append(' ').append(nanos(EventKey.storeTime(r)));
    }

    /** A point of any shape; {@code tags} should be sorted by key (e.g. a TreeMap). */
    public static void appendPoint(StringBuilder sb, String measurement, Map<String, String> tags,
            Map<String, Object> fields, Instant time) {
        escape(sb, measurement, false);
        for (Map.Entry<String, String> tag : tags.entrySet()) {
            if (!tag.getValue().isEmpty()) {
                tag(sb, tag.getKey(), tag.getValue());
            }
        }
        appendFields(sb, fields);
        sb.append(' ').append(nanos(time));
    }

    public static long nanos(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
    }

    private static void tag(StringBuilder sb, String key, String value) {
        sb.append(',');
        escape(sb, key, true);
        sb.append('=');
        escape(sb, value, true);
    }

    private static void appendFields(StringBuilder sb, Map<String, Object> fields) {
        if (fields instanceof SortedArrayMap<Object> sorted) {
            for (int i = 0; i < sorted.size(); i++) {
                field(sb, i == 0 ? ' ' : ',', sorted.keyAt(i), sorted.valueAt(i));
            }
            return;
        }
        char sep = ' ';
        for (Map.Entry<String, Object> f : fields.entrySet()) {
            field(sb, sep, f.getKey(), f.getValue());
            sep = ',';
        }
    }

    private static void field(StringBuilder sb, char sep, String key, Object v) {
        sb.append(sep);
        escape(sb, key, true);
        sb.append('=');
        if (v instanceof Double d) {
            sb.append(d.doubleValue());
        } else if (v instanceof Long l) {
            sb.append(l.longValue()).append('i');
        } else if (v instanceof Boolean b) {
            sb.append(b.booleanValue() ? 't' : 'f');
        } else {
            sb.append('"');
            String s = String.valueOf(v);
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '\n' || c == '\r') {
                    c = ' ';
                }
                if (c == '"' || c == '\\') {
                    sb.append('\\');
                }
                sb.append(c);
            }
            sb.append('"');
        }
    }

    /**
     * Escapes a measurement ({@code equalsToo} false) or a tag key, tag value or field key.
     * A backslash is written doubled when it is the last character or is followed by a
     * character that would otherwise pair with it into an escape (comma, space, backslash
     * and, outside the measurement, equals sign); elsewhere it is written as is. Per the
     * line protocol reference "two contiguous backslashes" read as one, so a value ending
     * in a backslash no longer escapes the separator after it, and parsers that keep lone
     * backslashes literal read every other backslash unchanged.
     */
    private static void escape(StringBuilder sb, String s, boolean equalsToo) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = oneLine(s.charAt(i));
            if (c == '\\') {
                boolean pairs = i + 1 == n || escapable(oneLine(s.charAt(i + 1)), equalsToo);
                sb.append(pairs ? "\\\\" : "\\");
                continue;
            }
            if (c == ',' || c == ' ' || (equalsToo && c == '=')) {
                sb.append('\\');
            }
            sb.append(c);
        }
    }

    private static boolean escapable(char c, boolean equalsToo) {
        return c == ',' || c == ' ' || c == '\\' || (equalsToo && c == '=');
    }

    /** A newline ends a point and has no escape; it becomes an (escaped) space. */
    private static char oneLine(char c) {
        return c == '\n' || c == '\r' ? ' ' : c;
    }
}
