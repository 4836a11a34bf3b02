package org.limes.gateway.sink.influx;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.limes.drivers.Reading;
import org.limes.drivers.lineprotocol.LineProtocolEncoder;

class LineShapeTest {

    private static final Instant T = Instant.parse("2025-11-26T06:00:00.123456789Z");

    private static String line(String kind, String device, String site, Map<String, String> tags,
            Map<String, Object> fields) {
        return LineProtocolEncoder.encode(new Reading(device, site, kind, tags, fields, T, T));
    }

    @Test
    void readsMeasurementAndTagKeysInLineOrder() {
        String line = line("vehicle_count", "cnt-01", "ras-ajdir", Map.of("lane", "1", "direction", "inbound"),
                Map.of("count_total", 18L, "avg_speed_mps", 6.5));

        assertThat(LineShape.of(line))
                .isEqualTo(new LineShape("vehicle_count", List.of("device", "direction", "lane", "site")));
    }

    @Test
    void unescapesCommasSpacesAndEqualsInTheMeasurementAndTagKeys() {
        String line = line("queue, length=x", "cnt-01", "", Map.of("a,b", "1", "c d", "2", "e=f", "3", "g, =h", "4"),
                Map.of("f", 1L));

        assertThat(LineShape.of(line))
                .isEqualTo(new LineShape("queue, length=x", List.of("a,b", "c d", "device", "e=f", "g, =h")));
    }

    @Test
    void escapedCharactersInTagValuesDoNotStartNewKeys() {
        String line = line("m", "dev 1,x=y", "site, =s", Map.of("lane", "a,b=c d", "zone", "=,= ,"),
                Map.of("f", 1L));

        assertThat(LineShape.of(line)).isEqualTo(new LineShape("m", List.of("device", "lane", "site", "zone")));
    }

    @Test
    void fieldsAndStringValuesAreNotMistakenForTags() {
        String line = line("m", "d", "", Map.of(), Map.of("a,b", 1L, "c=d", "x, y=z \"q\" \\", "e f", true));

        assertThat(LineShape.of(line)).isEqualTo(new LineShape("m", List.of("device")));
    }

    @Test
    void linesWithoutTagsHaveOnlyAMeasurement() {
        StringBuilder sb = new StringBuilder();
        LineProtocolEncoder.appendPoint(sb, "alert", new TreeMap<>(), Map.of("value", 1.5), T);
        StringBuilder escaped = new StringBuilder();
        LineProtocolEncoder.appendPoint(escaped, "my alert,x", Map.of("empty", ""), Map.of("v", 1L), T);

        assertThat(LineShape.of(sb.toString())).isEqualTo(new LineShape("alert", List.of()));
        assertThat(LineShape.of(escaped.toString())).isEqualTo(new LineShape("my alert,x", List.of()));
    }

    @Test
    void omittedEmptyTagsAreNotReported() {
        String line = line("m", "d", "", Map.of("a", "", "b", "1"), Map.of("f", 1L));

        assertThat(LineShape.of(line).tagKeys()).containsExactly("b", "device");
    }

    @Test
    void tagKeysAreAnImmutableCopy() {
        LineShape shape = LineShape.of(line("m", "d", "s", Map.of(), Map.of("f", 1L)));

        assertThat(shape.tagKeys()).containsExactly("device", "site").isUnmodifiable();
    }
}
