package org.limes.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.limes.gateway.cluster.ClusterKafkaExtension.frame;
import static org.limes.gateway.cluster.ClusterKafkaExtension.post;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.limes.gateway.Gateway;
import org.limes.gateway.config.GatewayConfig;
import org.limes.gateway.embedded.QuestDbClient;

/**
 * Cluster mode after the frames topic, end to end on a real three-broker Kafka cluster in this
 * JVM ({@link ClusterKafka}): frames posted to a cluster-mode gateway run through the rules as a
 * Kafka Streams application, a threshold alert reaches a recording centre (a real HTTP server,
 * the webhook centre) through the centre's consumer group, and the readings and the alert are
 * stored in the gateway's embedded QuestDB through the store's. Then failover: the instance that
 * owned a device while its threshold hold was running is closed, and a second instance takes the
 * device's rule state over — the hold goes on from where it was (the episode's first reading, its
 * first-seen time on the first instance), it is not started again.
 */
class ClusterRulesIT {

    @RegisterExtension
    static final ClusterKafkaExtension kafka = new ClusterKafkaExtension();

    @TempDir
    Path dir;

    private RecordingCentre centre;
    private GatewayConfig lastConfig;

    @BeforeEach
    void startCentre() throws IOException {
        centre = kafka.closeAfterEach(RecordingCentre.start());
    }

    private Gateway startGateway(String crossing, String name, String hold) throws Exception {
        String yaml = """
                name: %s
                data_dir: %s
                mqtt: {broker: embedded, port: 0}
                store: {kind: embedded, http_port: 0}
                admin: {host: 127.0.0.1, port: 0}
                sources:
                  - {type: http, name: ingest, host: 127.0.0.1, port: 0, drivers: [{driver: counter-json}]}
                inventory:
                  devices:
                    - {id: cnt-01, site: ras-ajdir, class: counter, lane: "1"}
                    - {id: cnt-02, site: ras-ajdir, class: counter, lane: "2"}
                rules:
                  - {id: queue, type: threshold, kind: vehicle_count, field: count_total, raise_above: 40,
                     clear_below: 20, for: %s, clear_for: 0s}
                centres:
                  - {name: tripoli, type: webhook, url: "%s", allow_insecure_http: true,
                     retry_initial_ms: 50, retry_max_ms: 500}
                outbox: {max_bytes: 67108864, segment_bytes: 1048576, sync_interval_ms: 5}
                %s""".formatted(name, dir.resolve(name).toString().replace("\\", "/"), hold, centre.url(),
                kafka.clusterSection(crossing, 4, "produce_timeout_ms: 10000"));
        Gateway g = kafka.startGateway(dir.resolve(name + ".yml"), yaml, Clock.systemUTC());
        lastConfig = g.config();
        return g;
    }

    private static double readingsOut(Gateway g) {
        return g.registry().get("limes.cluster.readings.out").counter().count();
    }

    @Test
    void aThresholdAlertReachesTheCentreAndReadingsAndAlertAreStored() throws Exception {
        Gateway g = startGateway("e2e", "e2e-gw-1", "0s");
        // Quiet, then a queue (raise), then gone (clear): each device's frames in order on its partition.
        List<Integer> cars = List.of(5, 10, 15, 45, 50, 12, 8);
        long acknowledged = 0;
        for (int n = 0; n < cars.size(); n++) {
            assertThat(post(g, frame("cnt-01", n, cars.get(n)))).isEqualTo(200);
            if (n == 3) {
                acknowledged = System.currentTimeMillis();
            }
            assertThat(post(g, frame("cnt-02", n, 3))).isEqualTo(200);
        }
        await("raise and clear at the centre").atMost(Duration.ofSeconds(90))
                .until(() -> centre.alerts("raised").size() >= 1 && centre.alerts("cleared").size() >= 1);
        System.out.printf("cluster rules: the raising frame acknowledged -> its alert at the centre in %d ms%n",
                centre.firstArrival("raised") - acknowledged);
        JsonNode raised = centre.alerts("raised").get(0);
        long firstOver = Instant.parse("2026-11-26T06:00:03Z").toEpochMilli();
        assertThat(raised.path("alert_id").asText()).as("id from the crossing and the data")
                .isEqualTo("e2e/queue/cnt-01/" + firstOver);
        assertThat(raised.path("event_id").asText()).isEqualTo("e2e/queue/cnt-01/" + firstOver + ":raised");
        assertThat(raised.path("gateway").asText()).as("the emitting instance, as a field").isEqualTo("e2e-gw-1");
        assertThat(raised.path("value").asDouble()).isEqualTo(45.0);
        assertThat(centre.alerts("cleared").get(0).path("alert_id").asText()).isEqualTo("e2e/queue/cnt-01/" + firstOver);
        assertThat(centre.alerts()).extracting(a -> a.path("device").asText()).containsOnly("cnt-01");

        QuestDbClient store = new QuestDbClient(g.storeUrl());
        await("readings and alerts stored").atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(store.count("vehicle_count")).isEqualTo(2L * cars.size());
            assertThat(store.tableExists("alert") && store.count("alert") == 2).isTrue();
        });
        assertThat(g.registry().get("limes.cluster.readings.out").counter().count()).isEqualTo(2.0 * cars.size());
        assertThat(g.registry().get("limes.cluster.rules.first_record").timer().count())
                .as("the partition with the device's frames timed from its assignment to its first record")
                .isGreaterThanOrEqualTo(1);
        assertThat(g.registry().get("limes.alerts").tags("rule", "queue", "state", "raised").counter().count())
                .isEqualTo(1.0);
        await("offsets committed after the destinations acknowledged").atMost(Duration.ofSeconds(30)).until(() ->
                g.registry().get("limes.cluster.sink.committed").tag("destination", "tripoli").counter().count() >= 2
                        && g.registry().get("limes.cluster.sink.committed").tag("destination", "store").counter()
                        .count() >= 2 + 2 * cars.size());
    }

    @Test
    void aFrameFromAnInstanceConfiguredApartIsCountedAsConfigDrift() throws Exception {
        Gateway g = startGateway("drift", "drift-gw-1", "0s");
        assertThat(post(g, frame("cnt-02", 0, 3))).isEqualTo(200);
        await("the instance's own frame through the rules").atMost(Duration.ofSeconds(90))
                .until(() -> readingsOut(g) == 1.0);
        assertThat(g.registry().find("limes.errors").tag("error_type", "config_drift").counter())
                .as("an instance's own frames carry its digest").isNull();

        // Another instance whose sources digest otherwise: its frame is counted, and still processed.
        try (KafkaFrames other = KafkaFrames.start(lastConfig.cluster(), "drift-gw-2", "0123456789abcdef",
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry())) {
            other.append(new org.limes.drivers.Frame(frame("cnt-02", 1, 4).getBytes(
                    java.nio.charset.StandardCharsets.UTF_8), "ingest", "/ingest/counter-json", Instant.now()),
                    "counter-json", java.util.Set.of("cnt-02"), true).get(30, java.util.concurrent.TimeUnit.SECONDS);
        }
        await("the other instance's frame counted as drift").atMost(Duration.ofSeconds(60)).until(() -> {
            var c = g.registry().find("limes.errors").tags("component", "cluster", "stage", "processing",
                    "error_type", "config_drift").counter();
            return c != null && c.count() == 1.0;
        });
        await("and still processed").atMost(Duration.ofSeconds(30)).until(() -> readingsOut(g) == 2.0);
        assertThat(ConfigDigest.of(lastConfig.sources())).isNotEqualTo("0123456789abcdef");
    }

    @Test
    void aCentresGroupCommitsOnlyWhatTheCentreAcknowledged() throws Exception {
        centre.refuse(true);
        Gateway g = startGateway("refusal", "refusal-gw-1", "0s");
        assertThat(post(g, frame("cnt-01", 0, 50))).isEqualTo(200);
        await("the centre refusing the alert, and the store taking its share").atMost(Duration.ofSeconds(90))
                .until(() -> centre.refused() >= 3 && committed("limes-refusal-sink-store") == 2);
        assertThat(committed("limes-refusal-sink-tripoli")).as("nothing committed while the centre refuses")
                .isZero();
        assertThat(g.registry().get("limes.cluster.sink.in_flight").tag("destination", "tripoli").gauge().value())
                .isEqualTo(1.0);

        centre.refuse(false);
        await("delivered, then committed").atMost(Duration.ofSeconds(60))
                .until(() -> !centre.alerts("raised").isEmpty() && committed("limes-refusal-sink-tripoli") == 1);
        assertThat(centre.alerts("raised")).singleElement().satisfies(a -> assertThat(a.path("alert_id").asText())
                .isEqualTo("refusal/queue/cnt-01/" + Instant.parse("2026-11-26T06:00:00Z").toEpochMilli()));
        await().atMost(Duration.ofSeconds(10)).until(() -> g.registry().get("limes.cluster.sink.in_flight")
                .tag("destination", "tripoli").gauge().value() == 0.0);
    }

    /** The offsets a consumer group committed, summed over its partitions (records it is done with). */
    private static long committed(String group) throws Exception {
        try (Admin admin = kafka.cluster().admin()) {
            return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().values().stream()
                    .filter(o -> o != null).mapToLong(OffsetAndMetadata::offset).sum();
        }
    }

    @Test
    void aSecondInstanceTakesOverARunningHoldWhenTheFirstIsClosed() throws Exception {
        long holdMs = 15_000;
        Gateway first = startGateway("failover", "fo-gw-1", "15s");
        Gateway second = startGateway("failover", "fo-gw-2", "15s");
        await("the partitions shared by both").atMost(Duration.ofSeconds(90))
                .until(() -> partitions(first) + partitions(second) == 4 && partitions(first) > 0
                        && partitions(second) > 0);
        // The device goes over the level: its hold starts on the instance that owns its partition,
        // the one whose rules process its frames.
        long start = System.currentTimeMillis();
        Gateway owner = null;
        int n = 0;
        while (owner == null || System.currentTimeMillis() - start < 6_000) {
            double before1 = readingsOut(first);
            double before2 = readingsOut(second);
            assertThat(post(first, frame("cnt-01", n++, 50))).isEqualTo(200);
            await().atMost(Duration.ofSeconds(30)).until(() -> readingsOut(first) + readingsOut(second)
                    > before1 + before2);
            Gateway now = readingsOut(first) > before1 ? first : second;
            assertThat(owner == null || owner == now).as("one owner while both run").isTrue();
            owner = now;
        }
        assertThat(centre.alerts()).as("nothing raised before the hold ran out").isEmpty();
        Gateway survivor = owner == first ? second : first;
        String survivorName = survivor.config().name();
        long closedAt = System.currentTimeMillis();
        owner.close();

        // The device goes on reporting, now to the survivor (any instance accepts any device).
        int m = n;
        await("the raise, from the survivor").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500)).until(() -> {
                    post(survivor, frame("cnt-01", m + (int) ((System.currentTimeMillis() - start) / 500), 50));
                    return !centre.alerts("raised").isEmpty();
                });
        JsonNode raised = centre.alerts("raised").get(0);
        long firstOver = Instant.parse("2026-11-26T06:00:00Z").toEpochMilli();
        assertThat(raised.path("alert_id").asText()).as("the episode began with the first reading, on the owner "
                + "that was closed").isEqualTo("failover/queue/cnt-01/" + firstOver);
        assertThat(raised.path("gateway").asText()).isEqualTo(survivorName);
        long firstSeen = Instant.parse(raised.path("first_seen").asText()).toEpochMilli();
        long raisedAt = Instant.parse(raised.path("raised_at").asText()).toEpochMilli();
        assertThat(firstSeen).as("the hold started on the owner, before it was closed")
                .isBetween(start, closedAt);
        assertThat(raisedAt - firstSeen).as("the hold was honoured").isGreaterThanOrEqualTo(holdMs);
        System.out.printf("cluster failover: owner %s closed %d ms into the hold; %s raised %d ms after the close, "
                + "%d ms after the hold began (hold %d ms; a hold started again at the takeover would raise >= %d "
                + "ms after the close)%n", owner.config().name(), closedAt - firstSeen, survivorName,
                raisedAt - closedAt, raisedAt - firstSeen, holdMs, holdMs);
        assertThat(raisedAt - closedAt).as("raised before a hold started again at the takeover could end")
                .isLessThan(holdMs);
        assertThat(centre.alerts("raised")).extracting(a -> a.path("event_id").asText()).containsOnly(
                "failover/queue/cnt-01/" + firstOver + ":raised");
    }

    private static double partitions(Gateway g) {
        return g.registry().get("limes.cluster.rules.partitions").gauge().value();
    }
}
