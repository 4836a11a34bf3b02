package org.limes.gateway.containers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.influxdb.client.InfluxDBClient;
import com.influxdb.client.InfluxDBClientFactory;
import com.influxdb.query.FluxRecord;
import com.influxdb.query.FluxTable;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.drivers.Driver;
import org.limes.drivers.DriverOptions;
import org.limes.drivers.Drivers;
import org.limes.drivers.Frame;
import org.limes.drivers.Reading;
import org.limes.gateway.Gateway;
import org.limes.gateway.TestConfigs;
import org.limes.gateway.config.ConfigLoader;
import org.limes.gateway.config.GatewayConfig;
import org.limes.gateway.testing.MqttTestSubscriber;
import org.limes.simulator.load.CounterFleet;
import org.limes.simulator.load.FleetResult;
import org.limes.simulator.load.ProgressListener;
import org.testcontainers.containers.InfluxDBContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;

/**
 * The gateway writing to a real InfluxDB 2.7 (Testcontainers; skipped without Docker): the
 * simulator's fleet publishes to the embedded broker, and a Flux query returns exactly the
 * readings that were sent — every device and timestamp once, with its counts.
 */
@Testcontainers(disabledWithoutDocker = true)
class InfluxDbContainerIT {

    private static final String TOKEN = "limes-it-token";

    @Container
    static final InfluxDBContainer<?> INFLUX = new InfluxDBContainer<>(DockerImageName.parse("influxdb:2.7"))
            .withOrganization("border").withBucket("limes").withUsername("limes").withPassword("limes-it-pass")
            .withAdminToken(TOKEN);

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
    void aFluxQueryReturnsExactlyTheReadingsThatWereSent() throws Exception {
        Path token = dir.resolve("influx.token");
        Files.writeString(token, TOKEN);
        Drivers drivers = Drivers.load();
        GatewayConfig config = new ConfigLoader(drivers).parse("influx-it.yml", TestConfigs.gateway(dir.resolve("data"),
                "broker: embedded\n  port: 0", "kind: influxdb\n  url: " + INFLUX.getUrl() + "\n  org: border\n"
                        + "  bucket: limes\n  token_file: " + token, 0));
        gateway = Gateway.start(config, drivers, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                Clock.systemUTC());
        await().atMost(Duration.ofSeconds(30)).until(gateway::sourcesReady);

        Map<String, Long> sent = new ConcurrentHashMap<>();
        Driver counterJson = drivers.create("counter-json", DriverOptions.empty());
        MqttTestSubscriber tap = MqttTestSubscriber.start(gateway.brokerUri(), "influx-it-tap", List.of("crossing/#"),
                (topic, msg) -> {
                    Reading r = counterJson.decode(new Frame(msg.getPayload(), "tap", topic, Instant.EPOCH)).get(0);
                    sent.put(r.deviceId() + "@" + r.deviceTime().toEpochMilli(), (Long) r.fields().get("count_total"));
                });
        try {
            FleetResult fleet = new CounterFleet().run(new CounterFleet.Options(gateway.brokerUri(), 4, 50,
                    Duration.ofSeconds(3), 11L, "ras-ajdir", "cnt", "crossing", 1, null, null, null, "influx-it-fleet"),
                    Clock.systemUTC(), ProgressListener.NONE);
            assertThat(fleet.acknowledged()).isEqualTo(fleet.sent()).isPositive();

            try (InfluxDBClient client = InfluxDBClientFactory.create(INFLUX.getUrl(), TOKEN.toCharArray(), "border",
                    "limes")) {
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                    assertThat(sent).hasSize((int) fleet.sent());
                    Map<String, Long> stored = new HashMap<>();
                    for (FluxTable table : client.getQueryApi().query("""
                            from(bucket: "limes")
                              |> range(start: 0)
                              |> filter(fn: (r) => r._measurement == "vehicle_count" and r._field == "count_total")
                            """)) {
                        for (FluxRecord rec : table.getRecords()) {
                            assertThat(rec.getValueByKey("site")).isEqualTo("ras-ajdir");
                            String key = rec.getValueByKey("device") + "@" + rec.getTime().toEpochMilli();
                            assertThat(stored.put(key, ((Number) rec.getValue()).longValue())).as("once: %s", key)
                                    .isNull();
                        }
                    }
                    assertThat(stored).isEqualTo(sent);
                });
            }
        } finally {
            tap.close();
        }
    }
}
