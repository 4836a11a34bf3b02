package org.limes.drivers.radar.nmea;

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
import org.limes.drivers.DriverContractTest;
import org.limes.drivers.Frame;
import org.limes.drivers.Reading;

/** Any valid radar_track reading (TTM or TLL shape) survives encode then decode. */
class NmeaRadarRoundTripTest {

    private static final Instant RECEIVED_AT = Instant.parse("2026-11-26T00:00:03Z");

    private final NmeaRadarDriver driver = new NmeaRadarDriver("radar-1", true);

    @Property(tries = 1000)
    void encodeThenDecodeGivesTheSameReading(@ForAll("readings") Reading reading) throws DecodeException {
        byte[] encoded = driver.encode(reading);

        List<Reading> decoded = driver.decode(new Frame(encoded, "property", "test", RECEIVED_AT));

        assertThat(decoded).hasSize(1);
        DriverContractTest.assertSameReading(reading, decoded.get(0), "for " + reading);
    }

    @Provide
    Arbitrary<Reading> readings() {
        Arbitrary<Integer> tracks = Arbitraries.integers().between(0, 999);
        Arbitrary<String> statuses = Arbitraries.of("lost", "query", "tracking").injectNull(0.2);
        Arbitrary<Double> distances = Arbitraries.doubles().between(0, 100_000).ofScale(3).injectNull(0.2);
        Arbitrary<Double> angles = Arbitraries.doubles().between(0, 360).ofScale(4).injectNull(0.2);
        Arbitrary<Double> speeds = Arbitraries.doubles().between(0, 60).ofScale(6).injectNull(0.2);
        Arbitrary<Double> tcpas = Arbitraries.doubles().between(-3600, 3600).ofScale(2).injectNull(0.2);
        Arbitrary<String> names = Arbitraries.strings().withCharRange(' ', '~').ofMinLength(1).ofMaxLength(12)
                .injectNull(0.3);
        Arbitrary<Instant> times = Arbitraries.longs().between(-43_199_999, 43_199_999)
                .map(ms -> RECEIVED_AT.plusMillis(ms));
        Arbitrary<Double> lats = Arbitraries.doubles().between(-90, 90).ofScale(7);
        Arbitrary<Double> lons = Arbitraries.doubles().between(-180, 180).ofScale(7);
        Arbitrary<Boolean> shapes = Arbitraries.of(true, false);

        Arbitrary<Reading> ttm = Combinators.combine(tracks, statuses, distances, angles, speeds, angles, tcpas,
                names).as((track, status, range, bearing, speed, course, tcpa, name) -> {
                    TreeMap<String, String> tags = new TreeMap<>();
                    TreeMap<String, Object> fields = new TreeMap<>();
                    tags.put("track", Integer.toString(track));
                    fields.put("target", (long) track);
                    putIf(tags, "status", status);
                    putIf(fields, "range_m", range);
                    putIf(fields, "cpa_m", range == null ? null : range / 3);
                    putIf(fields, "speed_mps", speed);
                    putIf(fields, "tcpa_s", tcpa);
                    putIf(fields, "name", name);
                    if (bearing != null) {
                        fields.put("bearing_deg", bearing);
                        tags.put("bearing_ref", track % 2 == 0 ? "true" : "relative");
                    }
                    if (course != null) {
                        fields.put("course_deg", course);
                        tags.put("course_ref", "true");
                    }
                    tags.put("acquisition", List.of("auto", "manual", "reported").get(track % 3));
                    return Map.entry(tags, fields);
                }).flatMap(e -> times.map(t -> new Reading("radar-1", "", "radar_track", e.getKey(), e.getValue(), t,
                        RECEIVED_AT)));
        Arbitrary<Reading> tll = Combinators.combine(tracks, statuses, lats, lons, names, times, shapes)
                .as((track, status, lat, lon, name, time, reference) -> {
                    TreeMap<String, String> tags = new TreeMap<>();
                    TreeMap<String, Object> fields = new TreeMap<>();
                    tags.put("track", Integer.toString(track));
                    fields.put("target", (long) track);
                    putIf(tags, "status", status);
                    fields.put("lat_deg", lat);
                    fields.put("lon_deg", lon);
                    putIf(fields, "name", name);
                    if (reference) {
                        fields.put("reference", true);
                    }
                    return new Reading("radar-1", "", "radar_track", tags, fields, time, RECEIVED_AT);
                });
        return Arbitraries.oneOf(ttm, tll);
    }

    private static <V> void putIf(Map<String, V> map, String key, V value) {
        if (value != null) {
            map.put(key, value);
        }
    }
}
