package org.limes.gateway.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class AlertJsonTest {

    private static final Instant RAISED = Instant.parse("2026-11-26T06:00:00Z");
    private static final Instant AT = Instant.parse("2026-11-26T06:04:30.123456789Z");

    private static Alert alert(AlertState state) {
        return Alert.builder().alertId("ras-ajdir-gw/queue-surge/cnt-01/1795672800000").rule("queue-surge")
                .state(state).severity("warning").site("ras-ajdir").device("cnt-01").subjectKind("device")
                .subject("cnt-01").kind("vehicle_count").field("count_total").value(64.25).threshold(40.0)
                .firstSeen(RAISED.minusSeconds(60)).lastSeen(AT.minusSeconds(1)).raisedAt(RAISED).at(AT)
                .reason(state == AlertState.CLEARED ? "rule_removed" : null)
                .tags(Map.of("lane", "1", "direction", "inbound", "note", "quote \" back\\slash, ünïcödé\n",
                        "lat", "32.8841", "lon", "11.5561"))
                .build();
    }

    @ParameterizedTest
    @EnumSource(AlertState.class)
    void decodeOfEncodeIsTheSameAlert(AlertState state) throws Exception {
        Alert a = alert(state);

        assertThat(AlertJson.decode(AlertJson.encode(a, "ras-ajdir-gw"))).isEqualTo(a);
    }

    @Test
    void roundTripKeepsAwkwardNumbersExactly() throws Exception {
        for (double v : new double[] {0.1, -0.0, 1.0 / 3, 1e-300, Double.MAX_VALUE, -273.15}) {
            Alert a = Alert.builder().alertId("id").rule("r").state(AlertState.RAISED).severity("info").site("s")
                    .device("d").subject("d").kind("k").field("f").value(v).threshold(v / 2)
                    .firstSeen(RAISED).lastSeen(RAISED).raisedAt(RAISED).at(RAISED).build();

            Alert back = AlertJson.decode(AlertJson.encode(a, "gw"));

            assertThat(Double.doubleToRawLongBits(back.value())).as("value %s", v)
                    .isEqualTo(Double.doubleToRawLongBits(v));
            assertThat(back).isEqualTo(a);
        }
    }

    @Test
    void writesTheDocumentedSnakeCaseFields() throws Exception {
        JsonNode n = new ObjectMapper().readTree(AlertJson.encode(alert(AlertState.CLEARED), "ras-ajdir-gw"));

        assertThat(n.get("event_id").asText())
                .isEqualTo("ras-ajdir-gw/queue-surge/cnt-01/1795672800000:cleared:rule_removed");
        assertThat(n.get("alert_id").asText()).isEqualTo("ras-ajdir-gw/queue-surge/cnt-01/1795672800000");
        assertThat(n.get("state").asText()).isEqualTo("cleared");
        assertThat(n.get("gateway").asText()).isEqualTo("ras-ajdir-gw");
        assertThat(n.get("raised_at").asText()).isEqualTo("2026-11-26T06:00:00Z");
        assertThat(n.get("at").asText()).isEqualTo("2026-11-26T06:04:30.123456789Z");
        assertThat(n.get("value").isNumber()).isTrue();
        assertThat(n.get("tags").get("lane").asText()).isEqualTo("1");
        assertThat(n.get("subject").get("kind").asText()).isEqualTo("device");
        assertThat(n.get("subject").get("id").asText()).isEqualTo("cnt-01");
        assertThat(n.get("first_seen").asText()).isEqualTo("2026-11-26T05:59:00Z");
        assertThat(n.get("last_seen").asText()).isEqualTo("2026-11-26T06:04:29.123456789Z");
        assertThat(n.get("reason").asText()).isEqualTo("rule_removed");
        assertThat(n.get("location").get("lat").asDouble()).isEqualTo(32.8841);
        assertThat(n.get("location").get("lon").asDouble()).isEqualTo(11.5561);
        assertThat(n.fieldNames()).toIterable().containsExactly("event_id", "alert_id", "rule", "state", "severity",
                "site", "device", "subject", "kind", "field", "value", "threshold", "first_seen", "last_seen",
                "raised_at", "at", "reason", "gateway", "location", "tags");
    }

    @Test
    void aRaiseHasNoReasonAndADeviceWithoutPositionNoLocation() throws Exception {
        Alert a = Alert.builder().alertId("id").rule("r").state(AlertState.RAISED).severity("info").site("s")
                .device("d").subject("d").kind("k").field("f").value(1).threshold(1)
                .firstSeen(RAISED).lastSeen(RAISED).raisedAt(RAISED).at(RAISED).tags(Map.of("lane", "2")).build();

        JsonNode n = new ObjectMapper().readTree(AlertJson.encode(a, "gw"));

        assertThat(n.has("reason")).isFalse();
        assertThat(n.has("location")).isFalse();
    }

    @Test
    void aListRoundTripsForTheAlertState() throws Exception {
        java.util.List<Alert> alerts = java.util.List.of(alert(AlertState.RAISED), alert(AlertState.CLEARED));

        assertThat(AlertJson.decodeAll(AlertJson.encodeAll(alerts, "gw"))).isEqualTo(alerts);
    }
}
