package org.limes.drivers.radar.nmea;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import org.limes.drivers.SortedArrayMap;
import org.limes.drivers.DecodeException;

/**
 * The fields of one NMEA sentence, numbered from 1 as the standard numbers them, and the
 * reading of each kind of field the {@link NmeaRadarDriver} needs (target number, decimal,
 * units, angle with its T/R reference, name with {@code ^hh} escapes, status, reference
 * target, latitude/longitude, UTC time of day), each failing with a
 * {@link DecodeException} that names the sentence type, the field number and its meaning;
 * plus the byte-level helpers shared by the driver's checksum check and the
 * {@link NmeaEncoder} (hex digits, the day of a time of day).
 *
 * <p>An instance is made per sentence and confined to the thread decoding it; the static
 * helpers are pure and thread-safe.
 */
final class NmeaFields {

    static final double METRES_PER_NM = 1852;
    static final double METRES_PER_MILE = 1609.344;
    static final int MAX_SHOWN_CHARS = 40;

    /** The speed and distance units of TTM field 10. */
    enum Units {
        K("K", 1000, 1000 / 3600.0), N("N", METRES_PER_NM, METRES_PER_NM / 3600), S("S", METRES_PER_MILE,
                METRES_PER_MILE / 3600);

        final String letter;
        final double metres;
        final double metresPerSecond;

        Units(String letter, double metres, double metresPerSecond) {
            this.letter = letter;
            this.metres = metres;
            this.metresPerSecond = metresPerSecond;
        }
    }

    private static final double[] POW10 = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13,
        1e14, 1e15};
    /** The track tag of targets 0..999, made once. */
    private static final String[] TRACKS = new String[1000];

    static {
        for (int i = 0; i < TRACKS.length; i++) {
            TRACKS[i] = Integer.toString(i);
        }
    }

    private final String type;
    private final String[] names;
    private final String[] f;

    NmeaFields(String type, String[] names, String[] f) {
        this.type = type;
        this.names = names;
        this.f = f;
    }

    int count() {
        return f.length - 1;
    }

    void count(int min, int max) throws DecodeException {
        if (count() < min || count() > max) {
            throw DecodeException.atField(type, "expected " + (min == max ? min : min + " to " + max)
                    + " fields, got " + count());
        }
    }

    String get(int k) {
        return k < f.length ? f[k] : "";
    }

    DecodeException fault(int k, String reason) {
        return DecodeException.atField(type + "." + k + " (" + names[k] + ")", reason);
    }

    int target(SortedArrayMap.Builder<String> tags, SortedArrayMap.Builder<Object> fields) throws DecodeException {
        String v = get(1);
        if (v.isEmpty()) {
            throw fault(1, "is required but empty");
        }
        if (v.length() > 3 || !allDigits(v, 0, v.length())) {
            throw fault(1, "must be an integer 0..999, got " + shown(v));
        }
        int n = Integer.parseInt(v);
        tags.put("track", TRACKS[n]);
        fields.put("target", (long) n);
        return n;
    }

    double number(int k) throws DecodeException {
        String v = get(k);
        if (!isDecimal(v)) {
            throw fault(k, "not a number: " + shown(v));
        }
        return parseDecimal(v);
    }

    /**
     * {@code Double.parseDouble(v)} of a decimal {@link #isDecimal} accepted, without its
     * buffers when the digits fit: a mantissa below 2^53 divided by an exact power of ten is
     * the correctly rounded value, as parseDouble's.
     */
    static double parseDecimal(String v) {
        int k = v.startsWith("-") || v.startsWith("+") ? 1 : 0;
        long mantissa = 0;
        int digits = 0;
        int fraction = -1;
        for (; k < v.length(); k++) {
            char c = v.charAt(k);
            if (c == '.') {
                fraction = 0;
                continue;
            }
            if (++digits > 15) {
                return Double.parseDouble(v);
            }
            mantissa = mantissa * 10 + (c - '0');
            if (fraction >= 0) {
                fraction++;
            }
        }
        double d = fraction > 0 ? mantissa / POW10[fraction] : mantissa;
        return v.startsWith("-") ? -d : d;
    }

    double nonNegative(int k) throws DecodeException {
        double d = number(k);
        if (d < 0) {
            throw fault(k, "must not be negative, got " + shown(get(k)));
        }
        return d;
    }

    Units units(int k) throws DecodeException {
        return switch (get(k)) {
            case "K" -> Units.K;
            case "N" -> Units.N;
            case "S" -> Units.S;
            case "" -> throw fault(k, "is empty, but a distance or speed is given: K, N or S is needed to read it");
            default -> throw fault(k, "must be K, N or S, got " + shown(get(k)));
        };
    }

    void angle(int k, int ref, String field, String tag, SortedArrayMap.Builder<Object> fields,
            SortedArrayMap.Builder<String> tags)
            throws DecodeException {
        if (get(k).isEmpty()) {
            return;
        }
        double deg = number(k);
        if (!(deg >= 0 && deg <= 360)) {
            throw fault(k, "must be 0..360 degrees, got " + shown(get(k)));
        }
        fields.put(field, deg);
        switch (get(ref)) {
            case "T" -> tags.put(tag, "true");
            case "R" -> tags.put(tag, "relative");
            case "" -> throw fault(ref, "is empty, but field " + k + " is given: T or R is needed to read it");
            default -> throw fault(ref, "must be T or R, got " + shown(get(ref)));
        }
    }

    void name(int k, SortedArrayMap.Builder<Object> fields) throws DecodeException {
        String v = get(k);
        if (v.isEmpty()) {
            return;
        }
        if (v.indexOf('^') < 0) {
            fields.put("name", v);
            return;
        }
        StringBuilder sb = new StringBuilder(v.length());
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '^') {
                int hi = i + 2 < v.length() ? hex((byte) v.charAt(i + 1)) : -1;
                int lo = i + 2 < v.length() ? hex((byte) v.charAt(i + 2)) : -1;
                if (hi < 0 || lo < 0) {
                    throw fault(k, "'^' must be followed by two hex digits (a reserved character), got "
                            + shown(v.substring(i)));
                }
                sb.append((char) (hi * 16 + lo));
                i += 2;
            } else {
                sb.append(c);
            }
        }
        fields.put("name", sb.toString());
    }

    void status(int k, SortedArrayMap.Builder<String> tags) throws DecodeException {
        switch (get(k)) {
            case "" -> { }
            case "L" -> tags.put("status", "lost");
            case "Q" -> tags.put("status", "query");
            case "T" -> tags.put("status", "tracking");
            default -> throw fault(k, "must be L, Q or T, got " + shown(get(k)));
        }
    }

    void reference(int k, SortedArrayMap.Builder<Object> fields) throws DecodeException {
        switch (get(k)) {
            case "" -> { }
            case "R" -> fields.put("reference", Boolean.TRUE);
            default -> throw fault(k, "must be R or empty, got " + shown(get(k)));
        }
    }

    void position(int k, int hemi, int degreeDigits, int max, String plus, String minus, String field,
            SortedArrayMap.Builder<Object> fields) throws DecodeException {
        String v = get(k);
        String h = get(hemi);
        if (v.isEmpty()) {
            if (!h.isEmpty()) {
                throw fault(k, "is empty, but field " + hemi + " is given");
            }
            return;
        }
        int dot = v.indexOf('.');
        int minutesAt = (dot < 0 ? v.length() : dot) - 2;
        if (!isDecimal(v) || v.startsWith("-") || minutesAt < 1 || minutesAt > degreeDigits) {
            throw fault(k, "must be " + "d".repeat(degreeDigits) + "mm.mm, got " + shown(v));
        }
        int degrees = Integer.parseInt(v.substring(0, minutesAt));
        double minutes = Double.parseDouble(v.substring(minutesAt));
        double value = degrees + minutes / 60.0;
        if (minutes >= 60 || value > max) {
            throw fault(k, "must be " + "d".repeat(degreeDigits) + "mm.mm with minutes below 60 and at most "
                    + max + " degrees, got " + shown(v));
        }
        if (h.equals(minus)) {
            value = -value;
        } else if (!h.equals(plus)) {
            throw fault(hemi, "must be " + plus + " or " + minus + ", got " + shown(h));
        }
        fields.put(field, value);
    }

    Instant utc(int k, Instant receivedAt) throws DecodeException {
        String v = get(k);
        if (v.isEmpty()) {
            return receivedAt;
        }
        boolean ok = v.length() >= 6 && allDigits(v, 0, 6)
                && (v.length() == 6 || (v.charAt(6) == '.' && v.length() > 7 && v.length() <= 16
                && allDigits(v, 7, v.length())));
        int hh = ok ? twoDigits(v, 0) : -1;
        int mm = ok ? twoDigits(v, 2) : -1;
        int ss = ok ? twoDigits(v, 4) : -1;
        if (!ok || hh > 23 || mm > 59 || ss > 59) {
            throw fault(k, "must be hhmmss or hhmmss.s… (UTC, up to 9 decimals), got " + shown(v));
        }
        int nanos = 0;
        for (int i = 7; i < 16; i++) {
            nanos = nanos * 10 + (i < v.length() ? v.charAt(i) - '0' : 0);
        }
        return nearest(hh * 3600 + mm * 60 + ss, nanos, receivedAt);
    }

    private static int twoDigits(String v, int at) {
        return (v.charAt(at) - '0') * 10 + (v.charAt(at + 1) - '0');
    }

    private static boolean allDigits(String v, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /**
     * As {@link #nearest(LocalTime, Instant)}, in epoch-second arithmetic (no dates, no
     * durations) when {@code receivedAt} is within ±10^12 s of the epoch, as every real one is.
     */
    static Instant nearest(int secondOfDay, int nanos, Instant receivedAt) {
        long rs = receivedAt.getEpochSecond();
        if (Math.abs(rs) > 1_000_000_000_000L) {
            return nearest(LocalTime.ofNanoOfDay(secondOfDay * 1_000_000_000L + nanos), receivedAt);
        }
        long day = Math.floorDiv(rs, 86_400L);
        long best = 0;
        long bestGap = Long.MAX_VALUE;
        for (int d = -1; d <= 1; d++) {
            long candidate = (day + d) * 86_400L + secondOfDay;
            long gap = Math.abs((rs - candidate) * 1_000_000_000L + (receivedAt.getNano() - nanos));
            if (gap < bestGap) {
                best = candidate;
                bestGap = gap;
            }
        }
        return Instant.ofEpochSecond(best, nanos);
    }

    /** The instant at that UTC time of day nearest to {@code receivedAt}; a tie goes to the earlier. */
    static Instant nearest(LocalTime time, Instant receivedAt) {
        LocalDate day = receivedAt.atOffset(ZoneOffset.UTC).toLocalDate();
        Instant best = null;
        Duration bestGap = null;
        for (int d = -1; d <= 1; d++) {
            Instant candidate = day.plusDays(d).atTime(time).toInstant(ZoneOffset.UTC);
            Duration gap = Duration.between(candidate, receivedAt).abs();
            if (best == null || gap.compareTo(bestGap) < 0) {
                best = candidate;
                bestGap = gap;
            }
        }
        return best;
    }

    static boolean isAddress(String a) {
        if (a.length() != 5) {
            return false;
        }
        for (int i = 0; i < 5; i++) {
            char c = a.charAt(i);
            if (c < 'A' || c > 'Z') {
                return false;
            }
        }
        return true;
    }

    static boolean isDecimal(String v) {
        int k = v.startsWith("-") || v.startsWith("+") ? 1 : 0;
        int digits = 0;
        boolean dot = false;
        for (; k < v.length(); k++) {
            char c = v.charAt(k);
            if (c >= '0' && c <= '9') {
                digits++;
            } else if (c == '.' && !dot) {
                dot = true;
            } else {
                return false;
            }
        }
        return digits > 0 && digits <= 64;
    }

    static int hex(byte c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        return -1;
    }

    static String shown(String v) {
        String cut = v.length() > MAX_SHOWN_CHARS ? v.substring(0, MAX_SHOWN_CHARS) + "…" : v;
        return "'" + cut + "'";
    }

    static String shownByte(byte b) {
        int c = b & 0xff;
        return c >= 0x20 && c < 0x7f ? "'" + (char) c + "'" : String.format("byte 0x%02X", c);
    }
}
