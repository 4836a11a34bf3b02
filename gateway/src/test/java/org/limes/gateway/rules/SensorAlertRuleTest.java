package org.limes.gateway.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.limes.drivers.Reading;

class SensorAlertRuleTest {

    private static final Instant T0 = Instant.parse("2026-11-26T06:00:00Z");

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final DeviceTable devices = GeofenceRuleTest.table("sapient-radar-1");
    private final List<Alert> out = new ArrayList<>();

    private SensorAlertRule rule(String severity, Integer maxOpen) {
        return new SensorAlertRule(new SensorAlertRuleConfig("sensor-alerts", severity, maxOpen), devices,
                RuleContext.of(new RuleMetrics(registry)));
    }

    private static Reading alert(String id, String status, String type, double second) {
        Map<String, String> tags = new HashMap<>(Map.of("status", status));
        if (type != null) {
            tags.put("alert_type", type);
        }
        Map<String, Object> fields = new HashMap<>(Map.of("alert_id", id, "description", "Fence line breach",
                "lat_deg", 32.8879, "lon_deg", 11.5563, "confidence", 0.875));
        Instant t = T0.plusMillis((long) (second * 1000));
        return new Reading("sapient-radar-1", "ras-ajdir", "sapient_alert", tags, fields, t, t);
    }

    @Test
    void anActiveSensorAlertRaisesOnceAndItsClearClearsIt() {
        SensorAlertRule rule = rule(null, null);

        rule.evaluate(alert("01JEB8V5Q3K9G2M4N6P8R0S2T7", "active", "critical", 0), 0, T0.toEpochMilli(), out);
        rule.evaluate(alert("01JEB8V5Q3K9G2M4N6P8R0S2T7", "active", "critical", 1), 0, T0.toEpochMilli() + 1000, out);
        rule.evaluate(alert("01JEB8V5Q3K9G2M4N6P8R0S2T7", "acknowledge", "critical", 2), 0, T0.toEpochMilli() + 2000, out);

        assertThat(out).hasSize(1);
        Alert raised = out.get(0);
        assertThat(raised.state()).isEqualTo(AlertState.RAISED);
        assertThat(raised.alertId()).isEqualTo("test-gw/sensor-alerts/sapient-radar-1:01JEB8V5Q3K9G2M4N6P8R0S2T7/"
                + T0.toEpochMilli());
        assertThat(raised.severity()).isEqualTo("critical");
        assertThat(raised.site()).isEqualTo("ras-ajdir");
        assertThat(raised.subjectKind()).isEqualTo("sensor_alert");
        assertThat(raised.value()).isEqualTo(0.875);
        assertThat(raised.tags()).containsEntry("description", "Fence line breach").containsEntry("lat", "32.8879")
                .containsEntry("alert_type", "critical").containsEntry("sensor_alert_id", "01JEB8V5Q3K9G2M4N6P8R0S2T7")
                .doesNotContainKey("status");

        rule.evaluate(alert("01JEB8V5Q3K9G2M4N6P8R0S2T7", "clear", "critical", 3), 0, T0.toEpochMilli() + 3000, out);

        assertThat(out).hasSize(2);
        assertThat(out.get(1).state()).isEqualTo(AlertState.CLEARED);
        assertThat(out.get(1).alertId()).isEqualTo(raised.alertId());
        assertThat(rule.openEpisodes()).isZero();
    }

    @Test
    void severityFollowsTheAlertTypeUnlessTheRuleSetsIt() {
        SensorAlertRule mapped = rule(null, null);
        mapped.evaluate(alert("a", "active", "information", 0), 0, 0, out);
        mapped.evaluate(alert("b", "active", "error", 0), 0, 0, out);
        mapped.evaluate(alert("c", "active", null, 0), 0, 0, out);
        rule("info", null).evaluate(alert("d", "active", "fatal", 0), 0, 0, out);

        assertThat(out).extracting(Alert::severity).containsExactly("info", "warning", "warning", "info");
    }

    @Test
    void beyondMaxOpenTheOldestIsClearedAsEvictedAndCounted() {
        SensorAlertRule rule = rule(null, 2);

        for (String id : List.of("a", "b", "c")) {
            rule.evaluate(alert(id, "active", "warning", 0), 0, 0, out);
        }

        assertThat(out).extracting(a -> a.state() + " " + a.subject() + " " + a.reason()).containsExactly(
                "RAISED sapient-radar-1:a null", "RAISED sapient-radar-1:b null",
                "CLEARED sapient-radar-1:a evicted", "RAISED sapient-radar-1:c null");
        assertThat(registry.get("limes.dropped").tag("reason", "sensor_alert_limit").counter().count()).isEqualTo(1);
    }

    @Test
    void aRestoredEpisodeIsClearedWithItsOwnId() {
        SensorAlertRule first = rule(null, null);
        first.evaluate(alert("a", "active", "warning", 0), 0, 0, out);
        SensorAlertRule second = rule(null, null);

        assertThat(second.restore(out.get(0))).isTrue();
        second.evaluate(alert("a", "clear", "warning", 1), 0, 1000, out);

        assertThat(out).hasSize(2);
        assertThat(out.get(1).alertId()).isEqualTo(out.get(0).alertId());
    }

    @Test
    void configIsChecked() {
        assertThatThrownBy(() -> new SensorAlertRuleConfig("x", "loud", null)).hasMessageContaining("severity");
        assertThatThrownBy(() -> new SensorAlertRuleConfig("x", null, 0)).hasMessageContaining("max_open");
    }
}
