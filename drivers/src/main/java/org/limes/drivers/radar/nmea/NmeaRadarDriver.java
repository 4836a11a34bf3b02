package org.limes.drivers.radar.nmea;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.limes.drivers.DecodeException;
import org.limes.drivers.DecodeResult;
import org.limes.drivers.Driver;
import org.limes.drivers.Frame;
import org.limes.drivers.Framing;
import org.limes.drivers.Reading;

/**
 * The {@code radar-nmea} format: NMEA 0183 target sentences of a tracking radar, {@code TTM}
 * (tracked target message) and {@code TLL} (target latitude and longitude), any two-letter
 * talker. One sentence per line; a frame may hold several sentences separated by CR LF.
 *
 * <pre>
 * $ttTTM,n,d.d,b.b,T,s.s,c.c,T,p.p,t.t,N,name,T,R,hhmmss.ss,A*hh
 *   field  meaning                         reading
 *   1      target number 0..999            tag track, field target (Long)
 *   2      target distance                 range_m      (units of 10)
 *   3      bearing from own ship, degrees  bearing_deg  (needs 4)
 *   4      bearing T (true) / R (relative) tag bearing_ref true|relative
 *   5      target speed                    speed_mps    (units of 10)
 *   6      target course, degrees          course_deg   (needs 7)
 *   7      course T / R                    tag course_ref true|relative
 *   8      distance of CPA                 cpa_m        (units of 10)
 *   9      time to CPA, minutes (- = past) tcpa_s
 *   10     units K (km, km/h) N (NM, kn) S (statute mi, mph)
 *   11     target name                     name (String)
 *   12     status L lost, Q query, T tracking   tag status lost|query|tracking
 *   13     reference target R              reference (Boolean true)
 *   14     UTC of data hhmmss.ss           device time
 *   15     acquisition A auto, M manual, R reported   tag acquisition auto|manual|reported
 * $ttTLL,n,ddmm.mm,N,dddmm.mm,E,name,hhmmss.ss,T,R*hh
 *   1 target number; 2-3 latitude, N/S → lat_deg; 4-5 longitude, E/W → lon_deg;
 *   6 name; 7 UTC; 8 status; 9 reference target — as in TTM
 * *hh  XOR of every byte between '$' and '*', two hex digits
 * </pre>
 *
 * <p>Worked example, with option {@code device: radar-north}, received 2026-11-26T06:00:02Z:
 * {@code $RATTM,07,0.50,045.0,T,10.0,270.0,T,0.10,-1.5,N,PED1,T,,055959.50,A*hh} decodes to a
 * {@code radar_track} reading of device {@code radar-north}, tags {@code {acquisition=auto,
 * bearing_ref=true, course_ref=true, status=tracking, track=7}}, fields {@code {bearing_deg=45.0,
 * course_deg=270.0, cpa_m=185.2, name=PED1, range_m=926.0, speed_mps=5.1444…, target=7,
 * tcpa_s=-90.0}}, device time 2026-11-26T05:59:59.5Z.
 *
 * <p>Empty fields are left out of the reading. A distance, speed or CPA needs the units field,
 * and a bearing or course its T/R field: a value without them is an error, never a guess.
 * The UTC time has no date: it is put on the day (before, of or after the receive date, UTC)
 * that brings it nearest the receive time, so a sentence stamped 23:59:59 and received at
 * 00:00:01 is dated the day before; without UTC the device time is the receive time.
 * Well-formed sentences of other types (OSD, RSD, …) are skipped without a reading.
 *
 * <p>Immutable and thread-safe.
 */
public final class NmeaRadarDriver implements Driver {

    public static final String NAME = "radar-nmea";
    public static final String KIND = "radar_track";

    static final double METRES_PER_NM = 1852;
    static final double METRES_PER_MILE = 1609.344;
    private static final int MAX_SHOWN_CHARS = 40;
    private static final String[] TTM_FIELDS = {"", "target number", "distance", "bearing", "bearing reference",
        "speed", "course", "course reference", "CPA distance", "time to CPA", "units", "target name",
        "target status", "reference target", "UTC", "acquisition"};
    private static final String[] TLL_FIELDS = {"", "target number", "latitude", "N/S", "longitude", "E/W",
        "target name", "UTC", "target status", "reference target"};
    private static final Set<String> TTM_OUT = Set.of("target", "range_m", "bearing_deg", "speed_mps", "course_deg",
            "cpa_m", "tcpa_s", "name", "reference");
    private static final Set<String> TLL_OUT = Set.of("target", "lat_deg", "lon_deg", "name", "reference");

    private final String device;
    private final boolean requireChecksum;

    /**
     * @param device          the device id of every reading (NMEA carries none)
     * @param requireChecksum whether a sentence without {@code *hh} is an error
     */
    public NmeaRadarDriver(String device, boolean requireChecksum) {
        if (device == null || device.isBlank()) {
            throw new IllegalArgumentException("device must not be blank");
        }
        this.device = device;
        this.requireChecksum = requireChecksum;
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
        return decodeAll(frame).readingsOrThrow();
    }

    @Override
    public DecodeResult decodeAll(Frame frame) {
        byte[] b = frame.payload();
        int[] sentences = {0};
        DecodeResult result = DecodeResult.eachLine(b, (number, from, to) -> {
            if (to == from) {
                return null;
            }
            sentences[0]++;
            return sentence(b, from, to, frame.receivedAt());
        });
        if (sentences[0] == 0) {
            return DecodeResult.failed(DecodeException.atOffset(0, "no NMEA sentence in the frame"));
        }
        return result;
    }

    private Reading sentence(byte[] b, int from, int to, Instant receivedAt) throws DecodeException {
        if (b[from] != '$') {
            throw DecodeException.atOffset(from, "a sentence starts with '$', got " + shownByte(b[from]));
        }
        int star = -1;
        int sum = 0;
        for (int k = from + 1; k < to; k++) {
            int c = b[k] & 0xff;
            if (c == '*') {
                star = k;
                break;
            }
            if (c < 0x20 || c > 0x7e || c == '$') {
                throw DecodeException.atOffset(k, "unexpected " + shownByte(b[k]) + " inside a sentence");
            }
            sum ^= c;
        }
        int bodyEnd = star < 0 ? to : star;
        if (star < 0) {
            if (requireChecksum) {
                throw DecodeException.atOffset(to, "checksum missing: expected '*' and two hex digits "
                        + "(option require_checksum: false accepts sentences without one)");
            }
        } else {
            if (to - star != 3 || hex(b[star + 1]) < 0 || hex(b[star + 2]) < 0) {
                throw DecodeException.atOffset(star + 1, "checksum must be two hex digits after '*', got '"
                        + new String(b, star + 1, Math.min(to - star - 1, MAX_SHOWN_CHARS), StandardCharsets.ISO_8859_1)
                        + "'");
            }
            int given = hex(b[star + 1]) * 16 + hex(b[star + 2]);
            if (given != sum) {
                throw DecodeException.atOffset(star + 1, String.format(
                        "checksum mismatch: the sentence says %02X, its bytes give %02X", given, sum));
            }
        }
        String body = new String(b, from + 1, bodyEnd - from - 1, StandardCharsets.ISO_8859_1);
        String[] f = body.split(",", -1);
        String address = f[0];
        if (!isAddress(address)) {
            throw DecodeException.atOffset(from + 1, "the address must be a two-letter talker and a three-letter "
                    + "sentence formatter, e.g. RATTM, got " + shown(address));
        }
        String type = address.substring(2);
        return switch (type) {
            case "TTM" -> ttm(new Fields("TTM", TTM_FIELDS, f), receivedAt);
            case "TLL" -> tll(new Fields("TLL", TLL_FIELDS, f), receivedAt);
            default -> null;
        };
    }

    private Reading ttm(Fields f, Instant receivedAt) throws DecodeException {
        f.count(13, 15);
        TreeMap<String, String> tags = new TreeMap<>();
        TreeMap<String, Object> fields = new TreeMap<>();
        int target = f.target(tags, fields);
        boolean measured = !f.get(2).isEmpty() || !f.get(5).isEmpty() || !f.get(8).isEmpty();
        Units units = measured ? f.units(10) : null;
        if (!f.get(2).isEmpty()) {
            fields.put("range_m", f.nonNegative(2) * units.metres);
        }
        f.angle(3, 4, "bearing_deg", "bearing_ref", fields, tags);
        if (!f.get(5).isEmpty()) {
            fields.put("speed_mps", f.nonNegative(5) * units.metresPerSecond);
        }
        f.angle(6, 7, "course_deg", "course_ref", fields, tags);
        if (!f.get(8).isEmpty()) {
            fields.put("cpa_m", f.nonNegative(8) * units.metres);
        }
        if (!f.get(9).isEmpty()) {
            fields.put("tcpa_s", f.number(9) * 60);
        }
        f.name(11, fields);
        f.status(12, tags);
        f.reference(13, fields);
        Instant time = f.count() >= 14 ? f.utc(14, receivedAt) : receivedAt;
        if (f.count() >= 15) {
            switch (f.get(15)) {
                case "" -> { }
                case "A" -> tags.put("acquisition", "auto");
                case "M" -> tags.put("acquisition", "manual");
                case "R" -> tags.put("acquisition", "reported");
                default -> throw f.fault(15, "must be A, M or R, got " + shown(f.get(15)));
            }
        }
        return new Reading(device, "", KIND, tags, fields, time, receivedAt);
    }

    private Reading tll(Fields f, Instant receivedAt) throws DecodeException {
        f.count(9, 9);
        TreeMap<String, String> tags = new TreeMap<>();
        TreeMap<String, Object> fields = new TreeMap<>();
        f.target(tags, fields);
        f.position(2, 3, 2, 90, "N", "S", "lat_deg", fields);
        f.position(4, 5, 3, 180, "E", "W", "lon_deg", fields);
        f.name(6, fields);
        Instant time = f.utc(7, receivedAt);
        f.status(8, tags);
        f.reference(9, fields);
        return new Reading(device, "", KIND, tags, fields, time, receivedAt);
    }

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

    /** The fields of one sentence, numbered from 1 as the standard numbers them. */
    private static final class Fields {
        private final String type;
        private final String[] names;
        private final String[] f;

        Fields(String type, String[] names, String[] f) {
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

        int target(Map<String, String> tags, Map<String, Object> fields) throws DecodeException {
            String v = get(1);
            if (v.isEmpty()) {
                throw fault(1, "is required but empty");
            }
            if (v.length() > 3 || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw fault(1, "must be an integer 0..999, got " + shown(v));
            }
            int n = Integer.parseInt(v);
            tags.put("track", Integer.toString(n));
            fields.put("target", (long) n);
            return n;
        }

        double number(int k) throws DecodeException {
            String v = get(k);
            if (!isDecimal(v)) {
                throw fault(k, "not a number: " + shown(v));
            }
            return Double.parseDouble(v);
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

        void angle(int k, int ref, String field, String tag, Map<String, Object> fields, Map<String, String> tags)
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

        void name(int k, Map<String, Object> fields) throws DecodeException {
            String v = get(k);
            if (v.isEmpty()) {
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

        void status(int k, Map<String, String> tags) throws DecodeException {
            switch (get(k)) {
                case "" -> { }
                case "L" -> tags.put("status", "lost");
                case "Q" -> tags.put("status", "query");
                case "T" -> tags.put("status", "tracking");
                default -> throw fault(k, "must be L, Q or T, got " + shown(get(k)));
            }
        }

        void reference(int k, Map<String, Object> fields) throws DecodeException {
            switch (get(k)) {
                case "" -> { }
                case "R" -> fields.put("reference", Boolean.TRUE);
                default -> throw fault(k, "must be R or empty, got " + shown(get(k)));
            }
        }

        void position(int k, int hemi, int degreeDigits, int max, String plus, String minus, String field,
                Map<String, Object> fields) throws DecodeException {
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
            boolean ok = v.length() >= 6 && v.substring(0, 6).chars().allMatch(c -> c >= '0' && c <= '9')
                    && (v.length() == 6 || (v.charAt(6) == '.' && v.length() > 7 && v.length() <= 16
                    && v.substring(7).chars().allMatch(c -> c >= '0' && c <= '9')));
            int hh = ok ? Integer.parseInt(v.substring(0, 2)) : -1;
            int mm = ok ? Integer.parseInt(v.substring(2, 4)) : -1;
            int ss = ok ? Integer.parseInt(v.substring(4, 6)) : -1;
            if (!ok || hh > 23 || mm > 59 || ss > 59) {
                throw fault(k, "must be hhmmss or hhmmss.s… (UTC, up to 9 decimals), got " + shown(v));
            }
            int nanos = v.length() > 7 ? Integer.parseInt((v.substring(7) + "00000000").substring(0, 9)) : 0;
            return nearest(LocalTime.of(hh, mm, ss, nanos), receivedAt);
        }
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

    private static boolean isAddress(String a) {
        return a.length() == 5 && a.chars().allMatch(c -> c >= 'A' && c <= 'Z');
    }

    private static boolean isDecimal(String v) {
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

    private static int hex(byte c) {
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

    private static String shown(String v) {
        String cut = v.length() > MAX_SHOWN_CHARS ? v.substring(0, MAX_SHOWN_CHARS) + "…" : v;
        return "'" + cut + "'";
    }

    private static String shownByte(byte b) {
        int c = b & 0xff;
        return c >= 0x20 && c < 0x7f ? "'" + (char) c + "'" : String.format("byte 0x%02X", c);
    }

    /**
     * Writes a {@code TLL} sentence when the reading has {@code lat_deg}/{@code lon_deg}, a
     * {@code TTM} otherwise, talker {@code RA}, units N (nautical miles, knots), with the
     * checksum and no line terminator. Numbers are written with the fewest digits that read
     * back to the same double.
     */
    @Override
    public byte[] encode(Reading reading) {
        if (!KIND.equals(reading.kind())) {
            throw new IllegalArgumentException("radar-nmea encodes kind " + KIND + ", got " + reading.kind());
        }
        Map<String, Object> fields = reading.fields();
        Map<String, String> tags = reading.tags();
        boolean tll = fields.containsKey("lat_deg") || fields.containsKey("lon_deg");
        Set<String> allowed = tll ? TLL_OUT : TTM_OUT;
        for (String name : fields.keySet()) {
            if (!allowed.contains(name)) {
                throw new IllegalArgumentException("a " + (tll ? "TLL" : "TTM") + " sentence cannot carry field " + name);
            }
        }
        Set<String> allowedTags = tll ? Set.of("track", "status")
                : Set.of("track", "status", "acquisition", "bearing_ref", "course_ref");
        for (String tag : tags.keySet()) {
            if (!allowedTags.contains(tag)) {
                throw new IllegalArgumentException("a " + (tll ? "TLL" : "TTM") + " sentence cannot carry tag " + tag);
            }
        }
        String track = tags.get("track");
        if (track == null || !track.matches("(0|[1-9][0-9]{0,2})")) {
            throw new IllegalArgumentException("tag track must be an integer 0..999, got " + track);
        }
        Object target = fields.get("target");
        if (target != null && !target.equals(Long.parseLong(track))) {
            throw new IllegalArgumentException("field target must equal tag track " + track + ", got " + target);
        }
        if (fields.containsKey("reference") && !Boolean.TRUE.equals(fields.get("reference"))) {
            throw new IllegalArgumentException("field reference is true or absent, got " + fields.get("reference"));
        }
        List<String> out = new ArrayList<>();
        out.add(tll ? "RATLL" : "RATTM");
        out.add(track.length() == 1 ? "0" + track : track);
        String time = utcText(reading.deviceTime(), reading.receivedAt());
        if (tll) {
            position(out, fields.get("lat_deg"), "lat_deg", 2, 90, "N", "S");
            position(out, fields.get("lon_deg"), "lon_deg", 3, 180, "E", "W");
            out.add(nameText(fields.get("name")));
            out.add(time);
            out.add(statusLetter(tags.get("status")));
            out.add(fields.containsKey("reference") ? "R" : "");
        } else {
            out.add(scaled(fields, "range_m", METRES_PER_NM, false));
            out.add(angleText(fields, "bearing_deg"));
            out.add(refLetter(tags, "bearing_ref", fields.containsKey("bearing_deg")));
            out.add(scaled(fields, "speed_mps", Units.N.metresPerSecond, false));
            out.add(angleText(fields, "course_deg"));
            out.add(refLetter(tags, "course_ref", fields.containsKey("course_deg")));
            out.add(scaled(fields, "cpa_m", METRES_PER_NM, false));
            out.add(scaled(fields, "tcpa_s", 60, true));
            out.add("N");
            out.add(nameText(fields.get("name")));
            out.add(statusLetter(tags.get("status")));
            out.add(fields.containsKey("reference") ? "R" : "");
            out.add(time);
            String acquisition = tags.get("acquisition");
            out.add(acquisition == null ? "" : switch (acquisition) {
                case "auto" -> "A";
                case "manual" -> "M";
                case "reported" -> "R";
                default -> throw new IllegalArgumentException("tag acquisition must be auto, manual or reported, got "
                        + acquisition);
            });
        }
        return withChecksum(String.join(",", out));
    }

    /** {@code $body*hh}. */
    static byte[] withChecksum(String body) {
        int sum = 0;
        for (int i = 0; i < body.length(); i++) {
            sum ^= body.charAt(i);
        }
        return String.format("$%s*%02X", body, sum).getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String utcText(Instant deviceTime, Instant receivedAt) {
        LocalTime t = deviceTime.atOffset(ZoneOffset.UTC).toLocalTime();
        if (!nearest(t, receivedAt).equals(deviceTime)) {
            throw new IllegalArgumentException("device time " + deviceTime + " is 12 h or more from the receive time "
                    + receivedAt + ": an NMEA time of day cannot say which day it is");
        }
        String fraction = String.format("%09d", t.getNano()).replaceFirst("0+$", "");
        if (fraction.length() < 2) {
            fraction = (fraction + "00").substring(0, 2);
        }
        return String.format("%02d%02d%02d.%s", t.getHour(), t.getMinute(), t.getSecond(), fraction);
    }

    private static String statusLetter(String status) {
        if (status == null) {
            return "";
        }
        return switch (status) {
            case "lost" -> "L";
            case "query" -> "Q";
            case "tracking" -> "T";
            default -> throw new IllegalArgumentException("tag status must be lost, query or tracking, got " + status);
        };
    }

    private static String refLetter(Map<String, String> tags, String tag, boolean needed) {
        String v = tags.get(tag);
        if (!needed) {
            if (v != null) {
                throw new IllegalArgumentException("tag " + tag + " without its angle field");
            }
            return "";
        }
        if ("true".equals(v)) {
            return "T";
        }
        if ("relative".equals(v)) {
            return "R";
        }
        throw new IllegalArgumentException("tag " + tag + " must be true or relative with its angle, got " + v);
    }

    private static String angleText(Map<String, Object> fields, String name) {
        if (!fields.containsKey(name)) {
            return "";
        }
        double d = doubleField(fields, name);
        if (!(d >= 0 && d <= 360)) {
            throw new IllegalArgumentException("field " + name + " must be 0..360, got " + d);
        }
        return decimalText(d, 1);
    }

    private static String scaled(Map<String, Object> fields, String name, double factor, boolean signed) {
        if (!fields.containsKey(name)) {
            return "";
        }
        double d = doubleField(fields, name);
        if (!signed && d < 0) {
            throw new IllegalArgumentException("field " + name + " must not be negative, got " + d);
        }
        return decimalText(d, factor);
    }

    private static double doubleField(Map<String, Object> fields, String name) {
        Object v = fields.get(name);
        if (!(v instanceof Double d)) {
            throw new IllegalArgumentException("field " + name + " must be a Double, got " + v);
        }
        return d;
    }

    /**
     * The shortest plain decimal of {@code value / factor} that reads back, multiplied by
     * {@code factor}, to exactly {@code value}; failing that, 17 significant digits.
     */
    static String decimalText(double value, double factor) {
        double x = value / factor;
        for (int digits = 1; digits <= 17; digits++) {
            String text = new BigDecimal(x).round(new MathContext(digits)).stripTrailingZeros().toPlainString();
            if (Double.parseDouble(text) * factor == value) {
                return text;
            }
        }
        return new BigDecimal(x).round(new MathContext(17)).stripTrailingZeros().toPlainString();
    }

    private static void position(List<String> out, Object v, String name, int degreeDigits, int max, String plus,
            String minus) {
        if (!(v instanceof Double d) || !(Math.abs(d) <= max)) {
            throw new IllegalArgumentException("field " + name + " must be a Double within ±" + max + ", got " + v);
        }
        double abs = Math.abs(d);
        int degrees = (int) Math.floor(abs);
        double minutes = (abs - degrees) * 60;
        String text = null;
        for (int scale = 2; scale <= 20 && text == null; scale++) {
            BigDecimal m = new BigDecimal(minutes).setScale(scale, RoundingMode.HALF_EVEN);
            if (m.compareTo(BigDecimal.valueOf(60)) >= 0) {
                continue;
            }
            if (degrees + m.doubleValue() / 60.0 == abs) {
                text = m.toPlainString();
            }
        }
        if (text == null) {
            text = new BigDecimal(minutes).setScale(20, RoundingMode.HALF_EVEN).stripTrailingZeros()
                    .toPlainString();
        }
        int dot = text.indexOf('.');
        String whole = dot < 0 ? text : text.substring(0, dot);
        if (whole.length() < 2) {
            text = "0".repeat(2 - whole.length()) + text;
        }
        out.add(String.format("%0" + degreeDigits + "d", degrees) + text);
        out.add(d < 0 || (d == 0 && 1 / d < 0) ? minus : plus);
    }

    private static String nameText(Object v) {
        if (v == null) {
            return "";
        }
        if (!(v instanceof String s) || s.isEmpty()) {
            throw new IllegalArgumentException("field name must be a non-empty String, got " + v);
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c > 0xff) {
                throw new IllegalArgumentException("field name: NMEA 0183 is ASCII, cannot carry " + c);
            }
            if (c < 0x20 || c > 0x7e || "$*,!\\^~".indexOf(c) >= 0) {
                sb.append(String.format("^%02X", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
