package org.limes.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.limes.gateway.Gateway;
import org.slf4j.LoggerFactory;

/**
 * The watchlist's cross-camera passages in cluster mode, on a real three-broker Kafka cluster in
 * this JVM ({@link ClusterKafka}) with two gateway instances: two ANPR cameras of one lane whose
 * frames are owned by different instances read the same listed plate within
 * {@code passage_window} — one raise; the instance that keeps the lane's passages is closed, and
 * a third read on the survivor still belongs to the same passage — nothing raised again, and one
 * clear a window after the last read, on the original id, with every read counted. No log line
 * carries the plate.
 */
class ClusterPassagesIT {

    private static final String CROSSING = "passages";
    private static final int PARTITIONS = 4;
    private static final long WINDOW_MS = 40_000;

    @RegisterExtension
    static final ClusterKafkaExtension kafka = new ClusterKafkaExtension();

    @TempDir
    Path dir;

    private RecordingCentre centre;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeEach
    void start() throws IOException {
        centre = kafka.closeAfterEach(RecordingCentre.start());
        logs.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    }

    @AfterEach
    void stop() {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
    }

    private Gateway startGateway(String name) throws Exception {
        Path home = dir.resolve(name);
        Files.createDirectories(home);
        Files.writeString(home.resolve("wanted.txt"), "AB1234O,stolen\n");
        StringBuilder cameras = new StringBuilder();
        for (int i = 1; i <= 8; i++) {
            cameras.append("    - {id: cam-").append(i).append(", site: ras-ajdir, class: camera, lane: \"2\"}\n");
        }
        String yaml = """
                name: %s
                data_dir: %s
                mqtt: {broker: embedded, port: 0}
                store: {kind: embedded, http_port: 0}
                admin: {host: 127.0.0.1, port: 0}
                sources:
                  - {type: http, name: ingest, host: 127.0.0.1, port: 0, drivers: [{driver: camera-json}]}
                inventory:
                  devices:
                %s
                rules:
                  - {id: wanted, type: watchlist, list_file: wanted.txt, passage_window: %ds}
                centres:
                  - {name: tripoli, type: webhook, url: "%s", allow_insecure_http: true,
                     retry_initial_ms: 50, retry_max_ms: 500}
                outbox: {sync_interval_ms: 5}
                %s""".formatted(name, home.resolve("data").toString().replace("\\", "/"), cameras.toString().stripTrailing(),
                WINDOW_MS / 1000, centre.url(), kafka.clusterSection(CROSSING, PARTITIONS));
        return kafka.startGateway(home.resolve("gateway.yml"), yaml, Clock.systemUTC());
    }

    private void read(Gateway g, String camera, String plate) throws Exception {
        String body = "{\"type\":\"anpr_read\",\"device\":\"" + camera + "\",\"time\":\"" + Instant.now()
                + "\",\"plate\":\"" + plate + "\",\"confidence_pct\":88.0}";
        HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.listenerPort("ingest")
                + "/ingest/camera-json")).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        assertThat(http.send(r, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    }

    private static double passageReads(Gateway g) {
        return g.registry().get("limes.cluster.passages.reads").counter().count();
    }

    private static double raisedCount(Gateway g) {
        return g.registry().find("limes.alerts").tag("state", "raised").counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }

    private static double gauge(Gateway g, String name) {
        return g.registry().get(name).gauge().value();
    }

    /** The instance (by name) that owns each partition of {@code topic} in the rules application's group. */
    private static Map<Integer, String> owners(String topic, List<String> names) throws Exception {
        Map<Integer, String> out = new HashMap<>();
        try (Admin admin = kafka.cluster().admin()) {
            ConsumerGroupDescription group = admin.describeConsumerGroups(List.of("limes-" + CROSSING + "-rules"))
                    .all().get().get("limes-" + CROSSING + "-rules");
            for (MemberDescription m : group.members()) {
                for (TopicPartition tp : m.assignment().topicPartitions()) {
                    if (tp.topic().equals(topic)) {
                        for (String n : names) {
                            if (m.clientId().contains("-" + n + "-rules")) {
                                out.put(tp.partition(), n);
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    @Test
    void twoCamerasOfALaneOnTwoInstancesRaiseOnePassageCarriedAcrossAFailover() throws Exception {
        Gateway first = startGateway("pa-gw-1");
        Gateway second = startGateway("pa-gw-2");
        List<String> names = List.of("pa-gw-1", "pa-gw-2");
        String frames = "limes." + CROSSING + ".frames";
        String passages = "limes." + CROSSING + ".passages";
        await("the partitions shared by both").atMost(Duration.ofSeconds(120)).until(() ->
                gauge(first, "limes.cluster.rules.partitions") > 0 && gauge(second, "limes.cluster.rules.partitions") > 0
                        && gauge(first, "limes.cluster.rules.partitions") + gauge(second,
                        "limes.cluster.rules.partitions") == PARTITIONS
                        && gauge(first, "limes.cluster.passages.partitions") + gauge(second,
                        "limes.cluster.passages.partitions") == PARTITIONS
                        && owners(frames, names).size() == PARTITIONS && owners(passages, names).size() == PARTITIONS);

        // Two cameras of lane 2 whose frames two different instances own.
        Map<Integer, String> frameOwners = owners(frames, names);
        String camA = null;
        String camB = null;
        for (int i = 1; i <= 8 && camB == null; i++) {
            String cam = "cam-" + i;
            String owner = frameOwners.get(RulesProcessor.partitionOf(cam, PARTITIONS));
            if (camA == null) {
                camA = cam;
            } else if (!owner.equals(frameOwners.get(RulesProcessor.partitionOf(camA, PARTITIONS)))) {
                camB = cam;
            }
        }
        assertThat(camB).as("cameras owned by two instances among cam-1..cam-8").isNotNull();
        String laneOwner = owners(passages, names).get(RulesProcessor.partitionOf("ras-ajdir/2", PARTITIONS));
        System.out.printf("passages: %s on %s, %s on %s, lane ras-ajdir/2 kept by %s%n", camA,
                frameOwners.get(RulesProcessor.partitionOf(camA, PARTITIONS)), camB,
                frameOwners.get(RulesProcessor.partitionOf(camB, PARTITIONS)), laneOwner);

        read(first, camA, "AB 1234O");
        await("the raise").atMost(Duration.ofSeconds(60)).until(() -> !centre.alerts("raised").isEmpty());
        JsonNode raised = centre.alerts("raised").get(0);
        // Raised by the lane's owner: counted where the passage processor ran, and named in the
        // centre payload's `gateway` field (the emitting instance, whichever instance relayed it).
        assertThat(raised.path("gateway").asText()).isEqualTo(laneOwner);
        Gateway laneGateway = laneOwner.equals("pa-gw-1") ? first : second;
        Gateway otherGateway = laneGateway == first ? second : first;
        assertThat(raisedCount(laneGateway)).as("raised by the lane's owner").isEqualTo(1.0);
        assertThat(raisedCount(otherGateway)).as("nothing raised by the other instance").isZero();
        long firstRead = System.currentTimeMillis();
        read(second, camB, "ab-1234o");
        await("the second camera's read judged by the lane's owner").atMost(Duration.ofSeconds(30))
                .until(() -> passageReads(first) + passageReads(second) == 2.0);
        assertThat(centre.alerts("raised")).as("the second camera's read is the same passage").hasSize(1);

        // The lane's owner goes; the survivor takes the lane's passages over from the changelog.
        Gateway owner = laneOwner.equals("pa-gw-1") ? first : second;
        Gateway survivor = owner == first ? second : first;
        owner.close();
        await("the survivor owns every partition").atMost(Duration.ofSeconds(60)).until(() ->
                gauge(survivor, "limes.cluster.passages.partitions") == PARTITIONS);
        double before = passageReads(survivor);
        read(survivor, camA, "AB1234O");
        long lastRead = System.currentTimeMillis();
        await("the third read judged by the survivor").atMost(Duration.ofSeconds(30))
                .until(() -> passageReads(survivor) == before + 1);
        assertThat(lastRead - firstRead).as("still within the window of the reads before").isLessThan(WINDOW_MS);
        assertThat(centre.alerts("raised")).as("nothing raised again after the failover").hasSize(1);

        await("the clear, a window after the last read").atMost(Duration.ofSeconds(90))
                .until(() -> !centre.alerts("cleared").isEmpty());
        JsonNode cleared = centre.alerts("cleared").get(0);
        assertThat(cleared.path("alert_id").asText()).isEqualTo(raised.path("alert_id").asText());
        assertThat(cleared.path("value").asDouble()).as("every read of the passage counted").isEqualTo(3.0);
        assertThat(cleared.path("gateway").asText()).isEqualTo(survivor.config().name());
        assertThat(Instant.parse(cleared.path("at").asText()).toEpochMilli() - Instant.parse(
                cleared.path("last_seen").asText()).toEpochMilli()).isGreaterThanOrEqualTo(WINDOW_MS);
        assertThat(centre.alerts("raised")).hasSize(1);
        assertThat(centre.alerts("cleared")).extracting(a -> a.path("event_id").asText()).containsOnly(
                raised.path("alert_id").asText() + ":cleared");
        assertThat(logs.list).as("no log line carries the plate").noneMatch(e ->
                e.getFormattedMessage().toUpperCase().replaceAll("[ -]", "").contains("AB1234O"));
    }
}
