package org.limes.drivers.lineprotocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.limes.drivers.DecodeException;
import org.limes.drivers.Frame;
import org.limes.drivers.Reading;
import org.limes.drivers.StoreNames;

/**
 * Any reading line protocol can express with names the store can hold survives encode then
 * decode exactly, escapes and all (in device ids, tag values and strings).
 */
class LineProtocolRoundTripTest {

    private static final Instant RECEIVED_AT = Instant.parse("2026-11-26T06:00:03Z");
    private static final String TRICKY = "ab ,=\\\"#é";

    private final LineProtocolDriver driver = new LineProtocolDriver("device", LineProtocolDriver.Precision.NS);

    @Property(tries = 1000)
    void encodeThenDecodeGivesTheSameReading(@ForAll("readings") Reading reading) throws DecodeException {
        List<Reading> decoded = driver.decode(new Frame(driver.encode(reading), "property", "test", RECEIVED_AT));

        assertThat(decoded).containsExactly(reading);
    }

    @Provide
    Arbitrary<Reading> readings() {
        Arbitrary<String> names = Arbitraries.strings().withChars(TRICKY).ofMinLength(1).ofMaxLength(8);
        Arbitrary<String> identifiers = Arbitraries.strings().withCharRange('a', 'z').withChars("_0123456789")
                .ofMaxLength(8);
        Arbitrary<String> measurements = identifiers.map(n -> "m" + n);
        Arbitrary<String> devices = names.filter(n -> !n.isBlank());
        Arbitrary<Object> values = Arbitraries.oneOf(
                Arbitraries.longs().map(l -> (Object) l),
                Arbitraries.doubles().filter(Double::isFinite).map(d -> (Object) d),
                Arbitraries.of(true, false).map(b -> (Object) b),
                Arbitraries.strings().withChars(TRICKY).ofMaxLength(8).map(s -> (Object) s));
        Arbitrary<Map<String, String>> tags = Arbitraries.maps(identifiers.map(k -> "t" + k)
                .filter(k -> !StoreNames.isGatewayKey(k)), names).ofMaxSize(4);
        Arbitrary<Map<String, Object>> fields = Arbitraries.maps(identifiers.map(k -> "f" + k), values)
                .ofMinSize(1).ofMaxSize(4);
        Arbitrary<Instant> times = Arbitraries.longs().map(n -> Instant.ofEpochSecond(0, n));
        return Combinators.combine(devices, measurements, tags, fields, times)
                .as((device, kind, t, f, time) -> new Reading(device, "", kind, t, f, time, RECEIVED_AT));
    }
}
