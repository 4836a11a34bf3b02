package org.limes.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.limes.drivers.Drivers;
import org.limes.drivers.Frame;
import org.limes.gateway.config.GatewayConfig;
import org.limes.gateway.pipeline.Inventory;
import org.limes.gateway.pipeline.Routing;
import org.limes.gateway.rules.RuleMetrics;

/**
 * The rules' failover when the owner does not say goodbye: two instances of the rules application
 * on a real three-broker Kafka cluster in this JVM; the owner of a device whose 15 s hold is running
 * stops without leaving the group (as a dead instance would); the survivor takes the partition
 * over after the session timeout (6 s) and raises on the original episode's id, the hold not
 * started again. Prints the takeover time.
 */
class ClusterRulesSilentStopIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final ClusterKafkaExtension kafka = new ClusterKafkaExtension();

    @TempDir
    Path dir;

    private record Instance(ClusterRules rules, SimpleMeterRegistry registry) {
        double partitions() {
            return registry.get("limes.cluster.rules.partitions").gauge().value();
        }

        double readingsOut() {
            return registry.get("limes.cluster.readings.out").counter().count();
        }

        double errors(String type) {
            var c = registry.find("limes.errors").tag("component", "cluster").tag("error_type", type).counter();
            return c == null ? 0 : c.count();
        }
    }

    private Instance start(GatewayConfig config, Drivers drivers, String name) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ClusterRules rules = ClusterRules.start(config.cluster(), name, dir.resolve(name), new Inventory(
                config.inventory()), config.limits(), config.rules(), new RuleMetrics(registry), drivers, config.sources(),
                Routing.ALL,
                null, registry, Clock.systemUTC());
        return new Instance(rules, registry);
    }

    private static byte[] frame(int n) {
        return ClusterKafkaExtension.frame("cnt-01", n, 50).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theSurvivorTakesOverAfterTheSessionTimeoutAndTheHoldGoesOn() throws Exception {
        Drivers drivers = Drivers.load();
        GatewayConfig config = ClusterKafkaExtension.holdConfig(drivers, "silent-gw", dir.resolve("data"),
                kafka.clusterSection("silent", 4, "session_timeout_ms: 6000"));
        List<AutoCloseable> open = new ArrayList<>();
        try (KafkaFrames frames = KafkaFrames.start(config.cluster(), "producer",
                ConfigDigest.of(config.sources()), new SimpleMeterRegistry())) {
            Instance a = start(config, drivers, "a");
            open.add(a.rules());
            Instance b = start(config, drivers, "b");
            open.add(b.rules());
            await("the partitions shared by both").atMost(Duration.ofSeconds(90)).until(() ->
                    a.partitions() + b.partitions() == 4 && a.partitions() > 0 && b.partitions() > 0);

            // Records this config cannot place (instances configured apart): counted, skipped, the frames behind flow.
            frames.append(new Frame(frame(0), "elsewhere", "/ingest/counter-json", Instant.now()), "counter-json",
                    Set.of("cnt-01"), true).get(10, TimeUnit.SECONDS);
            frames.append(new Frame(frame(0), "ingest", "/ingest/lineprotocol", Instant.now()), "lineprotocol",
                    Set.of("cnt-01"), true).get(10, TimeUnit.SECONDS);
            long start = System.currentTimeMillis();
            Instance owner = null;
            int n = 0;
            while (owner == null || System.currentTimeMillis() - start < 5_000) {
                double beforeA = a.readingsOut();
                double beforeB = b.readingsOut();
                frames.append(new Frame(frame(n++), "ingest", "/ingest/counter-json", Instant.now()), "counter-json",
                        Set.of("cnt-01"), true).get(10, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(30)).until(() -> a.readingsOut() + b.readingsOut()
                        > beforeA + beforeB);
                owner = a.readingsOut() > beforeA ? a : b;
            }
            Instance survivor = owner == a ? b : a;
            assertThat(a.errors("unknown_source") + b.errors("unknown_source")).isEqualTo(1);
            assertThat(a.errors("unknown_driver") + b.errors("unknown_driver")).isEqualTo(1);
            long haltedAt = System.currentTimeMillis();
            owner.rules().halt();
            open.remove(owner.rules());

            await("the survivor owns every partition").atMost(Duration.ofSeconds(60))
                    .until(() -> survivor.partitions() == 4);
            long takenOverAt = System.currentTimeMillis();
            JsonNode raised = await("the raise").atMost(Duration.ofSeconds(60)).until(this::raised, r -> r != null);
            long firstOver = Instant.parse("2026-11-26T06:00:00Z").toEpochMilli();
            assertThat(raised.path("alert_id").asText()).isEqualTo("silent/queue/cnt-01/" + firstOver);
            long firstSeen = Instant.parse(raised.path("first_seen").asText()).toEpochMilli();
            long raisedAt = Instant.parse(raised.path("raised_at").asText()).toEpochMilli();
            assertThat(firstSeen).as("the hold began on the owner").isBetween(start, haltedAt);
            assertThat(raisedAt - firstSeen).isGreaterThanOrEqualTo(15_000);
            assertThat(takenOverAt - haltedAt).as("not before the session timeout").isGreaterThanOrEqualTo(5_000);
            System.out.printf("cluster silent stop: owner stopped %d ms into a 15 s hold; partitions taken over %d ms "
                    + "later (session timeout 6 s); raised %d ms after the stop, %d ms after the hold began%n",
                    haltedAt - firstSeen, takenOverAt - haltedAt, raisedAt - haltedAt, raisedAt - firstSeen);
            assertThat(raisedAt - haltedAt).as("a hold started again at the takeover would end later")
                    .isLessThan(takenOverAt - haltedAt + 15_000);
        } finally {
            for (AutoCloseable c : open) {
                c.close();
            }
        }
    }

    /** The first raised transition on the alerts topic (committed transactions only), or null. */
    private JsonNode raised() throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + System.nanoTime());
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            c.subscribe(List.of("limes.silent.alerts"));
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (System.nanoTime() < until) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(300))) {
                    JsonNode a = JSON.readTree(r.value());
                    if (a.path("state").asText().equals("raised")) {
                        return a;
                    }
                }
            }
        }
        return null;
    }
}
