package org.limes.drivers.radar.nmea;

import static org.limes.drivers.radar.nmea.NmeaFields.MAX_SHOWN_CHARS;
import static org.limes.drivers.radar.nmea.NmeaFields.hex;
import static org.limes.drivers.radar.nmea.NmeaFields.isAddress;
import static org.limes.drivers.radar.nmea.NmeaFields.shown;
import static org.limes.drivers.radar.nmea.NmeaFields.shownByte;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.limes.drivers.DecodeException;
import org.limes.drivers.DecodeResult;
import org.limes.drivers.Driver;
import org.limes.drivers.Frame;
import org.limes.drivers.Framing;
import org.limes.drivers.OneReadingList;
import org.limes.drivers.Reading;
import org.limes.drivers.SortedArrayMap;

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
 * <p>A good {@code TTM} sentence with plain fields is read straight from its bytes
 * ({@link TtmScanner}); any other sentence, and every sentence with a fault, is split into
 * its fields and read by {@link NmeaFields}, which gives the errors. Both give the same
 * reading for a sentence both read.
 *
 * <p>Immutable and thread-safe.
 */
public final class NmeaRadarDriver implements Driver {

    public static final String NAME = "radar-nmea";
    public static final String KIND = "radar_track";

    private static final String[] TTM_FIELDS = {"", "target number", "distance", "bearing", "bearing reference",
        "speed", "course", "course reference", "CPA distance", "time to CPA", "units", "target name",
        "target status", "reference target", "UTC", "acquisition"};
    private static final String[] TLL_FIELDS = {"", "target number", "latitude", "N/S", "longitude", "E/W",
        "target name", "UTC", "target status", "reference target"};

    /** Every one-character field as a shared string: units, references, status letters. */
    private static final String[] ONE_CHAR = new String[128];

    static {
        for (int c = 0; c < ONE_CHAR.length; c++) {
            ONE_CHAR[c] = String.valueOf((char) c);
        }
    }

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
        byte[] b = frame.payload();
        int newline = indexOf(b, (byte) '\n');
        if (newline >= 0 && newline < b.length - 1) {
            return decodeAll(frame).readingsOrThrow();
        }
        // One line, the usual frame: what decodeAll gives for it, without its lists.
        int end = newline >= 0 ? newline : b.length;
        int stop = end > 0 && b[end - 1] == '\r' ? end - 1 : end;
        if (stop == 0) {
            throw DecodeException.atOffset(0, "no NMEA sentence in the frame");
        }
        Reading r = sentence(b, 0, stop, frame.receivedAt());
        return r == null ? List.of() : OneReadingList.of(r);
    }

    private static boolean isUpperCase(byte[] b, int from, int to) {
        for (int k = from; k < to; k++) {
            if (b[k] < 'A' || b[k] > 'Z') {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] b, byte c) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
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
        int at = from + 1;
        if (bodyEnd - at >= 5 && isUpperCase(b, at, at + 5) && (bodyEnd == at + 5 || b[at + 5] == ',')) {
            // A well-formed address: other types are skipped, a plain good TTM read from the bytes.
            boolean ttm = b[at + 2] == 'T' && b[at + 3] == 'T' && b[at + 4] == 'M';
            boolean tll = b[at + 2] == 'T' && b[at + 3] == 'L' && b[at + 4] == 'L';
            if (!ttm && !tll) {
                return null;
            }
            if (ttm && bodyEnd > at + 5) {
                Reading r = TtmScanner.read(b, at + 6, bodyEnd, device, receivedAt);
                if (r != null) {
                    return r;
                }
            }
        }
        return readGeneral(b, from, bodyEnd, receivedAt);
    }

    /**
     * The sentence {@code b[from, bodyEnd)} ({@code $} to before {@code *}, checksum checked)
     * split into its fields and read by {@link NmeaFields}: every sentence the scanner leaves,
     * and every error.
     */
    Reading readGeneral(byte[] b, int from, int bodyEnd, Instant receivedAt) throws DecodeException {
        String[] f = split(b, from + 1, bodyEnd);
        String address = f[0];
        if (!isAddress(address)) {
            throw DecodeException.atOffset(from + 1, "the address must be a two-letter talker and a three-letter "
                    + "sentence formatter, e.g. RATTM, got " + shown(address));
        }
        String type = address.substring(2);
        return switch (type) {
            case "TTM" -> ttm(new NmeaFields("TTM", TTM_FIELDS, f), receivedAt);
            case "TLL" -> tll(new NmeaFields("TLL", TLL_FIELDS, f), receivedAt);
            default -> null;
        };
    }

    private Reading ttm(NmeaFields f, Instant receivedAt) throws DecodeException {
        f.count(13, 15);
        SortedArrayMap.Builder<String> tags = SortedArrayMap.builder(5);
        SortedArrayMap.Builder<Object> fields = SortedArrayMap.builder(10);
        int target = f.target(tags, fields);
        boolean measured = !f.get(2).isEmpty() || !f.get(5).isEmpty() || !f.get(8).isEmpty();
        NmeaFields.Units units = measured ? f.units(10) : null;
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
        return new Reading(device, "", KIND, tags.build(), fields.build(), time, receivedAt);
    }

    /**
     * The comma-separated fields of {@code b[from, to)}, as {@code String.split(",", -1)} of
     * that text would give them; empty and one-character fields are shared constants.
     */
    private static String[] split(byte[] b, int from, int to) {
        int n = 1;
        for (int k = from; k < to; k++) {
            if (b[k] == ',') {
                n++;
            }
        }
        String[] f = new String[n];
        int i = 0;
        int start = from;
        for (int k = from; k <= to; k++) {
            if (k == to || b[k] == ',') {
                int len = k - start;
                f[i++] = len == 0 ? "" : len == 1 ? ONE_CHAR[b[start] & 0x7f]
                        : new String(b, start, len, StandardCharsets.ISO_8859_1);
                start = k + 1;
            }
        }
        return f;
    }

    private Reading tll(NmeaFields f, Instant receivedAt) throws DecodeException {
        f.count(9, 9);
        SortedArrayMap.Builder<String> tags = SortedArrayMap.builder(3);
        SortedArrayMap.Builder<Object> fields = SortedArrayMap.builder(6);
        f.target(tags, fields);
        f.position(2, 3, 2, 90, "N", "S", "lat_deg", fields);
        f.position(4, 5, 3, 180, "E", "W", "lon_deg", fields);
        f.name(6, fields);
        Instant time = f.utc(7, receivedAt);
        f.status(8, tags);
        f.reference(9, fields);
        return new Reading(device, "", KIND, tags.build(), fields.build(), time, receivedAt);
    }

    /**
     * Writes a {@code TLL} sentence when the reading has {@code lat_deg}/{@code lon_deg}, a
     * {@code TTM} otherwise, talker {@code RA}, units N (nautical miles, knots), with the
     * checksum and no line terminator. Numbers are written with the fewest digits that read
     * back to the same double.
     */
    @Override
    public byte[] encode(Reading reading) {
        return NmeaEncoder.encode(reading);
    }
}
