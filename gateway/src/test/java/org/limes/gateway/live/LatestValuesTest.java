package org.limes.gateway.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.limes.drivers.Reading;

class LatestValuesTest {

    private static final Instant T0 = Instant.parse("2026-12-07T04:00:00.123456789Z");

    private static Reading reading(Map<String, String> tags, Map<String, Object> fields, long second) {
        return new Reading("cnt-01", "ras-ajdir", "vehicle_count", tags, fields, T0.plusSeconds(second),
                T0.plusSeconds(second).plusMillis(40));
    }

    @Test
    void showsTheLastReadingWithEachFieldsType() {
        LatestValues latest = new LatestValues("vehicle_count");
        latest.update(reading(Map.of("lane", "1"), Map.of("speed_mps", 1.5, "count", 3L, "ok", true, "note", "a"), 0));
        latest.update(reading(Map.of("lane", "1"), Map.of("speed_mps", 2.25, "count", 4L, "ok", false, "note", "b"), 1));

        LiveView.LatestReading view = latest.view();

        assertThat(view.kind()).isEqualTo("vehicle_count");
        assertThat(view.deviceTime()).isEqualTo("2026-12-07T04:00:01.123456789Z");
        assertThat(view.receivedAt()).isEqualTo("2026-12-07T04:00:01.163456789Z");
        assertThat(view.tags()).isEqualTo(Map.of("lane", "1"));
        assertThat(view.fields()).containsExactly(Map.entry("count", 4L), Map.entry("note", "b"),
                Map.entry("ok", false), Map.entry("speed_mps", 2.25));
        assertThat(view.fields().get("count")).isInstanceOf(Long.class);
        assertThat(view.fields().get("speed_mps")).isInstanceOf(Double.class);
    }

    @Test
    void aReadingOfAnotherShapeReplacesTheFieldsAndTagsWhole() {
        LatestValues latest = new LatestValues("vehicle_count");
        latest.update(reading(Map.of("lane", "1"), Map.of("count", 3L, "speed_mps", 1.5), 0));
        latest.update(reading(Map.of("lane", "2", "direction", "in"), Map.of("occupancy", 0.5), 1));

        LiveView.LatestReading view = latest.view();

        assertThat(view.fields()).containsExactly(Map.entry("occupancy", 0.5));
        assertThat(view.tags()).isEqualTo(Map.of("lane", "2", "direction", "in"));
        // And back: a field whose type changed is shown with its new type.
        latest.update(reading(Map.of("lane", "2", "direction", "in"), Map.of("occupancy", 1L), 2));
        assertThat(latest.view().fields()).containsExactly(Map.entry("occupancy", 1L));
    }
}
