package org.limes.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class DurationConverterTest {

    @ParameterizedTest
    @CsvSource({
        "500ms, PT0.5S",
        "30s, PT30S",
        "1.5s, PT1.5S",
        "5m, PT5M",
        "1h, PT1H",
        "0s, PT0S",
        "' 2m ', PT2M",
        "PT45S, PT45S",
        "pt1m30s, PT1M30S"})
    void parsesTheAcceptedForms(String text, String expected) {
        assertThat(DurationConverter.parse(text)).isEqualTo(Duration.parse(expected));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "30", "-5s", "5x", "1d", "s", "PT-5S", "1.5.2s"})
    void rejectsAnythingElseQuotingTheValue(String text) {
        assertThatThrownBy(() -> DurationConverter.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected a duration such as 500ms, 30s, 5m or 1h");
    }

    @ParameterizedTest
    @ValueSource(strings = {"5x"})
    void picocliGetsATypeConversionError(String text) {
        assertThatThrownBy(() -> new DurationConverter().convert(text))
                .isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessageContaining("'5x'");
    }
}
