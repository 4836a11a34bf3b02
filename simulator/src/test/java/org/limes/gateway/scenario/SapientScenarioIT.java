package org.limes.gateway.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.drivers.sapient.proto.Alert;
import org.limes.drivers.sapient.proto.SapientMessage;
import org.limes.gateway.sink.centre.format.SapientAlertFormat;
import org.limes.gateway.testing.SapientFusionNode;
import org.limes.simulator.device.sapient.SapientSensorModel;
import org.limes.simulator.scenario.ScenarioResult;

/**
 * {@code config/scenarios/sapient-intrusion.yml} end to end: the simulated SAPIENT radar
 * registers with the gateway's {@code sapient} source and streams its status, detections and
 * own alert over TCP; the gateway stores them in embedded QuestDB, raises the geofence alert
 * for the intruder's track at both centres (Tripoli and Benghazi, on the embedded broker),
 * passes the radar's own alert on through a {@code sapient_alert} rule, and sends its alerts
 * to a higher fusion node (a {@code type: sapient} centre) as SAPIENT {@code Alert} messages.
 */
class SapientScenarioIT {

    private static final String RADAR = "sapient-radar-1";
    private static final String GATEWAY = "scenario-gw";

    @TempDir
    Path data;

    private ScenarioFixture fixture;
    private SapientFusionNode fusion;

    @AfterEach
    void stop() throws Exception {
        try {
            if (fixture != null) {
                fixture.close();
            }
        } finally {
            if (fusion != null) {
                fusion.close();
            }
        }
    }

    @Test
    void aSapientRadarsIntruderRaisesTheGeofenceAlertAtBothCentresAndAtTheHigherFusionNode() throws Exception {
        fusion = SapientFusionNode.start();
        Path zones = Path.of("..", "config", "zones", "ras-ajdir-exclusion.geojson").toAbsolutePath().normalize();
        fixture = new ScenarioFixture(data, """
                - type: sapient
                  name: sapient
                  host: 127.0.0.1
                  port: 0
                  nodes:
                    - {node_id: %s, device: %s, sensor_lat: 32.8843, sensor_lon: 11.5563}
                """.formatted(SapientSensorModel.nodeId(RADAR), RADAR), """
                devices:
                  - {id: %s, site: ras-ajdir, class: radar, location: {lat: 32.8843, lon: 11.5563}}
                """.formatted(RADAR), """
                - {id: exclusion-zone, type: geofence, zones_file: "%s", track_timeout: 30s}
                - {id: sensor-alerts, type: sapient_alert}
                """.formatted(zones.toString().replace("\\", "/")), """
                - {name: tripoli, topic: test/centre/tripoli}
                - {name: benghazi, topic: test/centre/benghazi}
                - {name: fusion, type: sapient, format: sapient, host: 127.0.0.1, port: %d}
                """.formatted(fusion.port()));
        await().atMost(ScenarioFixture.seconds(30)).until(fixture.gateway()::sourcesReady);

        // 2 simulated minutes at 8x: 15 s; track 900 walks 100 m north into exclusion-north and back.
        ScenarioResult result = fixture.play("sapient-intrusion.yml", t -> fixture.listener(t, "sapient"), 8);

        assertThat(result.complete()).as(result.toString()).isTrue();
        assertThat(result.malformed()).isZero();
        assertThat(result.goodReadingsByKind()).as("each SAPIENT message counted under its own reading kind")
                .containsOnlyKeys("device_health", "radar_track", "sapient_alert");
        await().atMost(ScenarioFixture.seconds(60)).untilAsserted(() -> {
            for (var kind : result.goodReadingsByKind().entrySet()) {
                assertThat(fixture.store().count(kind.getKey())).as(kind.getKey()).isEqualTo(kind.getValue());
            }
        });
        assertThat(fixture.counter("limes.dropped", "component", "source-sapient")).as("nothing refused").isZero();
        JsonNode located = fixture.store().exec("SELECT min(lat_deg), max(lat_deg), min(lon_deg), max(lon_deg)"
                + " FROM radar_track WHERE device = '" + RADAR + "' AND track = '900'");
        JsonNode row = located.path("dataset").get(0);
        assertThat(row.get(1).asDouble()).as("the intruder reaches 32.8850, the zone's southern edge")
                .isGreaterThan(32.8850);
        assertThat(row.get(0).asDouble()).as("and starts south of it").isLessThan(32.8850);
        assertThat(row.get(2).asDouble()).as("150 m west of the radar").isBetween(11.5545, 11.5549);
        JsonNode health = fixture.store().exec("SELECT count() FROM device_health WHERE device = '" + RADAR
                + "' AND system = 'ok'");
        assertThat(health.path("dataset").get(0).get(0).asLong()).as("status reports stored").isPositive();

        await().atMost(ScenarioFixture.seconds(30)).untilAsserted(() -> {
            for (String centre : ScenarioFixture.CENTRES) {
                assertThat(fixture.transitions(centre)).as(centre).containsSubsequence(
                        "exclusion-zone/" + RADAR + ":raised", "exclusion-zone/" + RADAR + ":cleared");
                assertThat(fixture.transitions(centre)).as(centre).containsSubsequence(
                        "sensor-alerts/" + RADAR + ":raised", "sensor-alerts/" + RADAR + ":cleared");
            }
            List<SapientMessage> alerts = fusion.alerts();
            assertThat(alerts).as("the higher fusion node's alerts")
                    .anyMatch(m -> m.getAlert().getStatus() == Alert.AlertStatus.ALERT_STATUS_ACTIVE
                            && m.getAlert().getDescription().startsWith("exclusion-zone: ")
                            && m.getAlert().getDescription().contains("zone exclusion-north"))
                    .anyMatch(m -> m.getAlert().getStatus() == Alert.AlertStatus.ALERT_STATUS_CLEAR
                            && m.getAlert().getDescription().startsWith("exclusion-zone: "));
        });
        SapientMessage raised = fusion.alerts().stream()
                .filter(m -> m.getAlert().getDescription().startsWith("exclusion-zone: ")).findFirst().orElseThrow();
        assertThat(raised.getNodeId()).as("sent as this gateway's fusion node")
                .isEqualTo(SapientAlertFormat.nodeId(GATEWAY));
        assertThat(raised.getAlert().getAlertType()).isEqualTo(Alert.AlertType.ALERT_TYPE_CRITICAL);
        assertThat(raised.getAlert().getLocation().getY()).as("where the track entered the zone")
                .isBetween(32.8850, 32.8856);
        assertThat(fusion.received().get(0).hasRegistration()).as("the centre registered first").isTrue();
    }
}
