package org.limes.drivers.radar.nmea;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.limes.drivers.Ascii;
import org.limes.drivers.Reading;
import org.limes.drivers.SortedArrayMap;

/**
 * A good {@code TTM} sentence read field by field straight from its bytes, with no field
 * strings, no builders and no key arrays: what a tracking radar sends many times a second.
 * Anything it does not find good gives null, and {@link NmeaRadarDriver} reads the sentence
 * the general way, which gives the reading or the error it always gave: this class never
 * judges a sentence, it only reads the good ones exactly as the general way does (the same
 * decimal arithmetic as {@link NmeaFields#parseDecimal}, the same dating by
 * {@link NmeaFields#nearest}).
 *
 * <p>Left to the general way: a number of more than 15 digits, a name with a {@code ^hh}
 * escape, and every fault. The fields keys are shared per shape
 * ({@link SortedArrayMap.Keys#subset}, at most 512 shapes), and per target number the last
 * tags and name are kept and given again while the sentence repeats them (a table of 1,000
 * entries, one per target number 0..999, each replaced when its target's tags or name change:
 * bounded by construction). So a sentence costs its reading, its instant and its numbers.
 *
 * <p>Thread-safe: the table holds immutable entries, and a race between two threads over one
 * target's entry only makes one of two equal entries win.
 */
final class TtmScanner {

    private static final int MAX_DIGITS = 15;
    private static final double[] POW10 = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13,
        1e14, 1e15};

    private static final SortedArrayMap.Keys FIELDS = SortedArrayMap.Keys.of("bearing_deg", "course_deg", "cpa_m",
            "name", "range_m", "reference", "speed_mps", "target", "tcpa_s");
    private static final int BEARING = FIELDS.indexOf("bearing_deg");
    private static final int COURSE = FIELDS.indexOf("course_deg");
    private static final int CPA = FIELDS.indexOf("cpa_m");
    private static final int NAME = FIELDS.indexOf("name");
    private static final int RANGE = FIELDS.indexOf("range_m");
    private static final int REFERENCE = FIELDS.indexOf("reference");
    private static final int SPEED = FIELDS.indexOf("speed_mps");
    private static final int TARGET = FIELDS.indexOf("target");
    private static final int TCPA = FIELDS.indexOf("tcpa_s");

    private static final SortedArrayMap.Keys TAGS = SortedArrayMap.Keys.of("acquisition", "bearing_ref", "course_ref",
            "status", "track");
    /** The values of each optional tag by code; code 0 is "absent". */
    private static final String[] ACQUISITION = {null, "auto", "manual", "reported"};
    private static final String[] REF = {null, "true", "relative"};
    private static final String[] STATUS = {null, "lost", "query", "tracking"};

    private static final String[] TRACKS = new String[1000];
    private static final Long[] TARGETS = new Long[1000];
    /** Per target number, the last tags and name given: see the class comment. */
    private static final Memo[] MEMO = new Memo[1000];

    static {
        for (int i = 0; i < TRACKS.length; i++) {
            TRACKS[i] = Integer.toString(i);
            TARGETS[i] = (long) i;
        }
    }

    /** One target's last tags (by their code) and name; immutable. */
    private record Memo(int code, SortedArrayMap<String> tags, String name) {
    }

    private TtmScanner() {
    }

    /**
     * The reading of the fields {@code b[from, to)} of a {@code TTM} sentence (after
     * {@code $ttTTM,}, before {@code *hh}; checksum and characters already checked), or null
     * when they are not all good or not all plain.
     */
    static Reading read(byte[] b, int from, int to, String device, Instant receivedAt) {
        int fields = 1;
        for (int k = from; k < to; k++) {
            if (b[k] == ',') {
                fields++;
            }
        }
        if (fields < 13 || fields > 15) {
            return null;
        }
        // 1: target number 0..999.
        int end = fieldEnd(b, from, to);
        int target = 0;
        if (end == from || end - from > 3) {
            return null;
        }
        for (int k = from; k < end; k++) {
            if (b[k] < '0' || b[k] > '9') {
                return null;
            }
            target = target * 10 + (b[k] - '0');
        }
        // 2 to 9: distance, bearing and its reference, speed, course and its reference, CPA, time to CPA.
        int at = end + 1;
        end = fieldEnd(b, at, to);
        double distance = decimal(b, at, end);
        if (distance < 0 || (Double.isNaN(distance) && end > at)) {
            return null;
        }
        at = end + 1;
        end = fieldEnd(b, at, to);
        double bearing = decimal(b, at, end);
        if (end > at && !(bearing >= 0 && bearing <= 360)) {
            return null;
        }
        at = end + 1;
        end = fieldEnd(b, at, to);
        int bearingRef = reference(b, at, end);
        at = end + 1;
        end = fieldEnd(b, at, to);
        double speed = decimal(b, at, end);
        if (speed < 0 || (Double.isNaN(speed) && end > at)) {
            return null;
        }
        at = end + 1;
        end = fieldEnd(b, at, to);
        double course = decimal(b, at, end);
        if (end > at && !(course >= 0 && course <= 360)) {
            return null;
        }
        at = end + 1;
        end = fieldEnd(b, at, to);
        int courseRef = reference(b, at, end);
        at = end + 1;
        end = fieldEnd(b, at, to);
        double cpa = decimal(b, at, end);
        if (cpa < 0 || (Double.isNaN(cpa) && end > at)) {
            return null;
        }
        at = end + 1;
        end = fieldEnd(b, at, to);
        double tcpa = decimal(b, at, end);
        if (Double.isNaN(tcpa) && end > at) {
            return null;
        }
        // A reference is needed only with its angle; an angle without one is a fault.
        if ((!Double.isNaN(bearing) && bearingRef <= 0) || (!Double.isNaN(course) && courseRef <= 0)) {
            return null;
        }
        if (Double.isNaN(bearing)) {
            bearingRef = 0;
        }
        if (Double.isNaN(course)) {
            courseRef = 0;
        }
        // 10: units, needed when a distance, speed or CPA is given.
        at = end + 1;
        end = fieldEnd(b, at, to);
        NmeaFields.Units units = null;
        if (!Double.isNaN(distance) || !Double.isNaN(speed) || !Double.isNaN(cpa)) {
            if (end - at != 1) {
                return null;
            }
            units = switch (b[at]) {
                case 'K' -> NmeaFields.Units.K;
                case 'N' -> NmeaFields.Units.N;
                case 'S' -> NmeaFields.Units.S;
                default -> null;
            };
            if (units == null) {
                return null;
            }
        }
        // 11: name, plain (an escape is left to the general way).
        at = end + 1;
        end = fieldEnd(b, at, to);
        int nameFrom = at;
        int nameTo = end;
        for (int k = nameFrom; k < nameTo; k++) {
            if (b[k] == '^') {
                return null;
            }
        }
        // 12: status; 13: reference target.
        at = end + 1;
        end = fieldEnd(b, at, to);
        int status = end == at ? 0 : end - at == 1 ? switch (b[at]) {
            case 'L' -> 1;
            case 'Q' -> 2;
            case 'T' -> 3;
            default -> -1;
        } : -1;
        at = end + 1;
        end = fieldEnd(b, at, to);
        boolean reference;
        if (end == at) {
            reference = false;
        } else if (end - at == 1 && b[at] == 'R') {
            reference = true;
        } else {
            return null;
        }
        if (status < 0) {
            return null;
        }
        // 14: UTC of the data; 15: acquisition.
        Instant time = receivedAt;
        int acquisition = 0;
        if (fields >= 14) {
            at = end + 1;
            end = fieldEnd(b, at, to);
            if (end > at && (time = utc(b, at, end, receivedAt)) == null) {
                return null;
            }
        }
        if (fields >= 15) {
            at = end + 1;
            end = fieldEnd(b, at, to);
            acquisition = end == at ? 0 : end - at == 1 ? switch (b[at]) {
                case 'A' -> 1;
                case 'M' -> 2;
                case 'R' -> 3;
                default -> -1;
            } : -1;
            if (acquisition < 0) {
                return null;
            }
        }

        int code = acquisition + 4 * (bearingRef + 3 * (courseRef + 3 * status));
        Memo memo = MEMO[target];
        SortedArrayMap<String> tags = memo != null && memo.code == code ? memo.tags : null;
        String name = memo != null && memo.name != null && Ascii.equals(b, nameFrom, nameTo, memo.name) ? memo.name : null;
        if (tags == null || (name == null && nameTo > nameFrom)) {
            if (tags == null) {
                tags = tags(code, acquisition, bearingRef, courseRef, status, target);
            }
            if (name == null && nameTo > nameFrom) {
                name = new String(b, nameFrom, nameTo - nameFrom, StandardCharsets.ISO_8859_1);
            }
            MEMO[target] = new Memo(code, tags, name != null ? name : memo != null ? memo.name : null);
        }

        int mask = 1 << TARGET;
        mask |= Double.isNaN(bearing) ? 0 : 1 << BEARING;
        mask |= Double.isNaN(course) ? 0 : 1 << COURSE;
        mask |= Double.isNaN(cpa) ? 0 : 1 << CPA;
        mask |= nameTo > nameFrom ? 1 << NAME : 0;
        mask |= Double.isNaN(distance) ? 0 : 1 << RANGE;
        mask |= reference ? 1 << REFERENCE : 0;
        mask |= Double.isNaN(speed) ? 0 : 1 << SPEED;
        mask |= Double.isNaN(tcpa) ? 0 : 1 << TCPA;
        // In key order, as the general way puts them: the same arithmetic, the same doubles.
        Object[] values = new Object[Integer.bitCount(mask)];
        int n = 0;
        if (!Double.isNaN(bearing)) {
            values[n++] = bearing;
        }
        if (!Double.isNaN(course)) {
            values[n++] = course;
        }
        if (!Double.isNaN(cpa)) {
            values[n++] = cpa * units.metres;
        }
        if (nameTo > nameFrom) {
            values[n++] = name;
        }
        if (!Double.isNaN(distance)) {
            values[n++] = distance * units.metres;
        }
        if (reference) {
            values[n++] = Boolean.TRUE;
        }
        if (!Double.isNaN(speed)) {
            values[n++] = speed * units.metresPerSecond;
        }
        values[n++] = TARGETS[target];
        if (!Double.isNaN(tcpa)) {
            values[n] = tcpa * 60;
        }
        return new Reading(device, "", NmeaRadarDriver.KIND, tags, FIELDS.subset(mask).map(values), time, receivedAt);
    }

    private static SortedArrayMap<String> tags(int code, int acquisition, int bearingRef, int courseRef, int status,
            int target) {
        String[] values = {ACQUISITION[acquisition], REF[bearingRef], REF[courseRef], STATUS[status], TRACKS[target]};
        int mask = 0;
        int n = 0;
        for (int i = 0; i < values.length; i++) {
            if (values[i] != null) {
                mask |= 1 << i;
                n++;
            }
        }
        Object[] present = new Object[n];
        n = 0;
        for (String v : values) {
            if (v != null) {
                present[n++] = v;
            }
        }
        return TAGS.subset(mask).map(present);
    }

    /** The end of the field starting at {@code at}: the next comma, or {@code to}. */
    private static int fieldEnd(byte[] b, int at, int to) {
        int k = at;
        while (k < to && b[k] != ',') {
            k++;
        }
        return k;
    }

    /** 1 for T, 2 for R, -1 for anything else (empty included). */
    private static int reference(byte[] b, int at, int end) {
        if (end - at != 1) {
            return -1;
        }
        return b[at] == 'T' ? 1 : b[at] == 'R' ? 2 : -1;
    }

    /**
     * The value of a decimal field as {@link NmeaFields#parseDecimal} computes it (sign, at
     * most 15 digits, at most one point); NaN when the field is empty or not such a decimal.
     */
    private static double decimal(byte[] b, int from, int to) {
        int k = from;
        boolean negative = false;
        if (k < to && (b[k] == '-' || b[k] == '+')) {
            negative = b[k] == '-';
            k++;
        }
        long mantissa = 0;
        int digits = 0;
        int fraction = -1;
        for (; k < to; k++) {
            byte c = b[k];
            if (c == '.' && fraction < 0) {
                fraction = 0;
                continue;
            }
            if (c < '0' || c > '9' || ++digits > MAX_DIGITS) {
                return Double.NaN;
            }
            mantissa = mantissa * 10 + (c - '0');
            if (fraction >= 0) {
                fraction++;
            }
        }
        if (digits == 0) {
            return Double.NaN;
        }
        double d = fraction > 0 ? mantissa / POW10[fraction] : mantissa;
        return negative ? -d : d;
    }

    /** The instant of {@code hhmmss[.s…]} nearest the receive time, as {@link NmeaFields#utc}; null when not that form. */
    private static Instant utc(byte[] b, int from, int to, Instant receivedAt) {
        int len = to - from;
        if (len < 6 || (len > 6 && (b[from + 6] != '.' || len == 7 || len > 16))) {
            return null;
        }
        for (int k = from; k < to; k++) {
            if (k != from + 6 && (b[k] < '0' || b[k] > '9')) {
                return null;
            }
        }
        int hh = (b[from] - '0') * 10 + (b[from + 1] - '0');
        int mm = (b[from + 2] - '0') * 10 + (b[from + 3] - '0');
        int ss = (b[from + 4] - '0') * 10 + (b[from + 5] - '0');
        if (hh > 23 || mm > 59 || ss > 59) {
            return null;
        }
        int nanos = 0;
        for (int i = 7; i < 16; i++) {
            nanos = nanos * 10 + (i < len ? b[from + i] - '0' : 0);
        }
        return NmeaFields.nearest(hh * 3600 + mm * 60 + ss, nanos, receivedAt);
    }
}
