package org.limes.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.drivers.Driver;
import org.limes.drivers.DriverOptions;
import org.limes.drivers.Drivers;
import org.limes.drivers.Frame;
import org.limes.drivers.Reading;
import org.limes.gateway.config.ConfigLoader;
import org.limes.gateway.config.GatewayConfig;
import org.limes.gateway.testing.MqttTestSubscriber;
import org.limes.simulator.demo.CentreListener;
import org.limes.gateway.embedded.QuestDbClient;
import org.limes.simulator.load.CounterFleet;
import org.limes.simulator.load.FleetResult;
import org.limes.simulator.load.ProgressListener;

/**
 * Device to store and both centres, on real services: the simulator's fleet publishes to
 * the embedded HiveMQ, the gateway stores into the embedded QuestDB, and the threshold
 * rule's alert reaches both centres' topics.
 */
class GatewayEndToEndIT {

    @TempDir
    Path data;

    private Gateway gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void everyReadingSentIsStoredAndTheSurgeAlertReachesBothCentres() throws Exception {
        Drivers drivers = Drivers.load();
        GatewayConfig config = new ConfigLoader(drivers).parse("e2e.yml", TestConfigs.gateway(data,
                "broker: embedded\n  port: 0", "kind: embedded\n  http_port: 0", 0));
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        gateway = Gateway.start(config, drivers, registry, Clock.systemUTC());
        await().atMost(Duration.ofSeconds(30)).until(gateway::sourcesReady);

        Map<String, Reading> sent = new ConcurrentHashMap<>();
        Driver counterJson = drivers.create("counter-json", DriverOptions.empty());
        MqttTestSubscriber tap = MqttTestSubscriber.start(gateway.brokerUri(), "e2e-tap", List.of("crossing/#"),
                (topic, msg) -> {
                    Reading r = counterJson.decode(new Frame(msg.getPayload(), "tap", topic, Instant.EPOCH)).get(0);
                    sent.put(key(r.deviceId(), r.deviceTime().toEpochMilli()), r);
                });

        try (CentreListener centres = CentreListener.start(gateway.brokerUri(),
                Map.of("test/centre/tripoli", "tripoli", "test/centre/benghazi", "benghazi"))) {
            CounterFleet.Options options = new CounterFleet.Options(gateway.brokerUri(), 4, 150,
                    Duration.ofSeconds(4), 7L, "ras-ajdir", "cnt", "crossing", 1, "cnt-02", Duration.ofSeconds(1),
                    Duration.ofSeconds(2), "e2e-fleet");
            FleetResult fleet = new CounterFleet().run(options, Clock.systemUTC(), ProgressListener.NONE);
            assertThat(fleet.acknowledged()).isEqualTo(fleet.sent()).isPositive();

            QuestDbClient store = new QuestDbClient(gateway.storeUrl());
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(sent).hasSize((int) fleet.sent());
                assertThat(store.count("vehicle_count")).isEqualTo(fleet.sent());
            });

            JsonNode rows = store.exec("SELECT device, timestamp, count_total, site, lane, direction "
                    + "FROM vehicle_count");
            Set<String> storedKeys = new HashSet<>();
            for (JsonNode row : rows.path("dataset")) {
                String device = row.get(0).asText();
                long millis = Instant.parse(row.get(1).asText()).toEpochMilli();
                String k = key(device, millis);
                storedKeys.add(k);
                Reading original = sent.get(k);
                assertThat(original).as("stored row %s was sent", k).isNotNull();
                assertThat(row.get(2).asLong()).isEqualTo((long) original.fields().get("count_total"));
                assertThat(row.get(3).asText()).isEqualTo("ras-ajdir");
                assertThat(row.get(5).asText()).isEqualTo(original.tags().get("direction"));
            }
            assertThat(storedKeys).isEqualTo(sent.keySet());

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(centres.delivered("tripoli", "raised")).isGreaterThanOrEqualTo(1);
                assertThat(centres.delivered("tripoli", "cleared")).isGreaterThanOrEqualTo(1);
                assertThat(centres.delivered()).containsEntry("benghazi", centres.delivered().get("tripoli"));
            });
            double raised = registry.get("limes.alerts").tag("state", "raised").counter().count();
            double cleared = registry.get("limes.alerts").tag("state", "cleared").counter().count();
            assertThat(centres.delivered().get("tripoli")).isEqualTo((long) (raised + cleared));
            assertThat(store.count("alert")).isEqualTo((long) (raised + cleared));
            assertThat(registry.get("limes.frames.received").tag("source", "devices").counter().count())
                    .isEqualTo(fleet.sent());
            assertThat(registry.get("limes.readings.decoded").tag("driver", "counter-json").counter().count())
                    .isEqualTo(fleet.sent());
        } finally {
            tap.close();
        }
    }

    private static String key(String device, long millis) {
        return device + "@" + millis;
    }
}
