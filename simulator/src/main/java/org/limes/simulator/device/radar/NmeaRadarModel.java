package org.limes.simulator.device.radar;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.limes.drivers.Reading;
import org.limes.drivers.radar.nmea.NmeaRadarDriver;

/**
 * A ground-surveillance radar tracking people and vehicles that move along straight paths,
 * producing {@code radar_track} readings in the shapes the {@code radar-nmea} driver encodes
 * (a TTM and a TLL sentence per track and scan).
 *
 * <p>Track {@code k} (1-based) is a person (odd {@code k}, 1..2 m/s) or a vehicle (even
 * {@code k}, 5..30 m/s); it starts at a random point within {@code maxRangeM} of the radar
 * at {@code start}, with a random heading, and moves in a straight line. Once it is beyond
 * {@code maxRangeM} it is reported lost (status L, no measurements). Positions are metres
 * east/north of the radar; latitude and longitude use a local flat-earth projection
 * around the radar (good to well under a metre within a few kilometres).
 *
 * <pre>
 *   person   speed 1..2 m/s    name P&lt;k&gt;    acquisition auto
 *   vehicle  speed 5..30 m/s   name V&lt;k&gt;    acquisition auto
 * </pre>
 *
 * <p>Deterministic and stateless: a reading is a pure function of the seed, the track and
 * the time. Immutable and safe to call from any number of threads.
 */
public final class NmeaRadarModel {

    private static final double METRES_PER_DEGREE_LAT = 111_320;

    private final long seed;
    private final String device;
    private final int tracks;
    private final double maxRangeM;
    private final double latDeg;
    private final double lonDeg;
    private final Instant start;
    private final NmeaRadarDriver driver;

    /**
     * @param seed      the seed every track derives from
     * @param device    the radar's device id
     * @param tracks    how many tracks, 1..999
     * @param maxRangeM the radar's range in metres
     * @param latDeg    the radar's latitude
     * @param lonDeg    the radar's longitude
     * @param start     when every track is at its starting point
     */
    public NmeaRadarModel(long seed, String device, int tracks, double maxRangeM, double latDeg, double lonDeg,
            Instant start) {
        if (tracks < 1 || tracks > 999) {
            throw new IllegalArgumentException("tracks must be 1..999, got " + tracks);
        }
        if (!(maxRangeM > 0)) {
            throw new IllegalArgumentException("maxRangeM must be positive, got " + maxRangeM);
        }
        this.seed = seed;
        this.device = device;
        this.tracks = tracks;
        this.maxRangeM = maxRangeM;
        this.latDeg = latDeg;
        this.lonDeg = lonDeg;
        this.start = start;
        this.driver = new NmeaRadarDriver(device, true);
    }

    /** The readings of one scan at {@code time}: per track a TTM-shaped then a TLL-shaped one. */
    public List<Reading> scan(Instant time) {
        List<Reading> readings = new ArrayList<>(2 * tracks);
        for (int k = 1; k <= tracks; k++) {
            readings.addAll(track(k, time));
        }
        return readings;
    }

    /** One scan as NMEA sentences, each ending CR LF: what the radar writes to its serial or TCP port. */
    public byte[] scanSentences(Instant time) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(100 * 2 * tracks);
        for (Reading r : scan(time)) {
            out.writeBytes(driver.encode(r));
            out.write('\r');
            out.write('\n');
        }
        return out.toByteArray();
    }

    /** Whether track {@code k} is a person (else a vehicle). */
    public static boolean isPerson(int k) {
        return k % 2 == 1;
    }

    private List<Reading> track(int k, Instant time) {
        SplittableRandom random = new SplittableRandom(seed * 1_000_003L + k);
        double startRange = maxRangeM * Math.sqrt(random.nextDouble()) * 0.9;
        double startBearing = random.nextDouble() * 2 * Math.PI;
        double heading = random.nextDouble() * 2 * Math.PI;
        double speed = isPerson(k) ? 1 + random.nextDouble() : 5 + 25 * random.nextDouble();
        double seconds = Duration.between(start, time).toNanos() / 1e9;
        double east = startRange * Math.sin(startBearing) + speed * seconds * Math.sin(heading);
        double north = startRange * Math.cos(startBearing) + speed * seconds * Math.cos(heading);
        double range = Math.hypot(east, north);

        Instant at = time.truncatedTo(ChronoUnit.MILLIS);
        TreeMap<String, String> tags = new TreeMap<>();
        tags.put("track", Integer.toString(k));
        TreeMap<String, Object> ttm = new TreeMap<>();
        ttm.put("target", (long) k);
        if (range > maxRangeM) {
            tags.put("status", "lost");
            return List.of(new Reading(device, "", NmeaRadarDriver.KIND, tags, ttm, at, at));
        }
        tags.put("status", "tracking");
        ttm.put("name", (isPerson(k) ? "P" : "V") + k);
        TreeMap<String, Object> tll = new TreeMap<>(ttm);
        TreeMap<String, String> tllTags = new TreeMap<>(tags);
        tags.put("acquisition", "auto");
        tags.put("bearing_ref", "true");
        tags.put("course_ref", "true");
        ttm.put("range_m", round(range, 1));
        ttm.put("bearing_deg", round((Math.toDegrees(Math.atan2(east, north)) + 360) % 360, 1));
        ttm.put("speed_mps", round(speed, 2));
        ttm.put("course_deg", round(Math.toDegrees(heading), 1));
        tll.put("lat_deg", round(latDeg + north / METRES_PER_DEGREE_LAT, 7));
        tll.put("lon_deg", round(lonDeg + east / (METRES_PER_DEGREE_LAT * Math.cos(Math.toRadians(latDeg))), 7));
        return List.of(new Reading(device, "", NmeaRadarDriver.KIND, tags, ttm, at, at),
                new Reading(device, "", NmeaRadarDriver.KIND, tllTags, tll, at, at));
    }

    private static double round(double v, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(v * scale) / scale;
    }
}
