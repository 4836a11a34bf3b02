package org.limes.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.drivers.Drivers;
import org.limes.gateway.config.ConfigLoader;
import org.limes.gateway.config.GatewayConfig;
import org.limes.gateway.embedded.QuestDbClient;

/**
 * Issue 13 item 1, end to end: two Hikvision plate reads from one camera in the same second
 * are two rows in the embedded QuestDB's {@code anpr_read}, and a redelivery of one of them
 * overwrites its own row.
 */
class EventKeyIT {

    private static final String SECOND = "2026-11-26T08:00:00+02:00";

    @TempDir
    Path dir;

    private Gateway gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void twoReadsInOneSecondAreTwoRowsAndARedeliveryOverwritesItsOwn() throws Exception {
        String yaml = """
                name: event-gw
                data_dir: %s
                mqtt: {broker: embedded, port: 0}
                store: {kind: embedded, http_port: 0}
                admin: {host: 127.0.0.1, port: 0}
                sources:
                  - type: http
                    name: ingest
                    host: 127.0.0.1
                    port: 0
                    drivers: [{driver: camera-hikvision, options: {device_from: channel_name}}]
                inventory:
                  devices:
                    - {id: cam-01, site: ras-ajdir, class: camera, lane: "1"}
                outbox: {max_bytes: 67108864, segment_bytes: 1048576, sync_interval_ms: 5}
                """.formatted(dir.resolve("data").toString().replace("\\", "/"));
        Drivers drivers = Drivers.load();
        GatewayConfig config = new ConfigLoader(drivers).parse(dir.resolve("event.yml").toString(), yaml);
        gateway = Gateway.start(config, drivers, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                Clock.systemUTC());

        assertThat(post(read("QQ-111"))).isEqualTo(200);
        assertThat(post(read("QQ-222"))).isEqualTo(200);
        QuestDbClient store = new QuestDbClient(gateway.storeUrl());
        await("two rows in anpr_read for two reads in one second").atMost(Duration.ofSeconds(60))
                .until(() -> store.count("anpr_read") >= 2);
        assertThat(plates(store)).containsExactlyInAnyOrder("QQ-111", "QQ-222");

        // The camera sends QQ-111 again; a third read after it shows when the table has caught up
        // (QuestDB applies one table's writes in order).
        assertThat(post(read("QQ-111"))).isEqualTo(200);
        assertThat(post(read("QQ-333"))).isEqualTo(200);
        await().atMost(Duration.ofSeconds(60)).until(() -> plates(store).contains("QQ-333")
                && gateway.outboxes().get(Gateway.STORE_DESTINATION).depth() == 0);
        assertThat(plates(store)).as("the redelivered read overwrote its own row")
                .containsExactlyInAnyOrder("QQ-111", "QQ-222", "QQ-333");

        // Every row stays inside the camera's second; the precision it was keyed below is stored.
        JsonNode rows = store.exec("SELECT timestamp, event_precision_us FROM anpr_read").path("dataset");
        for (JsonNode row : rows) {
            Instant stored = Instant.parse(row.path(0).asText());
            assertThat(stored).isBetween(Instant.parse("2026-11-26T06:00:00Z"),
                    Instant.parse("2026-11-26T06:00:00.999999Z"));
            assertThat(row.path(1).asLong()).isEqualTo(1_000_000L);
        }
    }

    private int post(String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.listenerPort("ingest")
                        + "/ingest/camera-hikvision")).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/xml").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private static List<String> plates(QuestDbClient store) throws Exception {
        List<String> plates = new ArrayList<>();
        for (JsonNode row : store.exec("SELECT plate FROM anpr_read").path("dataset")) {
            plates.add(row.path(0).asText());
        }
        return plates;
    }

    private static String read(String plate) {
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <EventNotificationAlert version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema">
                <ipAddress>10.20.0.31</ipAddress>
                <dateTime>%s</dateTime>
                <eventType>ANPR</eventType>
                <channelName>cam-01</channelName>
                <ANPR><licensePlate>%s</licensePlate><line>1</line><confidenceLevel>97</confidenceLevel></ANPR>
                </EventNotificationAlert>
                """.formatted(SECOND, plate);
    }
}
