package org.limes.drivers.radar.asterix;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The values of one ASTERIX record on their way to or from a {@code radar_track}
 * reading, in canonical units. A double is NaN and an integer -1 while absent.
 *
 * <p>Mutable and confined to the one call that fills it; never shared between threads.
 */
final class TrackReport {

    static final String KIND = "radar_track";

    static final String TAG_CATEGORY = "category";
    static final String TAG_SAC = "sac";
    static final String TAG_SIC = "sic";
    static final String TAG_TRACK = "track";
    static final String TAG_STATUS = "status";
    static final String TRACKING = "tracking";
    static final String ENDED = "ended";

    static final String RANGE = "range_m";
    static final String BEARING = "bearing_deg";
    static final String X = "x_m";
    static final String Y = "y_m";
    static final String LAT = "lat_deg";
    static final String LON = "lon_deg";
    static final String SPEED = "speed_mps";
    static final String HEADING = "heading_deg";
    static final String VX = "vx_mps";
    static final String VY = "vy_mps";
    static final String TIME_OF_DAY = "time_of_day_s";
    static final String SKIPPED = "skipped_items";

    private static final Set<String> DOUBLE_FIELDS =
            Set.of(RANGE, BEARING, X, Y, LAT, LON, SPEED, HEADING, VX, VY, TIME_OF_DAY);
    private static final Set<String> TAGS = Set.of(TAG_CATEGORY, TAG_SAC, TAG_SIC, TAG_TRACK, TAG_STATUS);
    private static final long SECONDS_PER_DAY = 86_400;

    int sac = -1;
    int sic = -1;
    double timeOfDay = Double.NaN;
    double range = Double.NaN;
    double bearing = Double.NaN;
    double x = Double.NaN;
    double y = Double.NaN;
    double lat = Double.NaN;
    double lon = Double.NaN;
    double speed = Double.NaN;
    double heading = Double.NaN;
    double vx = Double.NaN;
    double vy = Double.NaN;
    long track = -1;
    /** Null while the record has no track status item. */
    Boolean ended;
    int skipped;
    /** Set by a message-type item that marks the record as something other than a target report. */
    boolean notATargetReport;

    /**
     * Drops the values {@link #derive} would compute from the others, exactly as they are:
     * the encoder writes what a record carries and lets decoding derive the rest.
     */
    void dropDerived(SensorPosition sensor) {
        TrackReport probe = new TrackReport();
        probe.range = range;
        probe.bearing = bearing;
        probe.x = x;
        probe.y = y;
        probe.vx = vx;
        probe.vy = vy;
        probe.derive(sensor);
        if (!Double.isNaN(speed) && speed == probe.speed && heading == probe.heading) {
            speed = Double.NaN;
            heading = Double.NaN;
        }
        if (!Double.isNaN(lat) && lat == probe.lat && lon == probe.lon) {
            lat = Double.NaN;
            lon = Double.NaN;
        }
    }

    /** Whether the record says anything about a target: a track number, a position or a velocity. */
    boolean describesATarget() {
        return !notATargetReport && (track >= 0 || !Double.isNaN(range) || !Double.isNaN(x) || !Double.isNaN(lat)
                || !Double.isNaN(speed) || !Double.isNaN(vx));
    }

    /**
     * Fills the values the decoder derives: speed and heading from a Cartesian velocity
     * when no polar velocity came, and with a sensor position, latitude and longitude from
     * the Cartesian position (else the polar one) when no WGS-84 position came.
     */
    void derive(SensorPosition sensor) {
        if (Double.isNaN(speed) && !Double.isNaN(vx)) {
            speed = Math.hypot(vx, vy);
            double h = Math.toDegrees(Math.atan2(vx, vy)) + 0.0;
            h = h < 0 ? h + 360 : h;
            heading = h >= 360 ? 0.0 : h;
        }
        if (Double.isNaN(lat) && sensor != null) {
            double[] latLon = null;
            if (!Double.isNaN(x)) {
                latLon = sensor.locate(x, y);
            } else if (!Double.isNaN(range)) {
                double theta = Math.toRadians(bearing);
                latLon = sensor.locate(range * Math.sin(theta), range * Math.cos(theta));
            }
            if (latLon != null) {
                lat = latLon[0];
                lon = latLon[1];
            }
        }
    }

    Map<String, String> tags(int category) {
        TreeMap<String, String> tags = new TreeMap<>();
        tags.put(TAG_CATEGORY, Integer.toString(category));
        if (sac >= 0) {
            tags.put(TAG_SAC, Integer.toString(sac));
            tags.put(TAG_SIC, Integer.toString(sic));
        }
        if (track >= 0) {
            tags.put(TAG_TRACK, Long.toString(track));
        }
        if (ended != null) {
            tags.put(TAG_STATUS, ended ? ENDED : TRACKING);
        }
        return tags;
    }

    Map<String, Object> fields() {
        TreeMap<String, Object> fields = new TreeMap<>();
        put(fields, TIME_OF_DAY, timeOfDay);
        put(fields, RANGE, range);
        put(fields, BEARING, bearing);
        put(fields, X, x);
        put(fields, Y, y);
        put(fields, LAT, lat);
        put(fields, LON, lon);
        put(fields, SPEED, speed);
        put(fields, HEADING, heading);
        put(fields, VX, vx);
        put(fields, VY, vy);
        fields.put(SKIPPED, (long) skipped);
        return fields;
    }

    /**
     * The device time: the time of day on the UTC day, of the three around the receive
     * time, that puts it nearest the receive time; the receive time when there is none.
     */
    Instant deviceTime(Instant receivedAt) {
        if (Double.isNaN(timeOfDay)) {
            return receivedAt;
        }
        Instant midnight = receivedAt.truncatedTo(ChronoUnit.DAYS);
        Instant sameDay = midnight.plusNanos(Math.round(timeOfDay * 1e9));
        Instant best = sameDay;
        for (Instant c : new Instant[] {sameDay.minusSeconds(SECONDS_PER_DAY), sameDay.plusSeconds(SECONDS_PER_DAY)}) {
            if (Duration.between(c, receivedAt).abs().compareTo(Duration.between(best, receivedAt).abs()) < 0) {
                best = c;
            }
        }
        return best;
    }

    /**
     * The values of a {@code radar_track} reading, checked for the tags and fields this
     * format knows and for their types.
     *
     * @throws IllegalArgumentException naming the first tag or field that does not fit
     */
    static TrackReport of(Map<String, String> tags, Map<String, Object> fields) {
        TreeSet<String> unknownTags = new TreeSet<>(tags.keySet());
        unknownTags.removeAll(TAGS);
        if (!unknownTags.isEmpty()) {
            throw new IllegalArgumentException("radar-asterix carries only the tags " + new TreeSet<>(TAGS)
                    + ", got " + unknownTags);
        }
        TrackReport r = new TrackReport();
        if (tags.containsKey(TAG_SAC) != tags.containsKey(TAG_SIC)) {
            throw new IllegalArgumentException("tags sac and sic go together, got only "
                    + (tags.containsKey(TAG_SAC) ? TAG_SAC : TAG_SIC));
        }
        if (tags.containsKey(TAG_SAC)) {
            r.sac = (int) number(tags, TAG_SAC, 255);
            r.sic = (int) number(tags, TAG_SIC, 255);
        }
        if (tags.containsKey(TAG_TRACK)) {
            r.track = number(tags, TAG_TRACK, 65_535);
        }
        String status = tags.get(TAG_STATUS);
        if (status != null) {
            if (!status.equals(TRACKING) && !status.equals(ENDED)) {
                throw new IllegalArgumentException("tag status must be tracking or ended, got '" + status + "'");
            }
            r.ended = status.equals(ENDED);
        }
        for (Map.Entry<String, Object> e : fields.entrySet()) {
            String name = e.getKey();
            Object v = e.getValue();
            if (name.equals(SKIPPED)) {
                if (!(v instanceof Long l) || l < 0 || l > 64) {
                    throw new IllegalArgumentException("field skipped_items must be a Long 0..64, got " + v);
                }
                r.skipped = l.intValue();
            } else if (DOUBLE_FIELDS.contains(name)) {
                if (!(v instanceof Double d)) {
                    throw new IllegalArgumentException("field " + name + " must be a Double, got " + v + " ("
                            + v.getClass().getSimpleName() + ")");
                }
                r.set(name, d);
            } else {
                throw new IllegalArgumentException("radar-asterix cannot carry field " + name);
            }
        }
        return r;
    }

    private void set(String name, double v) {
        switch (name) {
            case TIME_OF_DAY -> timeOfDay = v;
            case RANGE -> range = v;
            case BEARING -> bearing = v;
            case X -> x = v;
            case Y -> y = v;
            case LAT -> lat = v;
            case LON -> lon = v;
            case SPEED -> speed = v;
            case HEADING -> heading = v;
            case VX -> vx = v;
            default -> vy = v;
        }
    }

    private static long number(Map<String, String> tags, String tag, long max) {
        String s = tags.get(tag);
        boolean digits = !s.isEmpty() && s.length() <= 5 && s.chars().allMatch(c -> c >= '0' && c <= '9')
                && (s.length() == 1 || s.charAt(0) != '0');
        if (!digits || Long.parseLong(s) > max) {
            throw new IllegalArgumentException("tag " + tag + " must be an integer 0.." + max + " in decimal, got '"
                    + s + "'");
        }
        return Long.parseLong(s);
    }

    private static void put(Map<String, Object> fields, String name, double v) {
        if (!Double.isNaN(v)) {
            fields.put(name, v);
        }
    }
}
