package org.limes.drivers.camera.hikvision;

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

/** Any valid anpr_read reading survives encode then decode through the camera's multipart body. */
class HikvisionAnprRoundTripTest {

    private static final Instant RECEIVED_AT = Instant.parse("2026-11-26T06:00:03Z");

    private final HikvisionAnprDriver driver = new HikvisionAnprDriver();

    @Property(tries = 500)
    void encodeThenDecodeGivesTheSameReading(@ForAll("readings") Reading reading) throws DecodeException {
        byte[] encoded = driver.encode(reading);

        List<Reading> decoded = driver.decode(new Frame(encoded, "property", "test", RECEIVED_AT));

        assertThat(decoded).hasSize(1);
        DriverContractTest.assertSameReading(reading, decoded.get(0), "for " + reading);
    }

    @Provide
    Arbitrary<Reading> readings() {
        Arbitrary<String> ips = Arbitraries.strings()
                .withChars("ABCDEFabcdef0123456789.:-_").ofMinLength(1).ofMaxLength(64);
        // Any text without control characters or outer spaces: Latin, Arabic, markup characters.
        Arbitrary<String> text = Arbitraries.strings().withCharRange(' ', '~').withCharRange('\u0600', '\u06ff')
                .ofMinLength(1).ofMaxLength(16).map(String::strip).filter(s -> !s.isEmpty());
        Arbitrary<String> plates = text;
        Arbitrary<Double> confidences = Arbitraries.oneOf(
                        Arbitraries.integers().between(0, 100).map(Integer::doubleValue),
                        Arbitraries.doubles().between(0, 100).ofScale(6))
                .injectNull(0.2);
        Arbitrary<Long> pictures = Arbitraries.longs().between(0, 20_000);
        Arbitrary<Map<String, String>> tags = Arbitraries.maps(
                Arbitraries.of("lane", "direction", "country", "vehicle_type", "list", "plate_color"), text).ofMaxSize(6);
        Arbitrary<Instant> times = Arbitraries.longs().between(0, 4_102_444_800L)
                .flatMap(s -> Arbitraries.integers().between(0, 999_999_999).map(n -> Instant.ofEpochSecond(s, n)));

        return Combinators.combine(ips, plates, confidences, pictures, tags, times)
                .as((ip, plate, confidence, pictureBytes, tagMap, time) -> {
                    TreeMap<String, Object> fields = new TreeMap<>();
                    fields.put("plate", plate);
                    fields.put("picture_bytes", pictureBytes);
                    if (confidence != null) {
                        fields.put("confidence_pct", confidence);
                    }
                    // As decoding marks it: an event, as precise as the time written.
                    fields.put(EventKey.FIELD, EventKey.precisionOf(time.toString()));
                    return new Reading(ip, "", "anpr_read", tagMap, fields, time, RECEIVED_AT);
                });
    }
}
