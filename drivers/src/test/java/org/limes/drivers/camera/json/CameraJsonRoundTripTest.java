package org.limes.drivers.camera.json;

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
import org.limes.drivers.EventKey;
import org.limes.drivers.Frame;
import org.limes.drivers.Reading;

/** Any valid reading of the four kinds survives encode then decode, on one line. */
class CameraJsonRoundTripTest {

    private static final Instant RECEIVED_AT = Instant.parse("2026-11-26T06:00:03Z");

    private final CameraJsonDriver driver = new CameraJsonDriver();

    @Property(tries = 1000)
    void encodeThenDecodeGivesTheSameReading(@ForAll("readings") Reading reading) throws DecodeException {
        byte[] encoded = driver.encode(reading);

        List<Reading> decoded = driver.decode(new Frame(encoded, "property", "test", RECEIVED_AT));

        assertThat(decoded).hasSize(1);
        DriverContractTest.assertSameReading(reading, decoded.get(0), "for " + reading);
        assertThat(encoded).doesNotContain((byte) '\n', (byte) '\r');
    }

    @Provide
    Arbitrary<Reading> readings() {
        return Arbitraries.oneOf(anprReads(), zoneCounts(), health());
    }

    private static Arbitrary<String> devices() {
        return Arbitraries.strings().withChars("ABCXYZabcxyz0123456789._:-").ofMinLength(1).ofMaxLength(64);
    }

    private static Arbitrary<String> text(int max) {
        return Arbitraries.strings().withCharRange(' ', '~').withCharRange('\u0600', '\u06ff').withChars('"', '\\')
                .ofMinLength(1).ofMaxLength(max).filter(s -> !s.isBlank());
    }

    private static Arbitrary<Instant> times() {
        return Arbitraries.longs().between(0, 4_102_444_800L)
                .flatMap(s -> Arbitraries.integers().between(0, 999_999_999).map(n -> Instant.ofEpochSecond(s, n)));
    }

    private static Arbitrary<Reading> anprReads() {
        Arbitrary<Map<String, String>> tags = Combinators.combine(
                        text(16).injectNull(0.3), Arbitraries.of("inbound", "outbound").injectNull(0.3),
                        text(64).injectNull(0.3), text(64).injectNull(0.3), text(64).injectNull(0.3))
                .as((lane, direction, country, vehicleType, list) -> {
                    TreeMap<String, String> m = new TreeMap<>();
                    putIf(m, "lane", lane);
                    putIf(m, "direction", direction);
                    putIf(m, "country", country);
                    putIf(m, "vehicle_type", vehicleType);
                    putIf(m, "list", list);
                    return m;
                });
        return Combinators.combine(devices(), text(32), Arbitraries.doubles().between(0, 100), tags, times())
                .as((device, plate, confidence, tagMap, time) -> EventKey.mark(new Reading(device, "", "anpr_read",
                        tagMap, Map.of("plate", plate, "confidence_pct", confidence), time, RECEIVED_AT),
                        EventKey.precisionOf(time.toString())));
    }

    private static Arbitrary<Reading> zoneCounts() {
        Arbitrary<Long> counts = Arbitraries.longs().between(0, 1_000_000);
        return Combinators.combine(devices(), Arbitraries.of("people_count", "vehicle_count"), text(64),
                        Arbitraries.longs().between(1, 86_400), counts, counts, times())
                .as((device, kind, zone, interval, in, out, time) -> new Reading(device, "", kind, Map.of("zone", zone),
                        Map.of("interval_s", interval, "count_in", in, "count_out", out, "count_total", in + out),
                        time, RECEIVED_AT));
    }

    private static Arbitrary<Reading> health() {
        return Combinators.combine(devices(), Arbitraries.of(true, false),
                        Arbitraries.doubles().between(-60, 150).injectNull(0.3),
                        Arbitraries.of(true, false).injectNull(0.3), Arbitraries.of(true, false).injectNull(0.3),
                        Arbitraries.doubles().between(0, 1000).injectNull(0.3), times())
                .as((device, online, temperature, tamper, videoLoss, fps, time) -> {
                    TreeMap<String, Object> f = new TreeMap<>();
                    f.put("online", online);
                    putIf(f, "temperature_c", temperature);
                    putIf(f, "tamper", tamper);
                    putIf(f, "video_loss", videoLoss);
                    putIf(f, "fps", fps);
                    return new Reading(device, "", "device_health", Map.of(), f, time, RECEIVED_AT);
                });
    }

    private static <V> void putIf(Map<String, V> m, String key, V value) {
        if (value != null) {
            m.put(key, value);
        }
    }
}
