package org.limes.drivers.radar.nmea;

import static org.limes.drivers.radar.nmea.NmeaFields.METRES_PER_NM;
import static org.limes.drivers.radar.nmea.NmeaFields.nearest;
import static org.limes.drivers.radar.nmea.NmeaRadarDriver.KIND;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.limes.drivers.Reading;

/**
 * The encoding side of {@link NmeaRadarDriver}: writes a {@code radar_track} reading back as
 * the {@code TTM} or {@code TLL} sentence the driver reads to the same reading (used by the
 * simulator's radars and the round-trip tests). A reading the sentence cannot carry is an
 * {@link IllegalArgumentException}, never a lossy sentence.
 *
 * <p>Stateless: static methods only, safe from any thread.
 */
final class NmeaEncoder {

    private static final Set<String> TTM_OUT = Set.of("target", "range_m", "bearing_deg", "speed_mps", "course_deg",
            "cpa_m", "tcpa_s", "name", "reference");
    private static final Set<String> TLL_OUT = Set.of("target", "lat_deg", "lon_deg", "name", "reference");

    private NmeaEncoder() {
    }

    /** See {@link NmeaRadarDriver#encode(Reading)}. */
    static byte[] encode(Reading reading) {
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
            out.add(scaled(fields, "speed_mps", NmeaFields.Units.N.metresPerSecond, false));
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
