package org.limes.gateway.source.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TopicFilterTest {

    @ParameterizedTest(name = "{0} ~ {1} -> {2}")
    @CsvSource({
        "crossing/+/counter/+, crossing/ras-ajdir/counter/cnt-01, true",
        "crossing/+/counter/+, crossing/ras-ajdir/counter, false",
        "crossing/+/counter/+, crossing/ras-ajdir/counter/cnt-01/extra, false",
        "crossing/+/counter/+, crossing/ras-ajdir/radar/r-1, false",
        "crossing/#, crossing, true",
        "crossing/#, crossing/a/b/c, true",
        "crossing/#, other/a, false",
        "#, crossing/a, true",
        "#, $SYS/broker/load, false",
        "+/x, $SYS/x, false",
        "a/+/c, a//c, true",
        "a/b, a/b, true",
        "a/b, a/B, false",
    })
    void matchesAsMqttSpecifies(String filter, String topic, boolean expected) {
        assertThat(new TopicFilter(filter).matches(topic)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"a/#/b", "a/b#", "a/+b/c"})
    void rejectsMisplacedWildcards(String filter) {
        assertThatThrownBy(() -> new TopicFilter(filter)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(filter);
    }
}
