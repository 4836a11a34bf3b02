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
        "a/b, a/b/, false",
        "a/b, a/bc, false",
        "a/bc, a/b, false",
        "a/+, a/, true",
        "a/+, a, false",
        "+, a/b, false",
        "+/+, /x, true",
        "a/b/#, a/b, true",
        "a/b/#, a/bc, false",
        "a/+/#, a/x/y/z, true",
    })
    void matchesAsMqttSpecifies(String filter, String topic, boolean expected) {
        assertThat(new TopicFilter(filter).matches(topic)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "level {1} of {0} -> {2}")
    @CsvSource(value = {
        "crossing/ras-ajdir/counter/cnt-01, 3, cnt-01",
        "crossing/ras-ajdir/counter/cnt-01, 0, crossing",
        "crossing/ras-ajdir/counter/cnt-01, 1, ras-ajdir",
        "crossing/ras-ajdir/counter/cnt-01, 4, NULL",
        "a//c, 1, NULL",
        "a/b/, 2, NULL",
        "/x, 0, NULL",
        "/x, 1, x",
    }, nullValues = "NULL")
    void aTopicLevelNamesTheDeviceWhenItHasOne(String topic, int level, String expected) {
        assertThat(TopicRoutes.level(topic, level)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"a/#/b", "a/b#", "a/+b/c"})
    void rejectsMisplacedWildcards(String filter) {
        assertThatThrownBy(() -> new TopicFilter(filter)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(filter);
    }
}
