package org.limes.drivers.counter.json;

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

/** Any valid vehicle_count reading survives encode then decode (doubles within 1e-9). */
class CounterJsonRoundTripTest {

    private static final Instant RECEIVED_AT = Instant.parse("2026-11-26T06:00:03Z");
    private static final double MAX_SPEED_MPS = 111.11;

    private final CounterJsonDriver driver = new CounterJsonDriver();

    @Property(tries = 1000)
    void encodeThenDecodeGivesTheSameReading(@ForAll("readings") Reading reading) throws DecodeException {
        byte[] encoded = driver.encode(reading);

        List<Reading> decoded = driver.decode(new Frame(encoded, "property", "test", RECEIVED_AT));

        assertThat(decoded).hasSize(1);
        DriverContractTest.assertSameReading(reading, decoded.get(0), "for " + reading);
    }

    @Property(tries = 500)
    void anEncodedFrameIsOneLine(@ForAll("readings") Reading reading) {
        assertThat(driver.encode(reading)).doesNotContain((byte) '\n', (byte) '\r');
    }

    @Provide
    Arbitrary<Reading> readings() {
        Arbitrary<String> devices = Arbitraries.strings()
                .withChars("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-").ofMinLength(1).ofMaxLength(64);
        Arbitrary<String> lanes = Arbitraries.strings().all().ofMinLength(1).ofMaxLength(16).filter(s -> !s.isBlank());
        Arbitrary<String> directions = Arbitraries.of("inbound", "outbound");
        Arbitrary<String> classes = Arbitraries.strings().withCharRange('a', 'z').ofLength(1)
                .flatMap(first -> Arbitraries.strings().withCharRange('a', 'z').withCharRange('0', '9').withChars('_')
                        .ofMaxLength(31).map(rest -> first + rest))
                .filter(c -> !c.equals("total"));
        Arbitrary<Map<String, Long>> counts = Arbitraries.maps(classes, Arbitraries.longs().between(0, 1_000_000))
                .ofMinSize(1).ofMaxSize(8);
        Arbitrary<Long> intervals = Arbitraries.longs().between(1, 86_400);
        // Speeds both as a device reports them (km/h, converted) and as the simulator makes them (m/s).
        Arbitrary<Double> speeds = Arbitraries.oneOf(
                        Arbitraries.doubles().between(0, 400).ofScale(6).map(kmh -> kmh / 3.6),
                        Arbitraries.doubles().between(0, MAX_SPEED_MPS).ofScale(14))
                .injectNull(0.3);
        Arbitrary<Double> occupancies = Arbitraries.doubles().between(0, 100).ofScale(12).injectNull(0.3);
        Arbitrary<Instant> times = Arbitraries.longs().between(0, 4_102_444_800L)
                .flatMap(s -> Arbitraries.integers().between(0, 999_999_999).map(n -> Instant.ofEpochSecond(s, n)));

        return Combinators.combine(devices, lanes, directions, counts, intervals, speeds, occupancies, times)
                .as((device, lane, direction, perClass, interval, speed, occupancy, time) -> {
                    TreeMap<String, Object> fields = new TreeMap<>();
                    perClass.forEach((c, n) -> fields.put("count_" + c, n));
                    fields.put("count_total", perClass.values().stream().mapToLong(Long::longValue).sum());
                    fields.put("interval_s", interval);
                    if (speed != null) {
                        fields.put("speed_avg_mps", speed);
                    }
                    if (occupancy != null) {
                        fields.put("occupancy_pct", occupancy);
                    }
                    return new Reading(device, "", "vehicle_count", Map.of("lane", lane, "direction", direction),
                            fields, time, RECEIVED_AT);
                });
    }
}
