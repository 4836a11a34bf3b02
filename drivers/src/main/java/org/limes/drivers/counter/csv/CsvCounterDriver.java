package org.limes.drivers.counter.csv;

import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.limes.drivers.DecodeException;
import org.limes.drivers.Driver;
import org.limes.drivers.Frame;
import org.limes.drivers.Framing;
import org.limes.drivers.Reading;

/**
 * The {@code counter-csv} format: a PeMS-style counting station reports, once per interval,
 * one comma-separated line with a group of three columns per lane.
 *
 * <pre>
 * column        content       unit / form                                 reading (one per lane)
 * ------------  ------------  ------------------------------------------  -----------------------------
 * 1             station_id    1..64 of [A-Za-z0-9._:-]                    deviceId
 * 2             lanes         integer 1..16                               -
 * 3+3(k-1)      flow, lane k  vehicles in the interval, integer 0..100000 count_total (Long)
 * 4+3(k-1)      speed, lane k mph, decimal 0..250                         speed_avg_mps (× 0.44704)
 * 5+3(k-1)      occupancy, k  tenths of a percent, integer 0..1000        occupancy_pct (÷ 10)
 * 3+3·lanes     local_time    yyyy-MM-dd HH:mm:ss in option zone          deviceTime
 * options: zone (IANA id, required) · interval_s (1..86400, default 30) → field interval_s ·
 *          direction (inbound | outbound, default inbound) → tag direction; tag lane = k
 * </pre>
 *
 * <p>Worked example, with options {@code zone: Africa/Tripoli} (UTC+2), defaults otherwise:
 * {@code 401,2,12,61.5,120,9,,95,2026-11-26 08:00:00} decodes to two readings of device
 * {@code 401}, device time 2026-11-26T06:00:00Z: lane 1 {@code {count_total=12,
 * interval_s=30, occupancy_pct=12.0, speed_avg_mps=27.49296}}; lane 2 {@code {count_total=9,
 * interval_s=30, occupancy_pct=9.5}} (empty speed: the field is left out).
 *
 * <p>A lane whose three columns are all empty has no data and yields no reading. Values may
 * be surrounded by spaces. A local time that the zone skips (clocks going forward) is an
 * error; one it repeats (clocks going back) takes the offset that puts it nearest the receive
 * time. Errors name the column (1-based) and the reason.
 *
 * <p>Immutable and thread-safe.
 */
public final class CsvCounterDriver implements Driver {

    public static final String NAME = "counter-csv";
    public static final String KIND = "vehicle_count";
    public static final double MPS_PER_MPH = 0.44704;

    static final int MAX_LANES = 16;
    static final long MAX_FLOW = 100_000;
    static final double MAX_SPEED_MPH = 250;
    static final long MAX_OCCUPANCY = 1000;
    private static final int MAX_SHOWN_CHARS = 40;
    private static final DateTimeFormatter LOCAL_TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss").withResolverStyle(ResolverStyle.STRICT);
    private static final Set<String> FIELDS = Set.of("count_total", "interval_s", "speed_avg_mps", "occupancy_pct");

    private final ZoneId zone;
    private final long intervalS;
    private final String direction;

    public CsvCounterDriver(ZoneId zone, long intervalS, String direction) {
        this.zone = Objects.requireNonNull(zone, "zone");
        this.intervalS = intervalS;
        this.direction = Objects.requireNonNull(direction, "direction");
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
        int length = b.length;
        if (length > 0 && b[length - 1] == '\n') {
            length--;
        }
        if (length > 0 && b[length - 1] == '\r') {
            length--;
        }
        for (int k = 0; k < length; k++) {
            int c = b[k] & 0xff;
            if (c < 0x20 || c > 0x7e) {
                throw DecodeException.atOffset(k, String.format("unexpected byte 0x%02X: a station line is printable ASCII", c));
            }
        }
        String[] cols = new String(b, 0, length, StandardCharsets.US_ASCII).split(",", -1);
        for (int k = 0; k < cols.length; k++) {
            cols[k] = cols[k].strip();
        }
        String station = cols[0];
        if (!isStationId(station)) {
            throw fault(1, "station_id", "must be 1..64 characters of [A-Za-z0-9._:-], got " + shown(station));
        }
        if (cols.length < 2) {
            throw fault(2, "lanes", "is missing: a line is station_id,lanes,{flow,speed,occupancy}×lanes,local_time");
        }
        long lanes = integer(cols[1], 2, "lanes", 1, MAX_LANES);
        int expected = (int) (3 + 3 * lanes);
        if (cols.length != expected) {
            throw fault(2, "lanes", "says " + lanes + " lane(s), so the line needs " + expected + " columns, got "
                    + cols.length);
        }
        int timeColumn = expected;
        Instant time = localTime(cols[timeColumn - 1], timeColumn, frame.receivedAt());
        List<Reading> readings = new ArrayList<>((int) lanes);
        for (int lane = 1; lane <= lanes; lane++) {
            int c = 3 * lane;
            String flow = cols[c - 1];
            String speed = cols[c];
            String occupancy = cols[c + 1];
            if (flow.isEmpty() && speed.isEmpty() && occupancy.isEmpty()) {
                continue;
            }
            TreeMap<String, Object> fields = new TreeMap<>();
            fields.put("interval_s", intervalS);
            if (!flow.isEmpty()) {
                fields.put("count_total", integer(flow, c, "flow.lane" + lane, 0, MAX_FLOW));
            }
            if (!speed.isEmpty()) {
                if (!isDecimal(speed)) {
                    throw fault(c + 1, "speed.lane" + lane, "not a number: " + shown(speed));
                }
                double mph = Double.parseDouble(speed);
                if (!(mph >= 0 && mph <= MAX_SPEED_MPH)) {
                    throw fault(c + 1, "speed.lane" + lane, "must be 0.." + (int) MAX_SPEED_MPH + " mph, got " + shown(speed));
                }
                fields.put("speed_avg_mps", mph * MPS_PER_MPH);
            }
            if (!occupancy.isEmpty()) {
                fields.put("occupancy_pct",
                        integer(occupancy, c + 2, "occupancy.lane" + lane, 0, MAX_OCCUPANCY) / 10.0);
            }
            readings.add(new Reading(station, "", KIND, Map.of("lane", Integer.toString(lane), "direction", direction),
                    fields, time, frame.receivedAt()));
        }
        return readings;
    }

    private Instant localTime(String text, int column, Instant receivedAt) throws DecodeException {
        LocalDateTime local;
        try {
            local = LocalDateTime.parse(text, LOCAL_TIME);
        } catch (DateTimeParseException e) {
            throw fault(column, "local_time", "must be yyyy-MM-dd HH:mm:ss, got " + shown(text));
        }
        Instant t = atZone(local, receivedAt);
        if (t == null) {
            throw fault(column, "local_time", text + " does not exist in " + zone + " (the clocks skip it)");
        }
        return t;
    }

    /** The instant of a local time in the zone; in a repeated hour the one nearest receivedAt; null in a gap. */
    private Instant atZone(LocalDateTime local, Instant receivedAt) {
        List<ZoneOffset> offsets = zone.getRules().getValidOffsets(local);
        Instant best = null;
        for (ZoneOffset offset : offsets) {
            Instant candidate = local.toInstant(offset);
            if (best == null || Duration.between(candidate, receivedAt).abs()
                    .compareTo(Duration.between(best, receivedAt).abs()) < 0) {
                best = candidate;
            }
        }
        return best;
    }

    private static long integer(String v, int column, String name, long min, long max) throws DecodeException {
        boolean digits = !v.isEmpty() && v.length() <= 18 && v.chars().allMatch(c -> c >= '0' && c <= '9');
        if (!digits || Long.parseLong(v) < min || Long.parseLong(v) > max) {
            throw fault(column, name, "must be an integer " + min + ".." + max + ", got " + shown(v));
        }
        return Long.parseLong(v);
    }

    private static DecodeException fault(int column, String name, String reason) {
        return DecodeException.atField(name + " (column " + column + ")", reason);
    }

    private static boolean isDecimal(String v) {
        int digits = 0;
        boolean dot = false;
        for (int k = 0; k < v.length(); k++) {
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

    private static boolean isStationId(String s) {
        if (s.isEmpty() || s.length() > 64) {
            return false;
        }
        return s.chars().allMatch(c -> (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                || c == '.' || c == '_' || c == ':' || c == '-');
    }

    private static String shown(String v) {
        String cut = v.length() > MAX_SHOWN_CHARS ? v.substring(0, MAX_SHOWN_CHARS) + "…" : v;
        return "'" + cut + "'";
    }

    @Override
    public byte[] encode(Reading reading) {
        return encodeStation(List.of(reading));
    }

    /**
     * One station line holding the given lane readings, which must share device and device
     * time and have distinct lanes; lanes up to the highest given that have no reading are
     * written empty. No line terminator.
     */
    public byte[] encodeStation(List<Reading> readings) {
        if (readings.isEmpty()) {
            throw new IllegalArgumentException("a station line needs at least one lane reading");
        }
        Reading first = readings.get(0);
        if (!isStationId(first.deviceId())) {
            throw new IllegalArgumentException("deviceId must be 1..64 characters of [A-Za-z0-9._:-], got "
                    + first.deviceId());
        }
        TreeMap<Integer, Reading> byLane = new TreeMap<>();
        for (Reading r : readings) {
            if (!KIND.equals(r.kind())) {
                throw new IllegalArgumentException("counter-csv encodes kind " + KIND + ", got " + r.kind());
            }
            if (!r.deviceId().equals(first.deviceId()) || !r.deviceTime().equals(first.deviceTime())) {
                throw new IllegalArgumentException("the readings of one line share device and device time");
            }
            if (!r.tags().keySet().equals(Set.of("lane", "direction")) || !direction.equals(r.tags().get("direction"))) {
                throw new IllegalArgumentException("tags must be lane and direction=" + direction + " (option direction), got "
                        + r.tags());
            }
            String lane = r.tags().get("lane");
            if (!lane.matches("[1-9][0-9]?") || Integer.parseInt(lane) > MAX_LANES) {
                throw new IllegalArgumentException("tag lane must be 1.." + MAX_LANES + ", got " + lane);
            }
            if (byLane.put(Integer.parseInt(lane), r) != null) {
                throw new IllegalArgumentException("lane " + lane + " given twice");
            }
            for (String f : r.fields().keySet()) {
                if (!FIELDS.contains(f)) {
                    throw new IllegalArgumentException("counter-csv cannot carry field " + f);
                }
            }
            if (!Long.valueOf(intervalS).equals(r.fields().get("interval_s"))) {
                throw new IllegalArgumentException("field interval_s must be " + intervalS + " (option interval_s), got "
                        + r.fields().get("interval_s"));
            }
            if (r.fields().size() == 1) {
                throw new IllegalArgumentException("a lane reading needs count_total, speed_avg_mps or occupancy_pct");
            }
        }
        StringBuilder sb = new StringBuilder(64);
        int lanes = byLane.lastKey();
        sb.append(first.deviceId()).append(',').append(lanes);
        for (int lane = 1; lane <= lanes; lane++) {
            Reading r = byLane.get(lane);
            Map<String, Object> f = r == null ? Map.of() : r.fields();
            sb.append(',').append(flowText(f.get("count_total")));
            sb.append(',').append(speedText(f.get("speed_avg_mps")));
            sb.append(',').append(occupancyText(f.get("occupancy_pct")));
        }
        sb.append(',').append(localText(first.deviceTime(), first.receivedAt()));
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static String flowText(Object v) {
        if (v == null) {
            return "";
        }
        if (!(v instanceof Long n) || n < 0 || n > MAX_FLOW) {
            throw new IllegalArgumentException("field count_total must be a Long 0.." + MAX_FLOW + ", got " + v);
        }
        return Long.toString(n);
    }

    private static String speedText(Object v) {
        if (v == null) {
            return "";
        }
        if (!(v instanceof Double mps) || !(mps >= 0 && mps <= MAX_SPEED_MPH * MPS_PER_MPH)) {
            throw new IllegalArgumentException("field speed_avg_mps must be a Double 0.." + MAX_SPEED_MPH * MPS_PER_MPH
                    + ", got " + v);
        }
        double mph = mps / MPS_PER_MPH;
        for (int digits = 1; digits <= 17; digits++) {
            String text = new BigDecimal(mph).round(new MathContext(digits)).stripTrailingZeros().toPlainString();
            if (Double.parseDouble(text) * MPS_PER_MPH == mps) {
                return text;
            }
        }
        return new BigDecimal(mph).round(new MathContext(17)).stripTrailingZeros().toPlainString();
    }

    private static String occupancyText(Object v) {
        if (v == null) {
            return "";
        }
        if (!(v instanceof Double pct) || !(pct >= 0 && pct <= MAX_OCCUPANCY / 10.0)
                || Math.abs(pct * 10 - Math.rint(pct * 10)) > 1e-6) {
            throw new IllegalArgumentException("field occupancy_pct must be a Double 0..100 in steps of 0.1, got " + v);
        }
        return Long.toString((long) Math.rint(pct * 10));
    }

    private String localText(Instant t, Instant receivedAt) {
        if (t.getNano() != 0) {
            throw new IllegalArgumentException("device time " + t + " has a fraction of a second; the line has none");
        }
        LocalDateTime local = LocalDateTime.ofInstant(t, zone);
        if (!t.equals(atZone(local, receivedAt))) {
            throw new IllegalArgumentException("device time " + t + " falls in an hour " + zone
                    + " repeats and would read back as another instant");
        }
        String text = LOCAL_TIME.format(local);
        if (text.length() != 19) {
            throw new IllegalArgumentException("device time " + t + " is outside years 0000..9999");
        }
        return text;
    }
}
