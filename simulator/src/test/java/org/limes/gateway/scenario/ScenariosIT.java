package org.limes.gateway.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumingThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.simulator.scenario.ScenarioResult;

/**
 * Every scenario in {@code config/scenarios/} played through the simulator's library
 * against a whole gateway (embedded HiveMQ and QuestDB, both centres), time-compressed to
 * seconds, asserting what the scenario's comment promises ({@code sapient-intrusion.yml} in
 * {@link SapientScenarioIT}, which adds a higher SAPIENT fusion node as a centre).
 *
 * <p>Geofence and watchlist rules do not exist yet: the intrusion and watchlist tests
 * assert what the gateway does today (the readings stored) and enable their alert
 * assertions, through JUnit assumptions, once the config loader knows the rule type.
 */
class ScenariosIT {

    private static final String COUNTERS_MQTT = """
            - name: devices
              type: mqtt
              client_id: limes-scenario-gw
              topics:
                - {filter: "crossing/+/counter/+", driver: counter-json}
                - {filter: "crossing/+/camera/+", driver: camera-json}
                - {filter: "crossing/+/anpr_read/+", driver: camera-json}
                - {filter: "crossing/+/people_count/+", driver: camera-json}
                - {filter: "crossing/+/device_health/+", driver: camera-json}
            """;

    private static final String FOUR_COUNTERS = """
            classes:
              counter: {expected_interval: 2s}
            devices:
              - {id: cnt-01, site: ras-ajdir, class: counter}
              - {id: cnt-02, site: ras-ajdir, class: counter}
              - {id: cnt-03, site: ras-ajdir, class: counter}
              - {id: cnt-04, site: ras-ajdir, class: counter}
            """;

    @TempDir
    Path data;

    private ScenarioFixture fixture;

    @AfterEach
    void stop() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void silentCounterRaisesTheDeadmanAlertAtBothCentresAndClearsItWhenItReportsAgain() throws Exception {
        fixture = new ScenarioFixture(data, COUNTERS_MQTT, FOUR_COUNTERS,
                "- {id: counter-silent, type: deadman, class: counter}");
        await().atMost(ScenarioFixture.seconds(30)).until(fixture.gateway()::sourcesReady);

        // 30 simulated minutes at 180x: 10 s, cnt-03 silent for 5 s of it against an expected interval of 2 s.
        ScenarioResult result = fixture.play("silent-counter.yml", fixture::mqtt, 180);

        assertThat(result.suppressed()).isEqualTo(15);
        assertThat(result.complete()).as(result.toString()).isTrue();
        await().atMost(ScenarioFixture.seconds(30)).untilAsserted(() -> {
            for (String centre : ScenarioFixture.CENTRES) {
                assertThat(fixture.transitions(centre)).as(centre)
                        .containsSubsequence("counter-silent/cnt-03:raised", "counter-silent/cnt-03:cleared");
            }
        });
        for (String centre : ScenarioFixture.CENTRES) {
            assertThat(fixture.transitions(centre)).as("only the silent counter, at %s", centre)
                    .allMatch(t -> t.startsWith("counter-silent/cnt-03:"));
        }
        await().atMost(ScenarioFixture.seconds(30)).untilAsserted(() ->
                assertThat(fixture.store().count("vehicle_count")).isEqualTo(result.goodReadingsByKind()
                        .get("vehicle_count")));
    }

    @Test
    void malformedFloodLeavesTheGoodFramesStoredAndTheBadOnesCounted() throws Exception {
        fixture = new ScenarioFixture(data,
                "- {type: tcp, name: counters-tcp, host: 127.0.0.1, port: 0, driver: counter-json}",
                FOUR_COUNTERS.replace("classes:\n  counter: {expected_interval: 2s}\n", ""), "");

        ScenarioResult result = fixture.play("malformed-flood.yml", t -> fixture.listener(t, "counters-tcp"), 2);

        assertThat(result.malformed()).isGreaterThan(100);
        assertThat(result.delivered()).isEqualTo(result.sent());
        long good = result.goodReadingsByKind().get("vehicle_count");
        assertThat(good).isEqualTo(result.sent() - result.malformed());
        await().atMost(ScenarioFixture.seconds(60)).untilAsserted(() -> {
            assertThat(fixture.store().count("vehicle_count")).isEqualTo(good);
            assertThat(fixture.counter("limes.errors", "component", "driver-counter-json"))
                    .isEqualTo((double) result.malformed());
        });
        JsonNode devices = fixture.store().exec("SELECT device, count() FROM vehicle_count ORDER BY device");
        assertThat(devices.path("dataset").size()).as("the flooding device's good frames are stored too").isEqualTo(3);
    }

    @Test
    void clockSkewIsQuarantinedAndRaisesTheClockJumpAlertAtBothCentres() throws Exception {
        fixture = new ScenarioFixture(data, COUNTERS_MQTT,
                FOUR_COUNTERS.replace("classes:\n  counter: {expected_interval: 2s}\n", ""),
                "- {id: clock, type: time_integrity, max_skew: 30s, jump: 5m}");
        await().atMost(ScenarioFixture.seconds(30)).until(fixture.gateway()::sourcesReady);

        ScenarioResult result = fixture.play("clock-skew.yml", fixture::mqtt, 1);

        assertThat(result.complete()).as(result.toString()).isTrue();
        await().atMost(ScenarioFixture.seconds(30)).untilAsserted(() -> {
            for (String centre : ScenarioFixture.CENTRES) {
                assertThat(fixture.transitions(centre)).as(centre).containsExactly("clock/cnt-04:raised");
            }
            assertThat(fixture.store().count("vehicle_count")).isEqualTo(result.goodReadingsByKind()
                    .get("vehicle_count"));
        });
        assertThat(fixture.counter("limes.quarantined", "policy", "store")).isGreaterThanOrEqualTo(6);
        JsonNode skewed = fixture.store().exec(
                "SELECT DISTINCT device FROM vehicle_count WHERE quarantine = 'clock_skew'");
        assertThat(skewed.path("dataset").toString()).isEqualTo("[[\"cnt-04\"]]");
    }

    @Test
    void aNormalDayIsStoredWholeAndTheQueueSurgeRaisesAndClearsOnceAtBothCentres() throws Exception {
        fixture = new ScenarioFixture(data, COUNTERS_MQTT, """
                unknown_devices: accept
                default_site: ras-ajdir
                devices:
                  - {id: cnt-01, site: ras-ajdir, class: counter}
                  - {id: cnt-02, site: ras-ajdir, class: counter}
                  - {id: cnt-03, site: ras-ajdir, class: counter}
                  - {id: cnt-04, site: ras-ajdir, class: counter}
                """, """
                - {id: queue-surge, type: threshold, kind: vehicle_count, field: count_total, raise_above: 40, clear_below: 20}
                """);
        await().atMost(ScenarioFixture.seconds(30)).until(fixture.gateway()::sourcesReady);

        // 24 h at 8640x: 10 s.
        ScenarioResult result = fixture.play("normal-day.yml", fixture::mqtt, 8640);

        assertThat(result.complete()).as(result.toString()).isTrue();
        assertThat(result.goodReadingsByKind()).containsOnlyKeys("vehicle_count", "anpr_read", "people_count",
                "device_health");
        await().atMost(ScenarioFixture.seconds(60)).untilAsserted(() -> {
            for (var kind : result.goodReadingsByKind().entrySet()) {
                assertThat(fixture.store().count(kind.getKey())).as(kind.getKey()).isEqualTo(kind.getValue());
            }
            for (String centre : ScenarioFixture.CENTRES) {
                assertThat(fixture.transitions(centre)).as(centre)
                        .containsExactly("queue-surge/cnt-03:raised", "queue-surge/cnt-03:cleared");
            }
        });
    }

    @Test
    void greenBorderIntrusionIsStoredAndRaisesTheGeofenceAlertOnceThatRuleExists() throws Exception {
        boolean geofence = ScenarioFixture.ruleTypeKnown("geofence");
        // The exclusion zone: a square of about 60 m around the radar, which track 900 crosses.
        Path zones = java.nio.file.Files.writeString(data.resolve("exclusion.geojson"), """
                {"type": "FeatureCollection", "features": [{"type": "Feature",
                  "properties": {"name": "exclusion"},
                  "geometry": {"type": "Polygon", "coordinates": [[[11.5560, 32.8840], [11.5566, 32.8840],
                    [11.5566, 32.8846], [11.5560, 32.8846], [11.5560, 32.8840]]]}}]}
                """);
        fixture = new ScenarioFixture(data, """
                - {type: tcp, name: radar, host: 127.0.0.1, port: 0, driver: radar-nmea, options: {device: radar-1}}
                """, """
                devices:
                  - {id: radar-1, site: ras-ajdir, class: radar, location: {lat: 32.8843, lon: 11.5563}}
                """, geofence ? """
                - {id: exclusion-zone, type: geofence, zones_file: "%s"}
                """.formatted(zones) : "");

        // 2 simulated minutes at 24x: 5 s; track 900 crosses the radar's 20 m circle.
        ScenarioResult result = fixture.play("green-border-intrusion.yml", t -> fixture.listener(t, "radar"), 24);

        assertThat(result.complete()).as(result.toString()).isTrue();
        long tracks = result.goodReadingsByKind().get("radar_track");
        await().atMost(ScenarioFixture.seconds(60)).untilAsserted(() ->
                assertThat(fixture.store().count("radar_track")).isEqualTo(tracks));
        JsonNode intruder = fixture.store().exec("SELECT min(range_m) FROM radar_track WHERE track = '900'");
        assertThat(intruder.path("dataset").get(0).get(0).asDouble()).as("the intruder passes within 20 m")
                .isLessThan(20);
        assumingThat(geofence, () -> await().atMost(ScenarioFixture.seconds(30)).untilAsserted(() -> {
            for (String centre : ScenarioFixture.CENTRES) {
                assertThat(fixture.transitions(centre)).as(centre).contains("exclusion-zone/radar-1:raised");
            }
        }));
    }

    @Test
    void watchlistPlateIsStoredAndRaisesTheWatchlistAlertOnceThatRuleExists() throws Exception {
        boolean watchlist = ScenarioFixture.ruleTypeKnown("watchlist");
        Path list = java.nio.file.Files.writeString(data.resolve("watchlist.txt"), "# test list\n5-123456,stolen\n");
        fixture = new ScenarioFixture(data, """
                - {type: http, name: anpr, host: 127.0.0.1, port: 0, drivers: [{driver: camera-hikvision}]}
                """, """
                devices:
                  - {id: 10.20.0.11, site: ras-ajdir, class: camera}
                  - {id: 10.20.0.12, site: ras-ajdir, class: camera}
                """, watchlist ? """
                - {id: watchlist, type: watchlist, list_file: "%s"}
                """.formatted(list) : "", """
                - {name: tripoli, topic: test/centre/tripoli}
                - {name: benghazi, topic: test/centre/benghazi}
                """, "pictures: {policy: keep, max_bytes: 268435456}\n");

        // 3 simulated minutes at 36x: 5 s, multipart pushes over HTTP.
        ScenarioResult result = fixture.play("watchlist-plate.yml", t -> fixture.listener(t, "anpr"), 36);

        assertThat(result.complete()).as(result.toString()).isTrue();
        long reads = result.goodReadingsByKind().get("anpr_read");
        await().atMost(ScenarioFixture.seconds(60)).untilAsserted(() ->
                assertThat(fixture.store().count("anpr_read")).isEqualTo(reads));
        JsonNode hit = fixture.store().exec("SELECT device, picture_ref, picture_bytes FROM anpr_read "
                + "WHERE plate = '5-123456'");
        assertThat(hit.path("dataset").get(0).get(0).asText()).isEqualTo("10.20.0.11");
        // The pictures were kept beside the store, referenced from the row, and served by the admin API.
        String ref = hit.path("dataset").get(0).get(1).asText();
        long pictureBytes = hit.path("dataset").get(0).get(2).asLong();
        assertThat(ref).startsWith("10.20.0.11/");
        Path kept = data.resolve("pictures").resolve(ref);
        long onDisk;
        try (var files = java.nio.file.Files.list(kept)) {
            onDisk = files.mapToLong(f -> f.toFile().length()).sum();
        }
        assertThat(onDisk).as("the pictures' bytes, as the camera sent them").isEqualTo(pictureBytes);
        assertThat(fixture.store().exec("SELECT count() FROM anpr_read WHERE picture_ref IS NULL")
                .path("dataset").get(0).get(0).asLong()).as("every simulated read carries pictures").isZero();
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        String api = "http://127.0.0.1:" + fixture.gateway().adminPort() + "/api/pictures/" + ref;
        var listing = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(api)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(listing.statusCode()).isEqualTo(200);
        assertThat(listing.body()).contains("licensePlatePicture.jpg");
        var picture = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                api + "/licensePlatePicture.jpg")).build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        assertThat(picture.statusCode()).isEqualTo(200);
        assertThat(picture.headers().firstValue("content-type")).hasValue("image/jpeg");
        assertThat(picture.body()).isEqualTo(java.nio.file.Files.readAllBytes(kept.resolve("licensePlatePicture.jpg")));
        assertThat(fixture.counter("limes.pictures", "outcome", "kept")).isEqualTo((double) reads);
        assumingThat(watchlist, () -> await().atMost(ScenarioFixture.seconds(30)).untilAsserted(() -> {
            for (String centre : ScenarioFixture.CENTRES) {
                assertThat(fixture.transitions(centre)).as(centre).contains("watchlist/10.20.0.11:raised");
                assertThat(fixture.alerts(centre)).as("the operator can find the hit's pictures")
                        .anyMatch(a -> ref.equals(a.path("tags").path("picture_ref").asText()));
            }
        }));
    }

    @Test
    void sensorMalfunctionsAreStoredAsReportedAndRaiseTheirThresholdAlerts() throws Exception {
        fixture = new ScenarioFixture(data, COUNTERS_MQTT, FOUR_COUNTERS.replace("classes:\n  counter: {expected_interval: 2s}\n", "")
                + "  - {id: cam-01, site: ras-ajdir, class: camera}\n  - {id: cam-02, site: ras-ajdir, class: camera}\n", """
                - {id: speed-implausible, type: threshold, kind: vehicle_count, field: speed_avg_mps, raise_above: 60, clear_below: 45}
                - {id: camera-overheat, type: threshold, kind: device_health, field: temperature_c, raise_above: 80, clear_below: 70}
                """);
        await().atMost(ScenarioFixture.seconds(30)).until(fixture.gateway()::sourcesReady);

        // 20 simulated minutes at 240x: 5 s.
        ScenarioResult result = fixture.play("sensor-malfunction.yml", fixture::mqtt, 240);

        assertThat(result.complete()).as(result.toString()).isTrue();
        await().atMost(ScenarioFixture.seconds(60)).ignoreExceptionsInstanceOf(java.net.ConnectException.class)
                .untilAsserted(() -> {
            assertThat(fixture.store().count("vehicle_count")).isEqualTo(result.goodReadingsByKind().get("vehicle_count"));
            assertThat(fixture.store().count("device_health")).isEqualTo(result.goodReadingsByKind().get("device_health"));
            for (String centre : ScenarioFixture.CENTRES) {
                assertThat(fixture.transitions(centre)).as(centre).containsExactlyInAnyOrder(
                        "speed-implausible/cnt-01:raised", "speed-implausible/cnt-01:cleared",
                        "camera-overheat/cam-01:raised");
            }
        });
        JsonNode stuck = fixture.store().exec("SELECT count(), count_distinct(count_total)"
                + " FROM vehicle_count WHERE device = 'cnt-02'");
        JsonNode row = stuck.path("dataset").get(0);
        assertThat(row.get(1).asLong()).as("the stuck window repeats one value").isLessThan(row.get(0).asLong() - 6);
    }

    @Test
    void aBurstAfterAReconnectIsStoredWholeAndTheDeadmanClearsWhenItArrives() throws Exception {
        fixture = new ScenarioFixture(data, COUNTERS_MQTT, FOUR_COUNTERS,
                "- {id: counter-silent, type: deadman, class: counter}");
        await().atMost(ScenarioFixture.seconds(30)).until(fixture.gateway()::sourcesReady);

        // 20 simulated minutes at 120x: 10 s; cnt-02 offline for 5 s of it, then 10 readings at once.
        ScenarioResult result = fixture.play("reconnect-burst.yml", fixture::mqtt, 120);

        assertThat(result.complete()).as(result.toString()).isTrue();
        assertThat(result.goodReadings()).containsEntry("cnt-02", 20L);
        await().atMost(ScenarioFixture.seconds(60)).untilAsserted(() -> {
            assertThat(fixture.store().count("vehicle_count")).isEqualTo(80);
            for (String centre : ScenarioFixture.CENTRES) {
                assertThat(fixture.transitions(centre)).as(centre)
                        .containsExactly("counter-silent/cnt-02:raised", "counter-silent/cnt-02:cleared");
            }
        });
        JsonNode times = fixture.store().exec("SELECT count_distinct(timestamp) FROM vehicle_count WHERE device = 'cnt-02'");
        assertThat(times.path("dataset").get(0).get(0).asLong()).as("each buffered reading keeps its own time")
                .isEqualTo(20);
    }
}
