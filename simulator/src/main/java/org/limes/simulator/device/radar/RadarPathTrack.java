package org.limes.simulator.device.radar;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.TreeMap;
import org.limes.drivers.Reading;
import org.limes.drivers.radar.nmea.NmeaRadarDriver;

/**
 * One scripted radar track walking a polyline at a constant speed: the intruder of a
 * green-border scenario, in the {@code radar_track} shapes the {@code radar-nmea} driver
 * encodes (a TTM and a TLL reading per scan, as {@link NmeaRadarModel}).
 *
 * <pre>
 *   waypoints   metres east (x) and north (y) of the radar, at least two
 *   position    distance walked = speed × (time − appears); past the last waypoint the
 *               track is reported lost (status L) and then no more
 *   TTM fields  target, name (P&lt;n&gt; on foot under 3 m/s, else V&lt;n&gt;), range_m, bearing_deg,
 *               speed_mps, course_deg
 *   TLL fields  target, name, lat_deg, lon_deg (flat-earth projection around the radar)
 * </pre>
 *
 * <p>Worked example: waypoints (−300, 0) → (300, 0), 1.5 m/s, appearing at T. At T + 100 s
 * the track is at (−150, 0): TTM range_m 150.0, bearing_deg 270.0, course_deg 90.0,
 * speed_mps 1.5, name P900 for target 900; at T + 400 s it is past the end and lost.
 *
 * <p>Immutable; safe from any thread.
 */
public final class RadarPathTrack {

    private static final double METRES_PER_DEGREE_LAT = 111_320;

    private final String device;
    private final int target;
    private final double[][] points;
    private final double speedMps;
    private final Instant appears;
    private final double latDeg;
    private final double lonDeg;

    /**
     * @param device   the radar's device id
     * @param target   the track number, 0..999
     * @param points   waypoints {x, y} in metres
     * @param speedMps constant speed along the path
     * @param appears  when the track is at the first waypoint
     * @param latDeg   radar latitude
     * @param lonDeg   radar longitude
     */
    public RadarPathTrack(String device, int target, List<double[]> points, double speedMps, Instant appears,
            double latDeg, double lonDeg) {
        if (points.size() < 2) {
            throw new IllegalArgumentException("a path needs at least two waypoints");
        }
        if (target < 0 || target > 999) {
            throw new IllegalArgumentException("target must be 0..999, got " + target);
        }
        this.device = device;
        this.target = target;
        this.points = points.toArray(new double[0][]);
        this.speedMps = speedMps;
        this.appears = appears;
        this.latDeg = latDeg;
        this.lonDeg = lonDeg;
    }

    /** The readings of the track at {@code time}: none before it appears or after it was lost. */
    public List<Reading> readings(Instant time) {
        if (time.isBefore(appears)) {
            return List.of();
        }
        Instant at = time.truncatedTo(ChronoUnit.MILLIS);
        double walked = speedMps * Duration.between(appears, time).toNanos() / 1e9;
        TreeMap<String, String> tags = new TreeMap<>();
        tags.put("track", Integer.toString(target));
        TreeMap<String, Object> ttm = new TreeMap<>();
        ttm.put("target", (long) target);
        for (int i = 1; i < points.length; i++) {
            double dx = points[i][0] - points[i - 1][0];
            double dy = points[i][1] - points[i - 1][1];
            double leg = Math.hypot(dx, dy);
            if (walked > leg && i < points.length - 1) {
                walked -= leg;
                continue;
            }
            if (walked > leg) {
                if (walked - leg > speedMps * 60) {
                    return List.of();
                }
                tags.put("status", "lost");
                return List.of(new Reading(device, "", NmeaRadarDriver.KIND, tags, ttm, at, at));
            }
            double east = points[i - 1][0] + dx * walked / leg;
            double north = points[i - 1][1] + dy * walked / leg;
            tags.put("status", "tracking");
            ttm.put("name", (speedMps < 3 ? "P" : "V") + target);
            TreeMap<String, Object> tll = new TreeMap<>(ttm);
            TreeMap<String, String> tllTags = new TreeMap<>(tags);
            tags.put("acquisition", "auto");
            tags.put("bearing_ref", "true");
            tags.put("course_ref", "true");
            ttm.put("range_m", round(Math.hypot(east, north), 1));
            ttm.put("bearing_deg", round((Math.toDegrees(Math.atan2(east, north)) + 360) % 360, 1));
            ttm.put("speed_mps", round(speedMps, 2));
            ttm.put("course_deg", round((Math.toDegrees(Math.atan2(dx, dy)) + 360) % 360, 1));
            tll.put("lat_deg", round(latDeg + north / METRES_PER_DEGREE_LAT, 7));
            tll.put("lon_deg", round(lonDeg + east / (METRES_PER_DEGREE_LAT * Math.cos(Math.toRadians(latDeg))), 7));
            return List.of(new Reading(device, "", NmeaRadarDriver.KIND, tags, ttm, at, at),
                    new Reading(device, "", NmeaRadarDriver.KIND, tllTags, tll, at, at));
        }
        return List.of();
    }

    private static double round(double v, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(v * scale) / scale;
    }
}
