package org.limes.simulator.device.radar;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.limes.drivers.Driver;
import org.limes.drivers.DriverOptions;
import org.limes.drivers.Drivers;
import org.limes.drivers.Reading;

/**
 * A simulated ground-surveillance radar (SDPS output, ASTERIX CAT062) watching people
 * and vehicles cross near a border post: {@code radar_track} readings and the frames the
 * {@code radar-asterix} driver encodes for them.
 *
 * <p>Track {@code i} (1-based, also its track number) starts at a random point within
 * 5 km of the sensor when the model starts and moves on a straight line at a constant
 * velocity: odd tracks are people on foot (0.8..2 m/s), even tracks vehicles (4..25 m/s),
 * in a random direction. Positions are Cartesian (x east, y north, metres from the
 * sensor, I062/100), velocities Cartesian (I062/185); the gateway's driver, configured
 * with the sensor position, adds latitude and longitude.
 *
 * <pre>
 *   per reading  tags {category=62, sac, sic, track=i, status=tracking}
 *                fields {time_of_day_s, x_m, y_m, vx_mps, vy_mps}
 * </pre>
 *
 * <p>Deterministic: the tracks are a pure function of the seed and the start time.
 * Immutable and safe to call from any number of threads.
 */
public final class AsterixRadarModel {

    private static final double START_RADIUS_M = 5_000;
    private static final long NANOS_PER_LSB = 1_000_000_000L / 128;

    private final String device;
    private final int sac;
    private final int sic;
    private final Instant start;
    private final double[][] tracks;
    private final Driver driver;

    /**
     * @param seed   the seed every track derives from
     * @param device the radar's device id, as the gateway's driver option {@code device} names it
     * @param tracks the number of tracks, 1..4095
     * @param sac    system area code, 0..255
     * @param sic    system identification code, 0..255
     * @param start  when the tracks are at their starting points
     */
    public AsterixRadarModel(long seed, String device, int tracks, int sac, int sic, Instant start) {
        if (tracks < 1 || tracks > 4095) {
            throw new IllegalArgumentException("tracks must be 1..4095, got " + tracks);
        }
        if (sac < 0 || sac > 255 || sic < 0 || sic > 255) {
            throw new IllegalArgumentException("sac and sic must be 0..255, got " + sac + ", " + sic);
        }
        this.device = device;
        this.sac = sac;
        this.sic = sic;
        this.start = Objects.requireNonNull(start, "start");
        this.driver = Drivers.load().create("radar-asterix", DriverOptions.of(Map.of("device", device)));
        this.tracks = new double[tracks][];
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < tracks; i++) {
            double r = START_RADIUS_M * Math.sqrt(random.nextDouble());
            double bearing = random.nextDouble(2 * Math.PI);
            boolean onFoot = i % 2 == 0;
            double speed = onFoot ? random.nextDouble(0.8, 2) : random.nextDouble(4, 25);
            double course = random.nextDouble(2 * Math.PI);
            this.tracks[i] = new double[] {r * Math.sin(bearing), r * Math.cos(bearing),
                speed * Math.sin(course), speed * Math.cos(course)};
        }
    }

    /** The number of tracks. */
    public int tracks() {
        return tracks.length;
    }

    /**
     * Every track's reading at {@code time} (rounded down to the 1/128 s of the ASTERIX
     * time of day), in track order.
     */
    public List<Reading> readings(Instant time) {
        Instant at = quantised(time);
        double elapsed = Duration.between(start, at).toNanos() / 1e9;
        double timeOfDay = Duration.between(at.truncatedTo(ChronoUnit.DAYS), at).toNanos() / 1e9;
        List<Reading> readings = new ArrayList<>(tracks.length);
        for (int i = 0; i < tracks.length; i++) {
            double[] t = tracks[i];
            TreeMap<String, Object> fields = new TreeMap<>();
            fields.put("time_of_day_s", timeOfDay);
            fields.put("x_m", t[0] + t[2] * elapsed);
            fields.put("y_m", t[1] + t[3] * elapsed);
            fields.put("vx_mps", t[2]);
            fields.put("vy_mps", t[3]);
            Map<String, String> tags = Map.of("category", "62", "sac", Integer.toString(sac),
                    "sic", Integer.toString(sic), "track", Integer.toString(i + 1), "status", "tracking");
            readings.add(new Reading(device, "", "radar_track", tags, fields, at, at));
        }
        return readings;
    }

    /** One frame of every track at {@code time}: a CAT062 data block per track, back to back. */
    public byte[] frame(Instant time) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 * tracks.length);
        for (Reading r : readings(time)) {
            out.writeBytes(driver.encode(r));
        }
        return out.toByteArray();
    }

    private static Instant quantised(Instant time) {
        long nanos = time.getNano() - time.getNano() % NANOS_PER_LSB;
        return Instant.ofEpochSecond(time.getEpochSecond(), nanos);
    }
}
