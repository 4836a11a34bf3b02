package org.limes.drivers.radar.asterix;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.limes.drivers.DecodeException;
import org.limes.drivers.DriverOptions;
import org.limes.drivers.Frame;
import org.limes.drivers.Reading;

/**
 * Any radar_track reading the encoder accepts decodes back to the same tags and to every
 * field within one LSB of its item (angles modulo 360°).
 */
class AsterixRoundTripTest {

    private static final Instant RECEIVED_AT = Instant.parse("2026-11-26T06:00:03Z");
    private static final double ANGLE = TrackItems.ANGLE_LSB_DEG;

    private static final Map<String, Map<String, Double>> LSB = Map.of(
            "48", Map.of("time_of_day_s", TrackItems.TIME_LSB_S, "range_m", Cat048Uap.RHO_LSB_M, "bearing_deg", ANGLE,
                    "x_m", Cat048Uap.XY_LSB_M, "y_m", Cat048Uap.XY_LSB_M, "speed_mps", TrackItems.SPEED_LSB_MPS,
                    "heading_deg", ANGLE),
            "62", Map.of("time_of_day_s", TrackItems.TIME_LSB_S, "lat_deg", Cat062Uap.LATLON_LSB_DEG,
                    "lon_deg", Cat062Uap.LATLON_LSB_DEG, "x_m", 0.5, "y_m", 0.5, "vx_mps", 0.25, "vy_mps", 0.25),
            "10", Map.of("time_of_day_s", TrackItems.TIME_LSB_S, "lat_deg", Cat010Uap.LATLON_LSB_DEG,
                    "lon_deg", Cat010Uap.LATLON_LSB_DEG, "range_m", 1.0, "bearing_deg", ANGLE, "x_m", 1.0, "y_m", 1.0,
                    "speed_mps", TrackItems.SPEED_LSB_MPS, "heading_deg", ANGLE, "vx_mps", 0.25));

    private final AsterixDriver driver =
            (AsterixDriver) new AsterixDriverFactory().create(DriverOptions.of(Map.of("device", "radar-1")));

    @Property(tries = 1000)
    void encodeThenDecodeKeepsEveryValueWithinOneLsb(@ForAll("readings") Reading reading) throws DecodeException {
        byte[] encoded = driver.encode(reading);

        List<Reading> decoded = driver.decode(new Frame(encoded, "property", "test", RECEIVED_AT));

        assertThat(decoded).hasSize(1);
        Reading got = decoded.get(0);
        assertThat(got.tags()).isEqualTo(reading.tags());
        assertThat(got.kind()).isEqualTo("radar_track");
        assertThat(got.fields().keySet()).isEqualTo(reading.fields().keySet());
        Map<String, Double> lsb = LSB.get(reading.tags().get("category"));
        for (Map.Entry<String, Double> e : lsb.entrySet()) {
            String field = e.getKey();
            if (!reading.fields().containsKey(field)) {
                continue;
            }
            double want = reading.number(field);
            double diff = Math.abs(got.number(field) - want);
            if (field.endsWith("_deg") && !field.startsWith("l")) {
                diff = Math.min(diff, 360 - diff);
            }
            assertThat(diff).as(field + " of " + reading).isLessThanOrEqualTo(e.getValue());
        }
    }

    @Provide
    Arbitrary<Reading> readings() {
        Arbitrary<String> categories = Arbitraries.of("10", "48", "62");
        Arbitrary<Integer> codes = Arbitraries.integers().between(0, 255);
        Arbitrary<Long> tracks = Arbitraries.longs().between(0, 4095);
        Arbitrary<String> statuses = Arbitraries.of("tracking", "ended");
        Arbitrary<Double> tods = Arbitraries.doubles().between(0, 86_399.99);
        Arbitrary<Double> local = Arbitraries.doubles().between(-30_000, 30_000);
        Arbitrary<Double> speeds = Arbitraries.doubles().between(0, 60);
        Arbitrary<Double> angles = Arbitraries.doubles().between(0, 359.99);
        Arbitrary<Double> lats = Arbitraries.doubles().between(-89.99, 89.99);
        Arbitrary<Double> lons = Arbitraries.doubles().between(-179.99, 179.99);
        return Combinators.combine(categories, codes, tracks, statuses, tods, Combinators.combine(local, local)
                        .as((a, b) -> new double[] {a, b}), Combinators.combine(speeds, angles).as((a, b) -> new double[] {a, b}),
                        Combinators.combine(lats, lons).as((a, b) -> new double[] {a, b}))
                .as((category, code, track, status, tod, xy, velocity, latLon) -> {
                    TreeMap<String, Object> fields = new TreeMap<>();
                    fields.put("time_of_day_s", tod);
                    fields.put("x_m", xy[0]);
                    fields.put("y_m", xy[1]);
                    // CAT010 carries both velocities; a Cartesian one that matches the polar one
                    // exactly would count as derived, so it points 10 degrees off here.
                    double course = Math.toRadians(velocity[1] + (category.equals("10") ? 10 : 0));
                    double vx = velocity[0] * Math.sin(course);
                    double vy = velocity[0] * Math.cos(course);
                    if (!category.equals("62")) {
                        fields.put("range_m", Math.hypot(xy[0], xy[1]));
                        fields.put("bearing_deg", angle(Math.toDegrees(Math.atan2(xy[0], xy[1]))));
                        fields.put("speed_mps", velocity[0]);
                        fields.put("heading_deg", velocity[1]);
                    }
                    if (!category.equals("48")) {
                        fields.put("lat_deg", latLon[0]);
                        fields.put("lon_deg", latLon[1]);
                        fields.put("vx_mps", vx);
                        fields.put("vy_mps", vy);
                    }
                    if (category.equals("62")) {
                        fields.put("speed_mps", Math.hypot(vx, vy));
                        double h = Math.toDegrees(Math.atan2(vx, vy)) + 0.0;
                        h = h < 0 ? h + 360 : h;
                        fields.put("heading_deg", h >= 360 ? 0.0 : h);
                    }
                    fields.put("skipped_items", 0L);
                    Map<String, String> tags = Map.of("category", category, "sac", code.toString(),
                            "sic", Integer.toString(255 - code), "track", track.toString(), "status", status);
                    return new Reading("radar-1", "", "radar_track", tags, fields,
                            Instant.parse("2026-11-26T00:00:00Z").plusNanos((long) (tod * 1e9)), RECEIVED_AT);
                });
    }

    private static double angle(double degrees) {
        return degrees < 0 ? degrees + 360 : degrees;
    }
}
