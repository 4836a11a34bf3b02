package org.limes.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.gateway.embedded.EmbeddedStore;
import org.limes.gateway.embedded.QuestDbClient;
import org.limes.gateway.embedded.QuestDbSchema;
import org.limes.gateway.testing.GatewayChild;
import org.limes.simulator.load.CounterFleet;
import org.limes.simulator.load.FleetResult;
import org.limes.simulator.load.ProgressListener;

/**
 * The gateway in a child JVM, devices publishing to its embedded broker (which ingests inside
 * HiveMQ), is killed ({@code destroyForcibly}, SIGKILL) mid-stream and restarted on the same
 * port: every message a device got a PUBACK for is in the store afterwards, and nothing is
 * stored twice. The broker dies with the gateway, so messages in flight at the kill fail on the
 * devices (their connection is lost); those may or may not be stored, but never twice.
 */
class EmbeddedBrokerCrashIT {

    @TempDir
    Path dir;

    private final List<GatewayChild> children = new ArrayList<>();
    private EmbeddedStore store;

    @AfterEach
    void cleanUp() throws InterruptedException {
        for (GatewayChild child : children) {
            child.close();
        }
        if (store != null) {
            store.close();
        }
    }

    @Test
    void killedGatewayWithItsEmbeddedBrokerLosesNothingAcknowledged() throws Exception {
        store = EmbeddedStore.start(dir.resolve("questdb"), "127.0.0.1", 0);
        QuestDbClient sql = new QuestDbClient(store.url());
        new QuestDbSchema(sql).ensure("vehicle_count",
                List.of("device", "site", "lane", "direction", "device_class", "lat", "lon"));
        Path token = Files.writeString(dir.resolve("token"), "crash-test-token\n");
        int adminPort = GatewayChild.freePort();
        int brokerPort = GatewayChild.freePort();
        String brokerUri = "tcp://127.0.0.1:" + brokerPort;
        String yaml = TestConfigs.gateway(dir.resolve("gateway-data"),
                "broker: embedded\n  host: 127.0.0.1\n  port: " + brokerPort,
                "kind: influxdb\n  url: " + store.url() + "\n  org: limes\n  bucket: limes\n  token_file: " + token,
                adminPort);
        Path config = Files.writeString(dir.resolve("gateway.yml"), yaml);

        GatewayChild first = startGateway(config, "first").awaitHealthy(adminPort);

        CounterFleet fleet = new CounterFleet();
        CounterFleet.Options options = new CounterFleet.Options(brokerUri, 4, 250, Duration.ofSeconds(8), 3L,
                "ras-ajdir", "cnt", "crossing", 1, null, null, null, "crash-fleet");
        CompletableFuture<FleetResult> publishing = CompletableFuture.supplyAsync(() -> {
            try {
                return fleet.run(options, Clock.systemUTC(), ProgressListener.NONE);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        await().atMost(Duration.ofSeconds(60)).until(() -> sql.count("vehicle_count") >= 300);
        first.kill();

        GatewayChild second = startGateway(config, "second").awaitHealthy(adminPort);
        FleetResult result = publishing.get(120, TimeUnit.SECONDS);
        assertThat(result.acknowledged()).isPositive();

        // Every acknowledged message is stored; at most every sent one; none twice.
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
                assertThat(sql.count("vehicle_count")).isGreaterThanOrEqualTo(result.acknowledged()));
        long stored = sql.count("vehicle_count");
        assertThat(stored).isLessThanOrEqualTo(result.sent());
        long distinct = sql.exec("SELECT count() FROM (SELECT DISTINCT device, timestamp FROM vehicle_count)")
                .path("dataset").get(0).get(0).asLong();
        assertThat(distinct).isEqualTo(stored);
        second.terminate();
    }

    private GatewayChild startGateway(Path config, String name) throws IOException {
        GatewayChild child = GatewayChild.start(config, dir.resolve("gateway-" + name + ".log"));
        children.add(child);
        return child;
    }
}
