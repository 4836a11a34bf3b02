package org.limes.drivers.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The fast path gives what OffsetDateTime.parse gives, or declines (null) and leaves the text to it. */
class IsoInstantTest {

    @ParameterizedTest
    @ValueSource(strings = {"2026-11-26T06:00:00Z", "2026-11-26T08:00:00+02:00", "2024-02-29T23:59:59.999999999-05:30",
        "2023-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-11-26T24:00:00Z", "2026-11-26T06:00:60Z",
        "2026-11-26t06:00:00Z", "2026-11-26T06:00:00z", "2026-11-26T06:00Z", "2026-11-26T06:00:00.Z",
        "2026-11-26T06:00:00.1234567890Z", "2026-11-26T06:00:00-00:00", "2026-11-26T06:00:00+18:00",
        "2026-11-26T06:00:00+02:00:30", "0000-01-01T00:00:00Z", "1969-12-31T23:59:59.5Z", "+2026-11-26T06:00:00Z",
        "2026-11-26 06:00:00Z", "2026-11-26T06:00:00+0200", "2026-11-26T06:00:00"})
    void agreesWithOffsetDateTimeParse(String text) {
        check(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-11-26T06:00:00Z", "2026-11-26T08:00:00+02:00", "2026-11-26T06:00:00.5-03:00"})
    void takesTheCommonForms(String text) {
        assertThat(IsoInstant.parse(text.toCharArray(), 0, text.length())).isNotNull();
        check(text);
    }

    @Property(tries = 2000)
    void agreesOnGeneratedInstants(@ForAll("texts") String text) {
        check(text);
    }

    @Provide
    Arbitrary<String> texts() {
        Arbitrary<Integer> year = Arbitraries.integers().between(0, 9999);
        Arbitrary<Integer> month = Arbitraries.integers().between(0, 13);
        Arbitrary<Integer> day = Arbitraries.integers().between(0, 32);
        Arbitrary<Integer> second = Arbitraries.integers().between(0, 86_400);
        Arbitrary<String> fraction = Arbitraries.strings().numeric().ofMaxLength(10).map(s -> s.isEmpty() ? "" : "." + s);
        Arbitrary<String> offset = Arbitraries.of("Z", "+00:00", "-00:00", "+02:00", "-05:30", "+17:59", "+18:00", "-18:00",
                "+14:60", "+01:00:00");
        return net.jqwik.api.Combinators.combine(year, month, day, second, fraction, offset).as((y, mo, d, s, f, o) ->
                String.format("%04d-%02d-%02dT%02d:%02d:%02d%s%s", y, mo, d, s / 3600, s / 60 % 60, s % 60, f, o));
    }

    private static void check(String text) {
        Instant expected;
        try {
            expected = OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeException e) {
            expected = null;
        }
        Instant fast = IsoInstant.parse(text.toCharArray(), 0, text.length());
        if (fast != null) {
            assertThat(fast).as(text).isEqualTo(expected);
        }
    }
}
