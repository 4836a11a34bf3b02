package org.limes.drivers.radar.nmea;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.limes.drivers.DecodeException;
import org.limes.drivers.Frame;
import org.limes.drivers.Reading;

/**
 * The scanner reads a TTM sentence exactly as the general way does, or leaves it: on good
 * sentences (it must read them), and on sentences with odd or faulty fields (it may read one
 * only when the general way reads it the same; when the general way fails, it must leave it).
 */
class TtmScannerTest {

    private static final Instant RECEIVED_AT = Instant.parse("2026-11-26T00:00:03Z");

    private final NmeaRadarDriver driver = new NmeaRadarDriver("radar-1", true);

    @Property(tries = 3000)
    void readsEveryGoodSentenceAsTheGeneralWay(@ForAll("goodFields") List<String> fields) throws DecodeException {
        byte[] b = sentence(fields);

        Reading scanned = TtmScanner.read(b, 7, b.length - 3, "radar-1", RECEIVED_AT);

        assertThat(scanned).as(new String(b, StandardCharsets.US_ASCII)).isNotNull();
        assertThat(scanned).as(new String(b, StandardCharsets.US_ASCII)).isEqualTo(general(b));
        assertThat(driver.decode(new Frame(b, "p", "t", RECEIVED_AT))).containsExactly(scanned);
    }

    @Property(tries = 3000)
    void anyOtherSentenceIsReadAsTheGeneralWayReadsItOrLeft(@ForAll("anyFields") List<String> fields) {
        byte[] b = sentence(fields);
        String text = new String(b, StandardCharsets.US_ASCII);

        Reading scanned = TtmScanner.read(b, 7, b.length - 3, "radar-1", RECEIVED_AT);

        Reading general;
        try {
            general = general(b);
        } catch (DecodeException e) {
            assertThat(scanned).as(text + " fails the general way: " + e.getMessage()).isNull();
            return;
        }
        if (scanned != null) {
            assertThat(scanned).as(text).isEqualTo(general);
        }
    }

    @Example
    void aSecondSentenceOfATargetGivesTheSameTagsAndNameAgain() throws DecodeException {
        byte[] b = sentence(List.of("07", "0.50", "045.0", "T", "10.0", "270.0", "T", "0.10", "-1.5", "N", "PED1", "T",
                "", "055959.50", "A"));
        Reading first = TtmScanner.read(b, 7, b.length - 3, "radar-1", RECEIVED_AT);
        Reading second = TtmScanner.read(b, 7, b.length - 3, "radar-1", RECEIVED_AT);

        assertThat(second).isEqualTo(first);
        assertThat(second.tags()).isSameAs(first.tags());
        assertThat(second.fields().get("name")).isSameAs(first.fields().get("name"));

        byte[] lost = sentence(List.of("07", "0.50", "045.0", "T", "10.0", "270.0", "T", "0.10", "-1.5", "N", "PED2",
                "L", "", "055959.50", "A"));
        Reading third = TtmScanner.read(lost, 7, lost.length - 3, "radar-1", RECEIVED_AT);
        assertThat(third.tags()).containsEntry("status", "lost");
        assertThat(third.fields()).containsEntry("name", "PED2");
        assertThat(third).isEqualTo(general(lost));
    }

    @Example
    void aFaultIsReportedAsBefore() {
        byte[] b = sentence(List.of("07", "0.50", "400.0", "T", "10.0", "270.0", "T", "0.10", "-1.5", "N", "PED1", "T",
                "", "055959.50", "A"));
        assertThatThrownBy(() -> driver.decode(new Frame(b, "p", "t", RECEIVED_AT)))
                .isInstanceOf(DecodeException.class)
                .hasMessageContaining("TTM.3 (bearing)")
                .hasMessageContaining("must be 0..360 degrees, got '400.0'");
    }

    private Reading general(byte[] b) throws DecodeException {
        return driver.readGeneral(b, 0, b.length - 3, RECEIVED_AT);
    }

    private static byte[] sentence(List<String> fields) {
        String body = "RATTM," + String.join(",", fields);
        int sum = 0;
        for (int i = 0; i < body.length(); i++) {
            sum ^= body.charAt(i);
        }
        return ("$" + body + "*" + String.format("%02X", sum)).getBytes(StandardCharsets.US_ASCII);
    }

    @Provide
    Arbitrary<List<String>> goodFields() {
        Arbitrary<String> decimals = Arbitraries.oneOf(
                Arbitraries.doubles().between(0, 99_999).ofScale(4).map(d -> String.valueOf(d)).filter(d -> !d.contains("E")),
                Arbitraries.integers().between(0, 999).map(String::valueOf),
                Arbitraries.of("0.50", "045.0", "+1.5", "5.", ".5", "-0", "000123.4500"));
        Arbitrary<String> angles = Arbitraries.oneOf(Arbitraries.doubles().between(0, 360).ofScale(3).map(String::valueOf),
                Arbitraries.of("000.0", "360", "0"));
        Arbitrary<String> tcpas = Arbitraries.doubles().between(-999, 999).ofScale(2).map(String::valueOf);
        return Combinators.combine(
                Arbitraries.integers().between(0, 999).map(n -> n < 100 && n % 2 == 0 ? String.format("%02d", n) : String.valueOf(n)),
                decimals.injectNull(0.2), angles.injectNull(0.2), Arbitraries.of("T", "R"),
                decimals.injectNull(0.2), angles.injectNull(0.2), Arbitraries.of("T", "R"),
                Combinators.combine(decimals.injectNull(0.2), tcpas.injectNull(0.2), Arbitraries.of("K", "N", "S"),
                        Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(12)
                                .filter(n -> n.indexOf(',') < 0 && n.indexOf('*') < 0 && n.indexOf('$') < 0 && n.indexOf('^') < 0),
                        Arbitraries.of("", "L", "Q", "T"), Arbitraries.of("", "R"),
                        Arbitraries.of("", "000000", "235959", "055959.50", "120000.123456789", "235959.9"),
                        Arbitraries.of("", "A", "M", "R")).as(java.util.Arrays::asList))
                .as((target, distance, bearing, bref, speed, course, cref, rest) -> {
                    String dist = distance == null ? "" : distance;
                    String spd = speed == null ? "" : speed;
                    String cpa = rest.get(0) == null ? "" : rest.get(0);
                    String tcpa = rest.get(1) == null ? "" : rest.get(1);
                    return List.of(target, dist, bearing == null ? "" : bearing, bearing == null ? "" : bref, spd,
                            course == null ? "" : course, course == null ? "" : cref, cpa, tcpa, rest.get(2), rest.get(3),
                            rest.get(4), rest.get(5), rest.get(6), rest.get(7));
                })
                .flatMap(f -> Arbitraries.integers().between(13, 15).map(n -> f.subList(0, n)));
    }

    /** Good fields with one or two replaced by fields of every kind, good, odd and faulty; or fields of every kind alone. */
    @Provide
    Arbitrary<List<String>> anyFields() {
        Arbitrary<String> field = Arbitraries.oneOf(
                Arbitraries.of("", "T", "R", "K", "N", "S", "L", "Q", "A", "M", "X", "-", "+", ".", "0", "07", "999", "1000",
                        "-1.5", "-0", "0.50", "400.0", "360.0001", "1.2.3", "12a", "1234567890123456", "0.1234567890123456",
                        "PED^41", "PED^4", "055959.50", "235960", "245959", "0559", "055959.", "055959.1234567890",
                        "1e3", " 1", "NaN"),
                Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(6)
                        .filter(n -> n.indexOf(',') < 0 && n.indexOf('*') < 0 && n.indexOf('$') < 0));
        Arbitrary<List<String>> changed = goodFields().flatMap(good -> Combinators.combine(
                        Arbitraries.integers().between(0, good.size() - 1), field,
                        Arbitraries.integers().between(0, good.size() - 1), field.injectNull(0.5))
                .as((i, f, j, g) -> {
                    List<String> out = new java.util.ArrayList<>(good);
                    out.set(i, f);
                    if (g != null) {
                        out.set(j, g);
                    }
                    return out;
                }));
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(4, changed),
                net.jqwik.api.Tuple.of(1, field.list().ofMinSize(1).ofMaxSize(17)));
    }
}
