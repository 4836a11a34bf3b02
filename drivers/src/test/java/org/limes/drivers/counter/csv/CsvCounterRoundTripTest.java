package org.limes.drivers.counter.csv;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
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

/** Any valid lane reading survives encode then decode, in a zone with summer time. */
class CsvCounterRoundTripTest {

    private static final Instant RECEIVED_AT = Instant.parse("2026-11-26T06:00:03Z");

    private final CsvCounterDriver driver = new CsvCounterDriver(ZoneId.of("Europe/Berlin"), 60, "outbound");

    @Property(tries = 1000)
    void encodeThenDecodeGivesTheSameReading(@ForAll("readings") Reading reading) throws DecodeException {
        byte[] encoded = driver.encode(reading);

        List<Reading> decoded = driver.decode(new Frame(encoded, "property", "test", RECEIVED_AT));

        assertThat(decoded).hasSize(1);
        DriverContractTest.assertSameReading(reading, decoded.get(0), "for " + reading);
    }

    @Provide
    Arbitrary<Reading> readings() {
        Arbitrary<String> stations = Arbitraries.strings().withCharRange('a', 'z').withCharRange('0', '9').withChars("._:-")
                .ofMinLength(1).ofMaxLength(64);
        Arbitrary<Integer> lanes = Arbitraries.integers().between(1, 16);
        Arbitrary<Long> flows = Arbitraries.longs().between(0, 100_000).injectNull(0.3);
        Arbitrary<Double> speeds = Arbitraries.oneOf(
                Arbitraries.doubles().between(0, 250).ofScale(1).map(mph -> mph * CsvCounterDriver.MPS_PER_MPH),
                Arbitraries.doubles().between(0, 111).ofScale(12)).injectNull(0.3);
        Arbitrary<Double> occupancies = Arbitraries.integers().between(0, 1000).map(o -> o / 10.0).injectNull(0.3);
        // Whole seconds, inside the last hour of summer time on either side of the change too.
        Arbitrary<Instant> times = Arbitraries.longs().between(1_761_350_400L, 1_761_350_400L + 5 * 86_400)
                .map(Instant::ofEpochSecond);
        return Combinators.combine(stations, lanes, flows, speeds, occupancies, times)
                .filter((s, l, flow, speed, occupancy, t) -> flow != null || speed != null || occupancy != null)
                .as((station, lane, flow, speed, occupancy, time) -> {
                    TreeMap<String, Object> fields = new TreeMap<>();
                    fields.put("interval_s", 60L);
                    if (flow != null) {
                        fields.put("count_total", flow);
                    }
                    if (speed != null) {
                        fields.put("speed_avg_mps", speed);
                    }
                    if (occupancy != null) {
                        fields.put("occupancy_pct", occupancy);
                    }
                    return new Reading(station, "", "vehicle_count",
                            Map.of("lane", Integer.toString(lane), "direction", "outbound"), fields, time, RECEIVED_AT);
                })
                .filter(this::expressible);
    }

    /** The second pass through a repeated local hour reads back as the first, so it cannot be written. */
    private boolean expressible(Reading r) {
        try {
            driver.encode(r);
            return true;
        } catch (IllegalArgumentException e) {
            return !e.getMessage().contains("repeats");
        }
    }
}
