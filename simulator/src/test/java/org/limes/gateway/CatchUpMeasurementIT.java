package org.limes.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.limes.drivers.Drivers;
import org.limes.gateway.config.ConfigLoader;
import org.limes.gateway.embedded.EmbeddedBroker;
import org.limes.gateway.embedded.EmbeddedStore;
import org.limes.gateway.embedded.QuestDbClient;
import org.limes.gateway.embedded.QuestDbSchema;
import org.limes.simulator.load.CounterFleet;
import org.limes.simulator.load.FleetResult;
import org.limes.simulator.load.ProgressListener;

/**
 * Measures, not asserts, how fast the store's backlog drains after an outage: readings
 * flow for {@code limes.catchup.minutes} minutes while the store is down, then the store
 * returns and the drain rate is printed. Long, so only run on request:
 * {@code mvn -B -o -pl gateway -am verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=CatchUpMeasurementIT -Dlimes.catchup.minutes=10 -Dlimes.catchup.rate=50}.
 * It still asserts that nothing was lost or duplicated.
 */
@EnabledIfSystemProperty(named = "limes.catchup.minutes", matches = "\\d+")
class CatchUpMeasurementIT {

    @TempDir
    Path dir;

    @Test
    void storeBacklogDrainRateAfterAnOutage() throws Exception {
        int minutes = Integer.getInteger("limes.catchup.minutes");
        double rate = Double.parseDouble(System.getProperty("limes.catchup.rate", "50"));
        try (EmbeddedBroker devices = EmbeddedBroker.start(dir.resolve("broker"), "127.0.0.1", 0)) {
            int storePort = freePort();
            Path storeRoot = dir.resolve("questdb");
            EmbeddedStore store = EmbeddedStore.start(storeRoot, "127.0.0.1", storePort);
            new QuestDbSchema(new QuestDbClient(store.url())).ensure("vehicle_count",
                    List.of("device", "site", "lane", "direction", "device_class", "lat", "lon"));
            Path token = Files.writeString(dir.resolve("token"), "t");
            String yaml = TestConfigs.gateway(dir.resolve("gw"), "broker: " + devices.uri(), "kind: influxdb\n  url: "
                    + store.url() + "\n  org: limes\n  token_file: " + token + "\n  retry_initial_ms: 250\n"
                    + "  retry_max_ms: 2000", 0, "  - name: tripoli\n    topic: test/centre/tripoli\n");
            Drivers drivers = Drivers.load();
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            try (Gateway gateway = Gateway.start(new ConfigLoader(drivers).parse("catchup.yml", yaml), drivers,
                    registry, Clock.systemUTC())) {
                await().atMost(Duration.ofSeconds(30)).until(gateway::sourcesReady);
                store.close();
                CounterFleet.Options options = new CounterFleet.Options(devices.uri(), 4, rate,
                        Duration.ofMinutes(minutes), 5L, "ras-ajdir", "cnt", "crossing", 1, null, null, null,
                        "catchup-fleet");
                CompletableFuture<FleetResult> fleet = CompletableFuture.supplyAsync(() -> {
                    try {
                        return new CounterFleet().run(options, Clock.systemUTC(), ProgressListener.NONE);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                FleetResult sent = fleet.get(minutes + 5L, TimeUnit.MINUTES);
                await().atMost(Duration.ofMinutes(2)).until(() ->
                        gateway.outboxes().get("store").depth() >= sent.acknowledged());
                long backlog = gateway.outboxes().get("store").depth();

                long start = System.nanoTime();
                try (EmbeddedStore restarted = EmbeddedStore.start(storeRoot, "127.0.0.1", storePort)) {
                    await().atMost(Duration.ofMinutes(30)).pollInterval(Duration.ofMillis(100))
                            .until(() -> gateway.outboxes().get("store").depth() == 0);
                    double seconds = (System.nanoTime() - start) / 1e9;
                    QuestDbClient sql = new QuestDbClient(restarted.url());
                    await().atMost(Duration.ofMinutes(5)).untilAsserted(() ->
                            assertThat(sql.count("vehicle_count")).isEqualTo(sent.acknowledged()));
                    System.out.printf("catch-up after a %d-minute store outage: backlog %d readings drained in "
                            + "%.1f s (store restart included) = %.0f readings/s%n", minutes, backlog, seconds,
                            backlog / seconds);
                }
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }
}
