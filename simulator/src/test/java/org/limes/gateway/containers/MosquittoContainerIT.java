package org.limes.gateway.containers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.drivers.Drivers;
import org.limes.gateway.Gateway;
import org.limes.gateway.TestConfigs;
import org.limes.gateway.config.ConfigLoader;
import org.limes.gateway.config.GatewayConfig;
import org.limes.simulator.demo.CentreListener;
import org.limes.gateway.embedded.QuestDbClient;
import org.limes.simulator.load.CounterFleet;
import org.limes.simulator.load.FleetResult;
import org.limes.simulator.load.ProgressListener;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;

/**
 * The MQTT source end to end through a real Eclipse Mosquitto (Testcontainers; skipped without
 * Docker): the simulator publishes to Mosquitto, the gateway subscribes there, stores every
 * reading in the embedded QuestDB, and delivers the surge alert to both centre topics on the
 * same Mosquitto.
 */
@Testcontainers(disabledWithoutDocker = true)
class MosquittoContainerIT {

    @Container
    static final GenericContainer<?> MOSQUITTO = new GenericContainer<>(DockerImageName.parse("eclipse-mosquitto:2"))
            .withCopyToContainer(Transferable.of("listener 1883 0.0.0.0\nallow_anonymous true\n"),
                    "/mosquitto/config/mosquitto.conf")
            .withExposedPorts(1883)
            .waitingFor(Wait.forLogMessage(".*mosquitto version .* running.*", 1));

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
    void everyReadingPublishedToMosquittoIsStoredAndTheAlertReachesBothCentres() throws Exception {
        String broker = "tcp://" + MOSQUITTO.getHost() + ":" + MOSQUITTO.getMappedPort(1883);
        Drivers drivers = Drivers.load();
        GatewayConfig config = new ConfigLoader(drivers).parse("mosquitto-it.yml", TestConfigs.gateway(
                dir.resolve("data"), "broker: " + broker, "kind: embedded\n  http_port: 0", 0));
        gateway = Gateway.start(config, drivers, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                Clock.systemUTC());
        await().atMost(Duration.ofSeconds(30)).until(gateway::sourcesReady);

        try (CentreListener centres = CentreListener.start(broker,
                Map.of("test/centre/tripoli", "tripoli", "test/centre/benghazi", "benghazi"))) {
            FleetResult fleet = new CounterFleet().run(new CounterFleet.Options(broker, 4, 100,
                    Duration.ofSeconds(4), 7L, "ras-ajdir", "cnt", "crossing", 1, "cnt-02", Duration.ofSeconds(1),
                    Duration.ofSeconds(2), "mosquitto-it-fleet"), Clock.systemUTC(), ProgressListener.NONE);
            assertThat(fleet.acknowledged()).isEqualTo(fleet.sent()).isPositive();

            QuestDbClient store = new QuestDbClient(gateway.storeUrl());
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(store.count("vehicle_count")).isEqualTo(fleet.sent()));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(centres.delivered("tripoli", "raised")).isGreaterThanOrEqualTo(1);
                assertThat(centres.delivered("benghazi", "raised")).isEqualTo(centres.delivered("tripoli", "raised"));
            });
        }
    }
}
