package org.limes.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.limes.drivers.Reading;

class LimitsConfigTest {

    private static final Instant T = Instant.parse("2026-11-26T06:00:00Z");
    private final LimitsConfig limits = new LimitsConfig(2, 3, 10, null);

    private static Reading reading(String device, Map<String, String> tags, Map<String, Object> fields) {
        return new Reading(device, "", "count", tags, fields, T, T);
    }

    @Test
    void aReadingWithinEveryLimitPasses() {
        assertThat(limits.violation(reading("cnt-01", Map.of("lane", "1", "dir", "in"),
                Map.of("a", 1L, "b", "ten chars!", "c", 2.0)))).isNull();
        assertThat(LimitsConfig.defaults().maxReadingsPerSecondPerDevice()).isEqualTo(5000);
    }

    @Test
    void eachLimitIsNamedWhenExceeded() {
        assertThat(limits.violation(reading("cnt-01", Map.of("a", "1", "b", "2", "c", "3"), Map.of("f", 1L))))
                .isEqualTo("3 tags, limit 2");
        Map<String, Object> fields = new HashMap<>();
        for (int i = 0; i < 4; i++) {
            fields.put("f" + i, (long) i);
        }
        assertThat(limits.violation(reading("cnt-01", Map.of(), fields))).isEqualTo("4 fields, limit 3");
        assertThat(limits.violation(reading("cnt-01-very-long", Map.of(), Map.of("f", 1L))))
                .isEqualTo("a device id of 16 chars, limit 10");
        assertThat(limits.violation(reading("cnt-01", Map.of("lane", "eleven chars"), Map.of("f", 1L))))
                .isEqualTo("tag lane longer than 10 chars");
        assertThat(limits.violation(reading("cnt-01", Map.of(), Map.of("plate", "ABCDEFGHIJK"))))
                .isEqualTo("field plate longer than 10 chars");
    }
}
