package org.limes.drivers.counter.json;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.limes.drivers.Ascii;
import org.limes.drivers.DeviceId;
import org.limes.drivers.Reading;
import org.limes.drivers.SortedArrayMap;
import org.limes.drivers.json.IsoInstant;

/**
 * The common form of a {@code counter-json} frame, read straight from its bytes: what a
 * counter sends every interval, decoded without a JSON parser, a builder or a key array per
 * frame. Anything else gives null, and {@link CounterJsonDriver} parses the frame with Jackson,
 * which gives the reading or the error it always gave: this class never judges a frame, it
 * only recognises the frames that are certainly good and reads them exactly as Jackson and the
 * driver would.
 *
 * <p>The common form, within JSON as Jackson reads it by default:
 * <pre>
 * structure   one object; whitespace only space, tab, CR, LF; nothing after it but whitespace
 * strings     printable ASCII, no escapes (no '\'), at most 1,000 bytes
 * numbers     unsigned, no exponent, at most 15 digits ("-", "1e3", "01" are left to Jackson)
 * device      a string DeviceId accepts
 * time        a string IsoInstant reads (else OffsetDateTime's parse and its errors decide)
 * lane        a non-blank string of 1..16 bytes, or an integer of at most 16 digits
 * direction   "inbound" | "outbound"
 * interval_s  an integer 1..86400
 * counts      1+ of car, van, truck, bus, motorcycle, bicycle, pedestrian, each 0..1000000
 * avg_speed_kmh, occupancy_pct   null, or a number in range
 * other keys  a string, number, true, false or null (an object or array is left to Jackson)
 * </pre>
 * and every key at most once, every required key present. The {@code counts} classes are the
 * seven the driver names without building a string; a frame with another class goes the
 * Jackson way. The fields keys are shared per shape ({@link SortedArrayMap.Keys#subset}, at
 * most 512 shapes) and the tags of lanes 0..9 are made once, so a frame costs its reading, its
 * device id, its instant and its values.
 *
 * <p>Stateless and thread-safe.
 */
final class CounterJsonScanner {

    /** Longer frames, strings or keys go to Jackson, whose limits then apply unchanged. */
    private static final int MAX_FRAME_BYTES = 1 << 20;
    private static final int MAX_STRING_BYTES = 1_000;
    private static final int MAX_DIGITS = 15;
    private static final int MAX_LANE_BYTES = 16;
    private static final long MAX_INTERVAL_S = 86_400;
    private static final long MAX_COUNT = 1_000_000;
    private static final double MAX_SPEED_KMH = 400;
    private static final double MAX_OCCUPANCY_PCT = 100;
    private static final double KMH_PER_MPS = 3.6;
    private static final double[] POW10 = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13,
        1e14, 1e15};

    /** Every field a common frame can give, in key order; the slot numbers below index it. */
    static final SortedArrayMap.Keys FIELDS = SortedArrayMap.Keys.of("count_bicycle", "count_bus", "count_car",
            "count_motorcycle", "count_pedestrian", "count_total", "count_truck", "count_van", "interval_s",
            "occupancy_pct", "speed_avg_mps");
    private static final int TOTAL_SLOT = FIELDS.indexOf("count_total");
    private static final int INTERVAL_SLOT = FIELDS.indexOf("interval_s");
    private static final int OCCUPANCY_SLOT = FIELDS.indexOf("occupancy_pct");
    private static final int SPEED_SLOT = FIELDS.indexOf("speed_avg_mps");
    /** The vehicle classes of a common frame, in key order, and the slot of each. */
    private static final String[] CLASSES = {"bicycle", "bus", "car", "motorcycle", "pedestrian", "truck", "van"};
    private static final int BICYCLE = 0;
    private static final int BUS = 1;
    private static final int CAR = 2;
    private static final int MOTORCYCLE = 3;
    private static final int PEDESTRIAN = 4;
    private static final int TRUCK = 5;
    private static final int VAN = 6;
    private static final int[] CLASS_SLOT = new int[CLASSES.length];

    private static final SortedArrayMap.Keys TAGS = SortedArrayMap.Keys.of(CounterJsonDriver.TAG_DIRECTION,
            CounterJsonDriver.TAG_LANE);
    private static final String INBOUND = "inbound";
    private static final String OUTBOUND = "outbound";
    /** The tags of lanes "0".."9" in each direction, made once. */
    private static final SortedArrayMap<?>[][] DIGIT_LANE_TAGS = new SortedArrayMap<?>[2][10];
    private static final String[] DIGIT_LANES = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};

    // The top-level keys, one bit each.
    private static final int DEVICE = 0;
    private static final int TIME = 1;
    private static final int LANE = 2;
    private static final int DIRECTION = 3;
    private static final int INTERVAL_S = 4;
    private static final int COUNTS = 5;
    private static final int AVG_SPEED = 6;
    private static final int OCCUPANCY_PCT = 7;
    private static final int REQUIRED = (1 << 6) - 1;

    static {
        for (int c = 0; c < CLASSES.length; c++) {
            CLASS_SLOT[c] = FIELDS.indexOf(CounterJsonDriver.COUNT_PREFIX + CLASSES[c]);
        }
        for (int lane = 0; lane < 10; lane++) {
            DIGIT_LANE_TAGS[0][lane] = TAGS.map(new Object[] {INBOUND, DIGIT_LANES[lane]});
            DIGIT_LANE_TAGS[1][lane] = TAGS.map(new Object[] {OUTBOUND, DIGIT_LANES[lane]});
        }
    }

    private CounterJsonScanner() {
    }

    /** The reading of a frame in the common form, or null when the frame is not in it. */
    static Reading read(byte[] b, Instant receivedAt) {
        if (b.length > MAX_FRAME_BYTES) {
            return null;
        }
        String device = null;
        Instant time = null;
        String lane = null;
        int direction = -1;
        long interval = 0;
        // The counts of the seven classes, and one bit per class seen (bit = index in CLASSES).
        long bicycle = 0;
        long bus = 0;
        long car = 0;
        long motorcycle = 0;
        long pedestrian = 0;
        long truck = 0;
        long van = 0;
        int classes = 0;
        double speedKmh = Double.NaN;
        double occupancy = Double.NaN;
        int seen = 0;

        int i = ws(b, 0);
        if (i >= b.length || b[i] != '{') {
            return null;
        }
        i = ws(b, i + 1);
        while (true) {
            if (i >= b.length || b[i] != '"') {
                return null;
            }
            int keyStart = i + 1;
            int keyEnd = stringEnd(b, keyStart);
            if (keyEnd < 0) {
                return null;
            }
            i = ws(b, keyEnd + 1);
            if (i >= b.length || b[i] != ':') {
                return null;
            }
            i = ws(b, i + 1);
            if (i >= b.length) {
                return null;
            }
            int key = topKey(b, keyStart, keyEnd);
            if (key >= 0) {
                if ((seen & (1 << key)) != 0) {
                    return null;
                }
                seen |= 1 << key;
            }
            int end;
            switch (key) {
                case DEVICE -> {
                    end = stringValueEnd(b, i);
                    if (end < 0 || !isDeviceId(b, i + 1, end)) {
                        return null;
                    }
                    device = new String(b, i + 1, end - i - 1, StandardCharsets.ISO_8859_1);
                    end++;
                }
                case TIME -> {
                    end = stringValueEnd(b, i);
                    if (end < 0 || (time = IsoInstant.parse(b, i + 1, end - i - 1)) == null) {
                        return null;
                    }
                    end++;
                }
                case LANE -> {
                    if (b[i] == '"') {
                        end = stringValueEnd(b, i);
                        if (end < 0 || (lane = lane(b, i + 1, end)) == null) {
                            return null;
                        }
                        end++;
                    } else {
                        end = integerEnd(b, i);
                        if (end < 0 || (lane = lane(b, i, end)) == null) {
                            return null;
                        }
                    }
                }
                case DIRECTION -> {
                    end = stringValueEnd(b, i);
                    if (end < 0) {
                        return null;
                    }
                    if (Ascii.equals(b, i + 1, end, INBOUND)) {
                        direction = 0;
                    } else if (Ascii.equals(b, i + 1, end, OUTBOUND)) {
                        direction = 1;
                    } else {
                        return null;
                    }
                    end++;
                }
                case INTERVAL_S -> {
                    end = integerEnd(b, i);
                    if (end < 0 || (interval = digits(b, i, end)) < 1 || interval > MAX_INTERVAL_S) {
                        return null;
                    }
                }
                case COUNTS -> {
                    if (b[i] != '{') {
                        return null;
                    }
                    i = ws(b, i + 1);
                    while (true) {
                        if (i >= b.length || b[i] != '"') {
                            return null;
                        }
                        int classEnd = stringEnd(b, i + 1);
                        int c = classEnd < 0 ? -1 : vehicleClass(b, i + 1, classEnd);
                        if (c < 0 || (classes & (1 << c)) != 0) {
                            return null;
                        }
                        classes |= 1 << c;
                        i = ws(b, classEnd + 1);
                        if (i >= b.length || b[i] != ':') {
                            return null;
                        }
                        i = ws(b, i + 1);
                        int countEnd = integerEnd(b, i);
                        long count = countEnd < 0 ? -1 : digits(b, i, countEnd);
                        if (count < 0 || count > MAX_COUNT) {
                            return null;
                        }
                        switch (c) {
                            case BICYCLE -> bicycle = count;
                            case BUS -> bus = count;
                            case CAR -> car = count;
                            case MOTORCYCLE -> motorcycle = count;
                            case PEDESTRIAN -> pedestrian = count;
                            case TRUCK -> truck = count;
                            default -> van = count;
                        }
                        i = ws(b, countEnd);
                        if (i >= b.length || (b[i] != ',' && b[i] != '}')) {
                            return null;
                        }
                        if (b[i] == '}') {
                            break;
                        }
                        i = ws(b, i + 1);
                    }
                    end = i + 1;
                }
                case AVG_SPEED, OCCUPANCY_PCT -> {
                    double max = key == AVG_SPEED ? MAX_SPEED_KMH : MAX_OCCUPANCY_PCT;
                    double v;
                    if (isLiteral(b, i, "null")) {
                        end = i + 4;
                        v = Double.NaN;
                    } else {
                        end = numberEnd(b, i);
                        if (end < 0) {
                            return null;
                        }
                        v = decimal(b, i, end);
                        if (!(v >= 0 && v <= max)) {
                            return null;
                        }
                    }
                    if (key == AVG_SPEED) {
                        speedKmh = v;
                    } else {
                        occupancy = v;
                    }
                }
                default -> {
                    end = skipScalar(b, i);
                    if (end < 0) {
                        return null;
                    }
                }
            }
            i = ws(b, end);
            if (i >= b.length) {
                return null;
            }
            if (b[i] == '}') {
                break;
            }
            if (b[i] != ',') {
                return null;
            }
            i = ws(b, i + 1);
        }
        if (ws(b, i + 1) != b.length || (seen & REQUIRED) != REQUIRED) {
            return null;
        }
        // The fields as the driver puts them, in key order: each class, their total, the
        // interval, occupancy, the speed in m/s; their keys shared per shape.
        int mask = (1 << TOTAL_SLOT) | (1 << INTERVAL_SLOT) | (Double.isNaN(occupancy) ? 0 : 1 << OCCUPANCY_SLOT)
                | (Double.isNaN(speedKmh) ? 0 : 1 << SPEED_SLOT);
        for (int c = 0; c < CLASSES.length; c++) {
            if ((classes & (1 << c)) != 0) {
                mask |= 1 << CLASS_SLOT[c];
            }
        }
        Object[] values = new Object[Integer.bitCount(mask)];
        int n = 0;
        n = put(values, n, classes, BICYCLE, bicycle);
        n = put(values, n, classes, BUS, bus);
        n = put(values, n, classes, CAR, car);
        n = put(values, n, classes, MOTORCYCLE, motorcycle);
        n = put(values, n, classes, PEDESTRIAN, pedestrian);
        values[n++] = bicycle + bus + car + motorcycle + pedestrian + truck + van;
        n = put(values, n, classes, TRUCK, truck);
        n = put(values, n, classes, VAN, van);
        values[n++] = interval;
        if (!Double.isNaN(occupancy)) {
            values[n++] = occupancy;
        }
        if (!Double.isNaN(speedKmh)) {
            values[n] = speedKmh / KMH_PER_MPS;
        }
        return new Reading(device, "", CounterJsonDriver.KIND, tags(direction, lane), FIELDS.subset(mask).map(values),
                time, receivedAt);
    }

    private static int put(Object[] values, int n, int classes, int c, long count) {
        if ((classes & (1 << c)) == 0) {
            return n;
        }
        values[n] = count;
        return n + 1;
    }

    @SuppressWarnings("unchecked")
    private static SortedArrayMap<String> tags(int direction, String lane) {
        if (lane.length() == 1 && lane.charAt(0) >= '0' && lane.charAt(0) <= '9') {
            return (SortedArrayMap<String>) DIGIT_LANE_TAGS[direction][lane.charAt(0) - '0'];
        }
        return TAGS.map(new Object[] {direction == 0 ? INBOUND : OUTBOUND, lane});
    }

    private static int vehicleClass(byte[] b, int from, int to) {
        for (int c = 0; c < CLASSES.length; c++) {
            if (Ascii.equals(b, from, to, CLASSES[c])) {
                return c;
            }
        }
        return -1;
    }

    private static int topKey(byte[] b, int from, int to) {
        return switch (to - from) {
            case 4 -> Ascii.equals(b, from, to, "time") ? TIME : Ascii.equals(b, from, to, "lane") ? LANE : -1;
            case 6 -> Ascii.equals(b, from, to, "device") ? DEVICE : Ascii.equals(b, from, to, "counts") ? COUNTS : -1;
            case 9 -> Ascii.equals(b, from, to, "direction") ? DIRECTION : -1;
            case 10 -> Ascii.equals(b, from, to, "interval_s") ? INTERVAL_S : -1;
            case 13 -> Ascii.equals(b, from, to, "avg_speed_kmh") ? AVG_SPEED
                    : Ascii.equals(b, from, to, "occupancy_pct") ? OCCUPANCY_PCT : -1;
            default -> -1;
        };
    }

    /** The lane of the text {@code b[from, to)}: the shared "0".."9", else a new string; null when not a lane. */
    private static String lane(byte[] b, int from, int to) {
        int n = to - from;
        if (n == 1 && b[from] >= '0' && b[from] <= '9') {
            return DIGIT_LANES[b[from] - '0'];
        }
        if (n < 1 || n > MAX_LANE_BYTES) {
            return null;
        }
        for (int k = from; k < to; k++) {
            // Printable ASCII only (stringEnd saw to it): the space is its one blank.
            if (b[k] != ' ') {
                return new String(b, from, n, StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    private static boolean isDeviceId(byte[] b, int from, int to) {
        if (to - from < 1 || to - from > DeviceId.MAX_CHARS) {
            return false;
        }
        for (int k = from; k < to; k++) {
            byte c = b[k];
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == ':' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** The index after JSON whitespace (space, tab, CR, LF) from {@code i}. */
    private static int ws(byte[] b, int i) {
        while (i < b.length && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t')) {
            i++;
        }
        return i;
    }

    /** The index of the closing quote of a string whose text starts at {@code i}, or -1 when not in the common form. */
    private static int stringEnd(byte[] b, int i) {
        int limit = Math.min(b.length, i + MAX_STRING_BYTES + 1);
        for (int k = i; k < limit; k++) {
            int c = b[k];
            if (c == '"') {
                return k;
            }
            // A negative byte is beyond ASCII; a control character is an error; '\' starts an escape.
            if (c < 0x20 || c == '\\') {
                return -1;
            }
        }
        return -1;
    }

    /** The index of the closing quote of a string value starting with its quote at {@code i}, or -1. */
    private static int stringValueEnd(byte[] b, int i) {
        return b[i] == '"' ? stringEnd(b, i + 1) : -1;
    }

    /** The end of an unsigned integer at {@code i} ({@code 0} or {@code [1-9][0-9]*}, at most 15 digits), or -1. */
    private static int integerEnd(byte[] b, int i) {
        int k = i;
        while (k < b.length && b[k] >= '0' && b[k] <= '9') {
            k++;
        }
        int n = k - i;
        if (n == 0 || n > MAX_DIGITS || (b[i] == '0' && n > 1)) {
            return -1;
        }
        if (k < b.length && (b[k] == '.' || b[k] == 'e' || b[k] == 'E')) {
            return -1;
        }
        return k;
    }

    /** The end of an unsigned integer or decimal ({@code 12}, {@code 12.5}) at {@code i}, 15 digits at most, or -1. */
    private static int numberEnd(byte[] b, int i) {
        int k = i;
        while (k < b.length && b[k] >= '0' && b[k] <= '9') {
            k++;
        }
        int whole = k - i;
        if (whole == 0 || (b[i] == '0' && whole > 1)) {
            return -1;
        }
        int fraction = 0;
        if (k < b.length && b[k] == '.') {
            k++;
            int from = k;
            while (k < b.length && b[k] >= '0' && b[k] <= '9') {
                k++;
            }
            fraction = k - from;
            if (fraction == 0) {
                return -1;
            }
        }
        if (whole + fraction > MAX_DIGITS || (k < b.length && (b[k] == 'e' || b[k] == 'E'))) {
            return -1;
        }
        return k;
    }

    /** The value of the digits {@code b[from, to)}, at most 15 of them. */
    private static long digits(byte[] b, int from, int to) {
        long v = 0;
        for (int k = from; k < to; k++) {
            v = v * 10 + (b[k] - '0');
        }
        return v;
    }

    /**
     * The double {@code Double.parseDouble} gives for a number {@link #numberEnd} accepted: its
     * at most 15 digits are an exact long and the power of ten an exact double, so the one
     * division rounds correctly, as parseDouble does.
     */
    private static double decimal(byte[] b, int from, int to) {
        long mantissa = 0;
        int fraction = -1;
        for (int k = from; k < to; k++) {
            if (b[k] == '.') {
                fraction = 0;
                continue;
            }
            mantissa = mantissa * 10 + (b[k] - '0');
            if (fraction >= 0) {
                fraction++;
            }
        }
        return fraction > 0 ? mantissa / POW10[fraction] : mantissa;
    }

    /** The end of a string, number, true, false or null at {@code i}, or -1 (objects and arrays included). */
    private static int skipScalar(byte[] b, int i) {
        byte c = b[i];
        if (c == '"') {
            int end = stringEnd(b, i + 1);
            return end < 0 ? -1 : end + 1;
        }
        if (c >= '0' && c <= '9') {
            return numberEnd(b, i);
        }
        if (isLiteral(b, i, "true") || isLiteral(b, i, "null")) {
            return i + 4;
        }
        return isLiteral(b, i, "false") ? i + 5 : -1;
    }

    /** Whether {@code literal} is at {@code i} (the caller then checks what follows it). */
    private static boolean isLiteral(byte[] b, int i, String literal) {
        int end = i + literal.length();
        return end <= b.length && Ascii.equals(b, i, end, literal);
    }
}
