package org.limes.drivers.counter.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.limes.drivers.DecodeException;
import org.limes.drivers.Frame;
import org.limes.drivers.Reading;

/**
 * The scanner reads a frame exactly as Jackson does, or leaves it to Jackson: on common frames
 * in many spellings (it must read those), and on the same frames cut and with a byte changed
 * (it may read them only when Jackson reads them the same; when Jackson fails, it must too).
 */
class CounterJsonScannerTest {

    private static final Instant RECEIVED_AT = Instant.parse("2026-11-26T06:00:03Z");

    @Property(tries = 2000)
    void readsEveryCommonFrameAsJacksonDoes(@ForAll("commonFrames") String text) throws DecodeException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);

        Reading scanned = CounterJsonScanner.read(b, RECEIVED_AT);

        assertThat(scanned).as(text).isNotNull();
        assertThat(List.of(scanned)).as(text).isEqualTo(jackson(b));
        assertThat(scanned.fields().values()).as(text).allSatisfy(v -> assertThat(v).isNotNull());
    }

    @Property(tries = 3000)
    void aChangedFrameIsReadAsJacksonReadsItOrLeftToJackson(@ForAll("commonFrames") String text,
            @ForAll @IntRange(min = 0, max = 10_000) int where, @ForAll("bytes") byte replacement,
            @ForAll boolean cut) throws DecodeException {
        byte[] original = text.getBytes(StandardCharsets.UTF_8);
        int at = where % original.length;
        byte[] b;
        if (cut) {
            b = new byte[at];
            System.arraycopy(original, 0, b, 0, at);
        } else {
            b = original.clone();
            b[at] = replacement;
        }

        Reading scanned = CounterJsonScanner.read(b, RECEIVED_AT);

        if (scanned != null) {
            assertThat(List.of(scanned)).as(new String(b, StandardCharsets.ISO_8859_1)).isEqualTo(jackson(b));
        }
    }

    @Test
    void leavesToJacksonWhatItDoesNotKnow() {
        String base = "{\"device\":\"d1\",\"time\":\"2026-11-26T06:00:00Z\",\"lane\":%s,\"direction\":\"inbound\","
                + "\"interval_s\":%s,\"counts\":{%s}%s}";
        List<String> others = List.of(
                String.format(base, "\"1\"", "60", "\"tram\":1", ""),
                String.format(base, "\"1\"", "60", "\"car\":1,\"car\":2", ""),
                String.format(base, "\"1\"", "60", "\"car\":-0", ""),
                String.format(base, "\"1\"", "6e1", "\"car\":1", ""),
                String.format(base, "\"1\"", "060", "\"car\":1", ""),
                String.format(base, "\"l\\u0031\"", "60", "\"car\":1", ""),
                String.format(base, "\"1\"", "60", "\"car\":1", ",\"extra\":{\"a\":1}"),
                String.format(base, "\"1\"", "60", "\"car\":1", ",\"extra\":[1]"),
                String.format(base, "\"1\"", "60", "\"car\":1", ",\"avg_speed_kmh\":-0.0"),
                String.format(base, "\"1\"", "60", "\"car\":1", ",\"avg_speed_kmh\":1.0000000000000001"),
                String.format(base, "\"é\"", "60", "\"car\":1", ""),
                String.format(base, "\"1\"", "60", "\"car\":1", "") + " x",
                "\uFEFF" + String.format(base, "\"1\"", "60", "\"car\":1", ""));
        for (String other : others) {
            assertThat(CounterJsonScanner.read(other.getBytes(StandardCharsets.UTF_8), RECEIVED_AT)).as(other).isNull();
        }
    }

    @Test
    void aFaultyFrameFailsAsBefore() {
        String frame = "{\"device\":\"d1\",\"time\":\"2026-11-26T06:00:00Z\",\"lane\":\"1\",\"direction\":\"inbound\","
                + "\"interval_s\":0,\"counts\":{\"car\":1}}";
        assertThatThrownBy(() -> new CounterJsonDriver().decode(frame(frame.getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(DecodeException.class)
                .hasMessageContaining("interval_s")
                .hasMessageContaining("must be an integer 1..86400, got 0");
    }

    private static List<Reading> jackson(byte[] b) throws DecodeException {
        return CounterJsonDriver.decodeWithJackson(frame(b));
    }

    private static Frame frame(byte[] b) {
        return new Frame(b, "property", "test", RECEIVED_AT);
    }

    @Provide
    Arbitrary<Byte> bytes() {
        return Arbitraries.oneOf(Arbitraries.of((byte) '"', (byte) ',', (byte) '}', (byte) '{', (byte) ':',
                (byte) ' ', (byte) '\\', (byte) '0', (byte) '9', (byte) '.', (byte) '-', (byte) 'e', (byte) 0,
                (byte) 0x80, (byte) 'n'), Arbitraries.bytes());
    }

    /** Common frames: keys in any order, whitespace anywhere, lanes as strings or numbers, optional keys null or absent, unknown keys. */
    @Provide
    Arbitrary<String> commonFrames() {
        Arbitrary<String> ws = Arbitraries.of("", "", "", " ", "\n", "\t", "\r\n ");
        Arbitrary<String> devices = Arbitraries.strings()
                .withChars("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-").ofMinLength(1).ofMaxLength(64);
        Arbitrary<String> times = Arbitraries.of("2026-11-26T06:00:00Z", "2026-11-26T08:00:00+02:00",
                "2024-02-29T23:59:59.123456789-05:30", "1999-12-31T00:00:00.5Z");
        Arbitrary<String> lanes = Arbitraries.oneOf(
                Arbitraries.integers().between(0, 9).map(String::valueOf).map(l -> "\"" + l + "\""),
                Arbitraries.integers().between(0, 999).map(String::valueOf),
                Arbitraries.strings().withCharRange(' ', '~').ofMinLength(1).ofMaxLength(16)
                        .filter(l -> !l.isBlank() && l.indexOf('"') < 0 && l.indexOf('\\') < 0).map(l -> "\"" + l + "\""));
        Arbitrary<String> directions = Arbitraries.of("\"inbound\"", "\"outbound\"");
        Arbitrary<String> intervals = Arbitraries.longs().between(1, 86_400).map(String::valueOf);
        Arbitrary<List<String>> counts = Arbitraries.subsetOf("car", "van", "truck", "bus", "motorcycle", "bicycle",
                        "pedestrian").ofMinSize(1)
                .flatMap(classes -> Arbitraries.longs().between(0, 1_000_000).list().ofSize(classes.size())
                        .map(values -> {
                            List<String> out = new ArrayList<>();
                            int k = 0;
                            for (String c : classes) {
                                out.add("\"" + c + "\":" + values.get(k++));
                            }
                            return out;
                        }))
                .flatMap(Arbitraries::shuffle);
        Arbitrary<String> speeds = Arbitraries.oneOf(Arbitraries.just("null"),
                Arbitraries.integers().between(0, 400).map(String::valueOf),
                Arbitraries.doubles().between(0, 400).ofScale(6).map(d -> String.valueOf(d)).filter(d -> !d.contains("E")));
        Arbitrary<String> occupancies = Arbitraries.oneOf(Arbitraries.just("null"),
                Arbitraries.doubles().between(0, 100).ofScale(10).map(d -> String.valueOf(d)).filter(d -> !d.contains("E")));
        Arbitrary<String> unknown = Arbitraries.of("\"firmware\":\"1.2.3\"", "\"seq\":123", "\"ok\":true",
                "\"flag\":false", "\"note\":null", "\"x\":0.25");

        return Combinators.combine(devices, times, lanes, directions, intervals, counts,
                        Combinators.combine(speeds.injectNull(0.3), occupancies.injectNull(0.3), unknown.injectNull(0.6))
                                .as(java.util.Arrays::asList),
                        ws)
                .as((device, time, lane, direction, interval, perClass, optional, space) -> {
                    List<String> members = new ArrayList<>();
                    members.add("\"device\":" + space + "\"" + device + "\"");
                    members.add("\"time\":\"" + time + "\"");
                    members.add("\"lane\":" + lane);
                    members.add("\"direction\"" + space + ":" + direction);
                    members.add("\"interval_s\":" + interval);
                    members.add("\"counts\":{" + space + String.join("," + space, perClass) + "}");
                    if (optional.get(0) != null) {
                        members.add("\"avg_speed_kmh\":" + optional.get(0));
                    }
                    if (optional.get(1) != null) {
                        members.add("\"occupancy_pct\":" + optional.get(1));
                    }
                    if (optional.get(2) != null) {
                        members.add(optional.get(2));
                    }
                    return Map.entry(space, members);
                })
                .flatMap(e -> Arbitraries.shuffle(e.getValue()).map(members -> e.getKey() + "{" + e.getKey()
                        + String.join(e.getKey() + "," + e.getKey(), members) + e.getKey() + "}" + e.getKey()));
    }
}
