package org.limes.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.limes.gateway.embedded.EmbeddedStore;
import org.limes.gateway.embedded.QuestDbClient;
import org.limes.gateway.embedded.QuestDbSchema;
import org.limes.gateway.testing.GatewayChild;
import org.slf4j.LoggerFactory;

/**
 * Cluster mode's failover rehearsal with real processes (issue #16): cluster-mode gateways as
 * child JVMs (the shaded jar, {@link GatewayChild}) on a real three-broker Kafka cluster in this
 * JVM ({@link ClusterKafka}), devices posting counter frames over HTTP to any instance, two
 * recording centres (real HTTP servers behind webhook centres) and one store (QuestDB in this JVM,
 * written by every instance as an InfluxDB server, its tables deduplicating on time and tags as the
 * embedded store's do). Which instance owns a device is read from Kafka: the assignment of the
 * device's frames partition in the rules' consumer group.
 *
 * <ul>
 *   <li>{@code kill -9} of the owner of devices whose threshold hold is running: the others raise
 *       after the hold with the same alert ids, the hold not started again; each centre has each
 *       transition (after dedupe by {@code event_id}); the dead owner's open transaction leaves
 *       nothing a {@code read_committed} reader sees twice. The killed node is started again: it
 *       rejoins, takes its share, and nothing is duplicated.
 *   <li>{@code SIGSTOP} of an owner past its session timeout: the other takes over and raises; the
 *       stopped one, continued, believes for a moment it still owns its devices (its hold has run
 *       out meanwhile) — whatever it writes then is fenced: each transition is once on the alerts
 *       topic and once in the store. It rejoins and processes partitions again.
 *   <li>One of three brokers stopped: every frame a device was acknowledged for reaches the
 *       readings topic and the store. Two stopped: HTTP 503, never 200. Started again: acks resume.
 * </ul>
 *
 * Each test has a crossing of its own (topics and groups); prints the figures it measures.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterFailoverIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant BASE = Instant.parse("2026-12-06T00:00:00Z");
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    /** The children's logs, kept after the run. */
    private static final Path LOGS = Path.of("target", "cluster-failover");

    @TempDir
    static Path shared;

    @RegisterExtension
    static final ClusterKafkaExtension kafka = new ClusterKafkaExtension();

    private static EmbeddedStore store;
    private static QuestDbClient sql;
    private static Path storeToken;
    private static Admin admin;

    @TempDir
    Path dir;

    private final List<Instance> children = new CopyOnWriteArrayList<>();
    private final List<Centre> centres = new ArrayList<>();
    private final List<Device> devices = new ArrayList<>();
    private ScheduledExecutorService fleet;

    @BeforeAll
    static void startServices() throws Exception {
        admin = kafka.cluster().admin();
        store = EmbeddedStore.start(shared.resolve("questdb"), "127.0.0.1", 0);
        sql = new QuestDbClient(store.url());
        // The tables as the embedded store makes them: a redelivered point overwrites its row.
        QuestDbSchema schema = new QuestDbSchema(sql);
        schema.ensure("vehicle_count", List.of("device"));
        schema.ensure("alert", List.of("device", "rule", "severity", "site", "state"));
        storeToken = shared.resolve("store.token");
        Files.writeString(storeToken, "questdb\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(storeToken, PosixFilePermissions.fromString("rw-------"));
    }

    @AfterAll
    static void stopServices() {
        if (admin != null) {
            admin.close();
        }
        if (store != null) {
            store.close();
        }
    }

    @AfterEach
    void stopEverything() throws Exception {
        if (fleet != null) {
            fleet.shutdownNow();
            fleet.awaitTermination(30, TimeUnit.SECONDS);
        }
        for (Instance c : children) {
            c.close();
        }
        for (Centre c : centres) {
            c.close();
        }
    }

    // ---------------------------------------------------------------------------------------
    // 1 and 4: kill -9 of an owner mid-hold; the killed node back

    @Test
    @Order(1)
    void killNineOfAnOwnerMidHoldRaisesOnTheOriginalIdsAndTheNodeComesBack() throws Exception {
        String crossing = "kill";
        long holdMs = 20_000;
        int partitions = 6;
        List<String> ids = onePerPartition("k", partitions);
        String first = ids.get(0);
        startCentres();
        for (String name : List.of("kill-a", "kill-b", "kill-c")) {
            children.add(new Instance(name, crossing, ids, holdMs / 1000 + "s", partitions));
        }
        long launched = System.currentTimeMillis();
        children.forEach(Instance::awaitReady);
        awaitMembers(crossing, 3, 6);
        assertTopicsAsConfigured(crossing, partitions);
        System.out.printf("cluster failover: 3 gateway JVMs started and sharing 6 partitions in %d ms%n",
                System.currentTimeMillis() - launched);

        // Every device over the level: each hold starts on the device's owner.
        startDevices(ids, 50, 300);
        long running = awaitThroughTheRules(crossing);
        Map<String, Set<Integer>> owners = assignment(crossing);
        String victimName = ownerOf(owners, first, partitions);
        Instance victim = child(victimName);
        List<String> victimDevices = ids.stream().filter(d -> victimName.equals(ownerOf(owners, d, partitions)))
                .toList();
        assertThat(victim.metric("limes_cluster_readings_out_total")).as("the owner processes its devices' frames")
                .isPositive();
        // Some seconds into the hold, measured by the device's own acknowledged frames.
        await("some seconds into the holds").atMost(Duration.ofSeconds(60))
                .until(() -> System.currentTimeMillis() - running >= 3_000);
        assertThat(allCentreAlerts()).as("nothing raised before the holds ran out").isEmpty();
        long killedAt = System.currentTimeMillis();
        victim.kill();
        await("the killed owner's partitions taken over").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200)).until(() -> {
                    Map<String, Set<Integer>> now = assignment(crossing);
                    return !now.containsKey(victimName) && now.values().stream().mapToInt(Set::size).sum() == partitions;
                });
        long takenOverAt = System.currentTimeMillis();

        await("every device raised at both centres").atMost(Duration.ofSeconds(90))
                .until(() -> centres.stream().allMatch(c -> c.devicesWith("raised").containsAll(ids)));
        long failoverMs = Long.MAX_VALUE;
        for (Centre c : centres) {
            for (String d : ids) {
                JsonNode raised = c.first(d, "raised").alert();
                assertThat(raised.path("alert_id").asText()).as("%s's episode began with its first frame", d)
                        .isEqualTo(crossing + "/queue/" + d + "/" + BASE.toEpochMilli());
                long firstSeen = Instant.parse(raised.path("first_seen").asText()).toEpochMilli();
                long raisedAt = Instant.parse(raised.path("raised_at").asText()).toEpochMilli();
                assertThat(raisedAt - firstSeen).as("%s's hold honoured", d).isGreaterThanOrEqualTo(holdMs);
                if (victimDevices.contains(d)) {
                    assertThat(raised.path("gateway").asText()).isNotEqualTo(victimName);
                    assertThat(firstSeen).as("%s's hold began on the owner that was killed", d).isLessThan(killedAt);
                    assertThat(raisedAt - killedAt).as("%s raised before a hold started again at the takeover "
                            + "could end", d).isLessThan(holdMs);
                    failoverMs = Math.min(failoverMs, c.first(d, "raised").arrivedAt() - killedAt);
                }
            }
        }
        System.out.printf("cluster failover: kill -9 of %s (owner of %s) %d ms into the hold; its partitions taken "
                + "over %d ms after the kill; first alert at a centre for its devices %d ms after the kill (hold %d ms)%n",
                victimName, victimDevices,
                killedAt - Instant.parse(centres.get(0).first(first, "raised").alert().path("first_seen").asText())
                        .toEpochMilli(), takenOverAt - killedAt, failoverMs, holdMs);

        // 4: the killed node back, with its config and data directory.
        long restartedAt = System.currentTimeMillis();
        victim.restart();
        victim.awaitReady();
        long readyAt = System.currentTimeMillis();
        await("the returned node owns partitions again").atMost(Duration.ofSeconds(90))
                .until(() -> assignment(crossing).getOrDefault(victimName, Set.of()).size() > 0
                        && victim.metric("limes_cluster_rules_partitions") > 0);
        System.out.printf("cluster failover: %s restarted -> serving in %d ms, owns partitions again %d ms later%n",
                victimName, readyAt - restartedAt, System.currentTimeMillis() - readyAt);
        devices.forEach(d -> d.cars = 5);
        await("every device cleared at both centres").atMost(Duration.ofSeconds(90))
                .until(() -> centres.stream().allMatch(c -> c.devicesWith("cleared").containsAll(ids)));
        await("the returned node processes its share").atMost(Duration.ofSeconds(30))
                .until(() -> victim.metric("limes_cluster_readings_out_total") > 0);
        stopDevices();
        awaitGaugesMatchAssignment(crossing);
        assertNothingLostNothingDuplicated(crossing, ids);
    }

    // ---------------------------------------------------------------------------------------
    // 2: SIGSTOP past the session timeout, SIGCONT

    @Test
    @Order(2)
    void anOwnerStoppedPastItsSessionTimeoutIsFencedWhenItResumesAndRejoins() throws Exception {
        String crossing = "stop";
        long holdMs = 15_000;
        List<String> ids = onePerPartition("s", 4);
        String first = ids.get(0);
        startCentres();
        for (String name : List.of("stop-a", "stop-b")) {
            children.add(new Instance(name, crossing, ids, holdMs / 1000 + "s", 4));
        }
        children.forEach(Instance::awaitReady);
        awaitMembers(crossing, 2, 4);
        assertTopicsAsConfigured(crossing, 4);
        startDevices(ids, 50, 300);
        long running = awaitThroughTheRules(crossing);
        await("some seconds into the holds").atMost(Duration.ofSeconds(60))
                .until(() -> System.currentTimeMillis() - running >= 3_000);
        Map<String, Set<Integer>> owners = assignment(crossing);
        String zombieName = ownerOf(owners, first, 4);
        Instance zombie = child(zombieName);
        Instance survivor = children.stream().filter(c -> c != zombie).findFirst().orElseThrow();
        List<String> zombieDevices = ids.stream().filter(d -> zombieName.equals(ownerOf(owners, d, 4))).toList();

        double zombieRaisedBefore = zombie.metric("limes_alerts_total", "state=\"raised\"");
        // Frozen: no heartbeat, no thread runs; devices reach the other instance.
        long stoppedAt = System.currentTimeMillis();
        zombie.suspend();
        await("the survivor owns every partition").atMost(Duration.ofSeconds(60)).until(() -> {
            Map<String, Set<Integer>> now = assignment(crossing);
            return now.getOrDefault(survivor.name(), Set.of()).size() == 4 && !now.containsKey(zombieName);
        });
        long takenOverAt = System.currentTimeMillis();
        await("every device raised at both centres").atMost(Duration.ofSeconds(60))
                .until(() -> centres.stream().allMatch(c -> c.devicesWith("raised").containsAll(ids)));
        for (String d : zombieDevices) {
            JsonNode raised = centres.get(0).first(d, "raised").alert();
            assertThat(raised.path("gateway").asText()).isEqualTo(survivor.name());
            assertThat(raised.path("alert_id").asText()).isEqualTo(crossing + "/queue/" + d + "/" + BASE.toEpochMilli());
            assertThat(Instant.parse(raised.path("first_seen").asText()).toEpochMilli()).isLessThan(stoppedAt);
        }

        // Continued after its devices' holds ran out: it still has their pending holds in memory.
        long resumedAt = System.currentTimeMillis();
        zombie.resume();
        await("the stopped instance rejoins and owns partitions").atMost(Duration.ofSeconds(90))
                .until(() -> assignment(crossing).getOrDefault(zombieName, Set.of()).size() > 0
                        && zombie.metric("limes_cluster_rules_partitions") > 0);
        long rejoinedAt = System.currentTimeMillis();
        double zombieOut = zombie.metric("limes_cluster_readings_out_total");
        await("and processes frames again").atMost(Duration.ofSeconds(60))
                .until(() -> zombie.metric("limes_cluster_readings_out_total") > zombieOut);
        double zombieRaisedAfter = zombie.metric("limes_alerts_total", "state=\"raised\"");
        devices.forEach(d -> d.cars = 5);
        await("every device cleared at both centres").atMost(Duration.ofSeconds(90))
                .until(() -> centres.stream().allMatch(c -> c.devicesWith("cleared").containsAll(ids)));
        stopDevices();
        awaitGaugesMatchAssignment(crossing);

        List<ConsumerRecord<byte[], byte[]>> everything = readAll("limes." + crossing + ".alerts", false);
        long zombieAborted = everything.stream().filter(r -> instance(r).equals(zombieName))
                .filter(r -> alert(r).path("state").asText().equals("raised")).count();
        System.out.printf("cluster failover: %s stopped (SIGSTOP) -> %s owns every partition %d ms later; resumed "
                + "%d ms after the stop, rejoined %d ms after; %s raised %d time(s) on resuming (its transitions on the "
                + "alerts topic, committed or aborted: %d raised)%n", zombieName, survivor.name(),
                takenOverAt - stoppedAt, resumedAt - stoppedAt, rejoinedAt - resumedAt, zombieName,
                (long) (zombieRaisedAfter - zombieRaisedBefore), zombieAborted);
        assertNothingLostNothingDuplicated(crossing, ids);
    }

    // ---------------------------------------------------------------------------------------
    // 3: brokers stopped under running rules

    @Test
    @Order(3)
    void oneBrokerDownLosesNothingAcknowledgedTwoDownRefusesAndAcksResume() throws Exception {
        String crossing = "brokers";
        List<String> ids = List.of("b-01", "b-02", "b-03");
        startCentres();
        for (String name : List.of("brokers-a", "brokers-b")) {
            children.add(new Instance(name, crossing, ids, "0s", 4));
        }
        children.forEach(Instance::awaitReady);
        awaitMembers(crossing, 2, 4);
        assertTopicsAsConfigured(crossing, 4);
        startDevices(ids, 10, 200);
        await("frames acknowledged").atMost(Duration.ofSeconds(60))
                .until(() -> devices.stream().allMatch(d -> d.acked.size() >= 5));
        List<Integer> brokers = new ArrayList<>(kafka.cluster().brokerIds());
        List<Integer> stopped = new ArrayList<>();
        // The broker logs an ERROR per append refused for a short ISR: tens of thousands while two are down.
        ch.qos.logback.classic.Logger appends = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(
                "kafka.server.ReplicaManager");
        Level appendsLevel = appends.getLevel();
        appends.setLevel(Level.OFF);
        try {
            kafka.cluster().stopBroker(brokers.get(0));
            stopped.add(brokers.get(0));
            Map<String, Integer> before = acks();
            await("acknowledged on with one broker of three down").atMost(Duration.ofSeconds(60))
                    .until(() -> devices.stream().allMatch(d -> d.acked.size() >= before.get(d.id) + 5));

            kafka.cluster().stopBroker(brokers.get(1));
            stopped.add(brokers.get(1));
            long twoDownAt = System.currentTimeMillis();
            await("devices refused with two brokers of three down").atMost(Duration.ofSeconds(60))
                    .until(() -> devices.stream().allMatch(d -> d.answersSince(twoDownAt, 503) >= 2));
            long restartingAt = System.currentTimeMillis();
            for (Device d : devices) {
                assertThat(d.answers).as("%s: no acknowledgement while one broker of three is up", d.id)
                        .noneMatch(a -> a[0] >= twoDownAt && a[0] < restartingAt && a[1] == 200);
            }
            kafka.cluster().restartBroker(brokers.get(0));
            kafka.cluster().restartBroker(brokers.get(1));
            stopped.clear();
            await("acknowledged again").atMost(Duration.ofSeconds(90))
                    .until(() -> devices.stream().allMatch(d -> d.answersSince(restartingAt, 200) >= 1));
            long resumed = devices.stream().mapToLong(d -> d.firstSince(restartingAt, 200)).max().orElseThrow();
            System.out.printf("cluster failover: two of three brokers down -> every device refused (503), %d refusals; "
                    + "brokers restarted -> every device acknowledged again within %d ms%n",
                    devices.stream().mapToLong(d -> d.answersSince(twoDownAt, 503)).sum(), resumed - restartingAt);
        } finally {
            for (int id : stopped) {
                kafka.cluster().restartBroker(id);
            }
            appends.setLevel(appendsLevel);
        }
        Map<String, Integer> after = acks();
        await("acknowledged on").atMost(Duration.ofSeconds(60))
                .until(() -> devices.stream().allMatch(d -> d.acked.size() >= after.get(d.id) + 3));
        stopDevices();
        assertNothingLostNothingDuplicated(crossing, ids);
    }

    // ---------------------------------------------------------------------------------------
    // What every test ends with

    /**
     * Every acknowledged frame's reading is on the readings topic ({@code read_committed}) and in
     * the store; a frame sent once is there once, a frame sent again (no answer, a refusal) at most
     * as often as it was sent; each transition is on the alerts topic exactly once, at each centre
     * at least once, and in the store once.
     */
    private void assertNothingLostNothingDuplicated(String crossing, List<String> ids) throws Exception {
        Map<String, Map<Integer, Integer>> readings = new TreeMap<>();
        await("every acknowledged frame's reading on the readings topic").atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofSeconds(1)).until(() -> {
                    readings.clear();
                    readings.putAll(readingsByFrame(readAll("limes." + crossing + ".readings", true)));
                    return devices.stream().allMatch(d -> readings.getOrDefault(d.id, Map.of()).keySet()
                            .containsAll(d.acked.keySet()));
                });
        int copies = 0;
        for (Device d : devices) {
            Map<Integer, Integer> mine = readings.get(d.id);
            for (Map.Entry<Integer, Integer> e : mine.entrySet()) {
                int sent = d.reached.getOrDefault(e.getKey(), 0);
                assertThat(e.getValue()).as("%s frame %d: readings on the topic, sent %d time(s)", d.id, e.getKey(),
                        sent).isBetween(1, Math.max(1, sent));
                copies += e.getValue() - 1;
            }
        }
        long aborted = readAll("limes." + crossing + ".readings", false).size()
                - readings.values().stream().flatMap(m -> m.values().stream()).mapToLong(Integer::intValue).sum();

        List<ConsumerRecord<byte[], byte[]>> alerts = readAll("limes." + crossing + ".alerts", true);
        Map<String, Long> perEvent = alerts.stream().collect(Collectors.groupingBy(r -> alert(r).path("event_id")
                .asText(), TreeMap::new, Collectors.counting()));
        assertThat(perEvent.values()).as("each transition once on the alerts topic (read_committed): %s", perEvent)
                .allMatch(n -> n == 1);
        Set<String> events = perEvent.keySet();
        for (Centre c : centres) {
            assertThat(c.eventIds()).as("%s: the transitions, after dedupe by event_id", c.name).isEqualTo(events);
        }

        await("every acknowledged frame stored once").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            for (Device d : devices) {
                List<Integer> stored = storedFrames(d.id);
                assertThat(stored).as("%s: stored rows are distinct frames", d.id).doesNotHaveDuplicates();
                assertThat(stored).as("%s: every acknowledged frame stored", d.id).containsAll(d.acked.keySet());
                assertThat(d.reached.keySet()).as("%s: only frames sent", d.id).containsAll(stored);
            }
            assertThat(storedAlerts(ids)).as("each transition stored once").isEqualTo(events.size());
        });
        long centreCopies = centres.stream().mapToLong(c -> c.received.size() - c.eventIds().size()).sum();
        System.out.printf("cluster failover [%s]: %d frames acknowledged, %d sent again (copies on the readings topic: "
                + "%d), %d records of aborted transactions; %d transitions, once each on the alerts topic and in the "
                + "store; at the centres %d copies absorbed by event_id%n", crossing,
                devices.stream().mapToInt(d -> d.acked.size()).sum(),
                devices.stream().mapToLong(d -> d.reached.values().stream().filter(n -> n > 1).count()).sum(), copies,
                aborted, events.size(), centreCopies);
    }

    // ---------------------------------------------------------------------------------------
    // Gateways, centres, devices

    private String config(String crossing, String name, List<String> ids, String hold, int partitions, int adminPort,
            int ingestPort) {
        StringBuilder inventory = new StringBuilder();
        for (String id : ids) {
            inventory.append("    - {id: ").append(id).append(", site: ras-ajdir, class: counter, lane: \"1\"}\n");
        }
        StringBuilder centreList = new StringBuilder();
        for (Centre c : centres) {
            centreList.append("  - {name: ").append(c.name).append(", type: webhook, url: \"").append(c.url())
                    .append("\", allow_insecure_http: true, retry_initial_ms: 50, retry_max_ms: 500}\n");
        }
        return "name: " + name + "\n"
                + "data_dir: \"" + dir.resolve(name).toAbsolutePath() + "\"\n"
                // No MQTT here (devices post over HTTP): a broker never connected to, so no embedded one starts.
                + "mqtt: {broker: \"tcp://127.0.0.1:1\"}\n"
                + "store: {kind: influxdb, url: \"" + store.url() + "\", org: limes, bucket: limes, token_file: \""
                + storeToken.toAbsolutePath() + "\", retry_initial_ms: 50, retry_max_ms: 1000}\n"
                + "admin: {host: 127.0.0.1, port: " + adminPort + "}\n"
                + "sources:\n"
                + "  - {type: http, name: ingest, host: 127.0.0.1, port: " + ingestPort
                + ", drivers: [{driver: counter-json}]}\n"
                + "inventory:\n"
                + "  devices:\n" + inventory
                + "rules:\n"
                + "  - {id: queue, type: threshold, kind: vehicle_count, field: count_total, raise_above: 40,\n"
                + "     clear_below: 20, for: " + hold + ", clear_for: 0s}\n"
                + "centres:\n" + centreList
                + "outbox: {max_bytes: 67108864, segment_bytes: 1048576, sync_interval_ms: 5}\n"
                + kafka.clusterSection(crossing, partitions, "produce_timeout_ms: 4000", "session_timeout_ms: 6000",
                        "transaction_timeout_ms: 5000");
    }

    private void startCentres() throws IOException {
        centres.add(new Centre("tripoli"));
        centres.add(new Centre("benghazi"));
    }

    private List<JsonNode> allCentreAlerts() {
        return centres.stream().flatMap(c -> c.received.stream()).map(Centre.Received::alert).toList();
    }

    private Instance child(String name) {
        return children.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow(
                () -> new AssertionError("no gateway " + name));
    }

    private Map<String, Integer> acks() {
        Map<String, Integer> out = new HashMap<>();
        devices.forEach(d -> out.put(d.id, d.acked.size()));
        return out;
    }

    private void startDevices(List<String> ids, int cars, long periodMs) {
        fleet = Executors.newScheduledThreadPool(ids.size());
        for (String id : ids) {
            Device d = new Device(id, cars);
            devices.add(d);
            fleet.scheduleWithFixedDelay(d::step, 0, periodMs, TimeUnit.MILLISECONDS);
        }
    }

    /** Stops the devices after the frame each is sending. */
    private void stopDevices() throws InterruptedException {
        fleet.shutdown();
        assertThat(fleet.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }

    /** A counter frame of {@code device} at device time {@link #BASE} + {@code n} s. */
    private static String frame(String device, int n, int cars) {
        return "{\"device\":\"" + device + "\",\"time\":\"" + BASE.plusSeconds(n) + "\",\"lane\":\"1\","
                + "\"direction\":\"inbound\",\"interval_s\":60,\"counts\":{\"car\":" + cars + ",\"truck\":0}}";
    }

    /**
     * A device: sends its frames in order, each until an instance acknowledges it (HTTP 200), to
     * the instances in turn — any instance accepts any device; a killed one refuses the
     * connection and the next is tried, a suspended one is left out (a real device would time
     * out on it). Counts, per frame, the sends that may have reached the cluster.
     */
    private final class Device {
        final String id;
        volatile int cars;
        final Map<Integer, Integer> reached = new ConcurrentHashMap<>();
        final Map<Integer, Long> acked = new ConcurrentHashMap<>();
        /** {sent at ms, HTTP status or -1 for no answer}, in order. */
        final List<long[]> answers = new CopyOnWriteArrayList<>();
        private int next;
        private String pending;
        private int turn;

        Device(String id, int cars) {
            this.id = id;
            this.cars = cars;
        }

        void step() {
            try {
                send();
            } catch (RuntimeException e) {
                // A scheduled task that throws is never run again: a device goes on.
                answers.add(new long[] {System.currentTimeMillis(), -2});
            }
        }

        private void send() {
            List<Instance> serving = children.stream().filter(Instance::serving).toList();
            if (serving.isEmpty()) {
                return;
            }
            Instance to = serving.get(Math.floorMod(turn++, serving.size()));
            if (pending == null) {
                pending = frame(id, next, cars);
            }
            int n = next;
            long sentAt = System.currentTimeMillis();
            int status;
            try {
                status = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + to.ingestPort()
                        + "/ingest/counter-json")).timeout(Duration.ofSeconds(10))
                        .POST(HttpRequest.BodyPublishers.ofString(pending)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (ConnectException e) {
                return;
            } catch (IOException e) {
                status = -1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            reached.merge(n, 1, Integer::sum);
            answers.add(new long[] {sentAt, status});
            if (status == 200) {
                acked.put(n, System.currentTimeMillis());
                next++;
                pending = null;
            }
        }

        long answersSince(long ms, int status) {
            return answers.stream().filter(a -> a[0] >= ms && a[1] == status).count();
        }

        long firstSince(long ms, int status) {
            return answers.stream().filter(a -> a[0] >= ms && a[1] == status).mapToLong(a -> a[0]).min()
                    .orElse(Long.MAX_VALUE);
        }
    }

    /**
     * One cluster-mode gateway of a test as a child JVM ({@link GatewayChild}: the shaded jar,
     * killed in {@code @AfterEach} even when frozen): its config with ports chosen here, its log
     * per start under {@code target/cluster-failover/}, whether devices can reach it, its meters.
     */
    private final class Instance implements AutoCloseable {
        private final String name;
        private final Path config;
        private final int adminPort;
        private final int ingestPort;
        private GatewayChild child;
        private int starts;
        private volatile boolean up;
        private volatile boolean frozen;

        Instance(String name, String crossing, List<String> ids, String hold, int partitions) throws IOException {
            this.name = name;
            this.adminPort = GatewayChild.freePort();
            int ingest = GatewayChild.freePort();
            while (ingest == adminPort) {
                ingest = GatewayChild.freePort();
            }
            this.ingestPort = ingest;
            this.config = dir.resolve(name + ".yml");
            Files.writeString(config, config(crossing, name, ids, hold, partitions, adminPort, ingestPort),
                    StandardCharsets.UTF_8);
            start();
        }

        /** Starts the child (again, after {@link #kill}: same config, same data directory); returns at once. */
        void start() throws IOException {
            Files.createDirectories(LOGS);
            child = GatewayChild.start(config, LOGS.resolve(name + "-" + ++starts + ".log"));
        }

        void restart() throws IOException {
            start();
        }

        /** Waits until its admin API answers {@code /health} (the sources listen by then). */
        void awaitReady() {
            child.awaitHealthy(adminPort);
            up = true;
        }

        String name() {
            return name;
        }

        int ingestPort() {
            return ingestPort;
        }

        /** Started, alive and not frozen: a device can reach it. */
        boolean serving() {
            return up && child.isAlive() && !frozen;
        }

        /** {@code kill -9}. */
        void kill() throws InterruptedException {
            up = false;
            child.kill();
        }

        /** {@code kill -STOP}: no heartbeat, no thread runs. */
        void suspend() throws IOException, InterruptedException {
            frozen = true;
            child.freeze();
        }

        /** {@code kill -CONT}. */
        void resume() throws IOException, InterruptedException {
            child.thaw();
            frozen = false;
        }

        /**
         * The sum of a meter's samples on {@code /metrics} (Prometheus name) whose labels include
         * each {@code key="value"} given.
         */
        double metric(String prometheusName, String... labels) throws IOException, InterruptedException {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort
                    + "/metrics")).timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as("%s GET /metrics", name).isEqualTo(200);
            double sum = 0;
            for (String line : r.body().split("\n")) {
                if (line.startsWith(prometheusName + " ") || line.startsWith(prometheusName + "{")) {
                    boolean match = true;
                    for (String label : labels) {
                        match &= line.contains(label);
                    }
                    if (match) {
                        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                    }
                }
            }
            return sum;
        }

        @Override
        public void close() throws InterruptedException {
            if (child != null) {
                child.close();
            }
        }
    }

    /** A recording centre: a real HTTP server behind a webhook centre; records each alert and when it came. */
    private static final class Centre implements AutoCloseable {
        record Received(JsonNode alert, long arrivedAt) {
        }

        final String name;
        final HttpServer server;
        final List<Received> received = new CopyOnWriteArrayList<>();

        Centre(String name) throws IOException {
            this.name = name;
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
            server.createContext("/alerts", this::record);
            server.start();
        }

        private void record(HttpExchange ex) throws IOException {
            received.add(new Received(JSON.readTree(ex.getRequestBody().readAllBytes()), System.currentTimeMillis()));
            ex.sendResponseHeaders(204, -1);
            ex.close();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/alerts";
        }

        Set<String> devicesWith(String state) {
            return received.stream().filter(r -> r.alert().path("state").asText().equals(state))
                    .map(r -> r.alert().path("device").asText()).collect(Collectors.toSet());
        }

        Received first(String device, String state) {
            return received.stream().filter(r -> r.alert().path("device").asText().equals(device)
                    && r.alert().path("state").asText().equals(state)).findFirst().orElseThrow();
        }

        Set<String> eventIds() {
            return received.stream().map(r -> r.alert().path("event_id").asText())
                    .collect(Collectors.toCollection(TreeSet::new));
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    // ---------------------------------------------------------------------------------------
    // Kafka and the store, read from outside

    /** Frames partitions by instance, from the rules' consumer group (Streams' active tasks). */
    private static Map<String, Set<Integer>> assignment(String crossing) throws Exception {
        String group = "limes-" + crossing + "-rules";
        ConsumerGroupDescription g = admin.describeConsumerGroups(List.of(group)).all().get(10, TimeUnit.SECONDS)
                .get(group);
        Map<String, Set<Integer>> out = new HashMap<>();
        String prefix = "limes-" + crossing + "-";
        for (MemberDescription m : g.members()) {
            String client = m.clientId();
            int end = client.indexOf("-rules", prefix.length());
            if (!client.startsWith(prefix) || end < 0) {
                continue;
            }
            String instance = client.substring(prefix.length(), end);
            for (TopicPartition tp : m.assignment().topicPartitions()) {
                if (tp.topic().equals("limes." + crossing + ".frames")) {
                    out.computeIfAbsent(instance, k -> new TreeSet<>()).add(tp.partition());
                }
            }
        }
        return out;
    }

    /**
     * The crossing's topics as the config says — frames, readings and alerts with its partitions,
     * three copies and {@code min.insync.replicas} 2 — not as a broker that creates topics on
     * first use would make them (its defaults: one partition, one copy).
     */
    private static void assertTopicsAsConfigured(String crossing, int partitions) throws Exception {
        List<String> topics = List.of("limes." + crossing + ".frames", "limes." + crossing + ".readings",
                "limes." + crossing + ".alerts");
        Map<String, TopicDescription> described = admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS);
        Map<ConfigResource, Config> configs = admin.describeConfigs(topics.stream()
                .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList()).all().get(10, TimeUnit.SECONDS);
        for (String t : topics) {
            assertThat(described.get(t).partitions()).as("%s partitions", t).hasSize(partitions)
                    .allSatisfy(p -> assertThat(p.replicas()).as("%s partition %d copies", t, p.partition()).hasSize(3));
            assertThat(configs.get(new ConfigResource(ConfigResource.Type.TOPIC, t)).get("min.insync.replicas").value())
                    .as("%s min.insync.replicas", t).isEqualTo("2");
        }
    }

    /** Device ids {@code <prefix>-01}, … one on each frames partition (in partition order). */
    private static List<String> onePerPartition(String prefix, int partitions) {
        Map<Integer, String> byPartition = new TreeMap<>();
        for (int i = 1; byPartition.size() < partitions; i++) {
            String id = prefix + "-%02d".formatted(i);
            byPartition.putIfAbsent(RulesProcessor.partitionOf(id, partitions), id);
        }
        return List.copyOf(byPartition.values());
    }

    private static String ownerOf(Map<String, Set<Integer>> assignment, String device, int partitions) {
        int p = RulesProcessor.partitionOf(device, partitions);
        return assignment.entrySet().stream().filter(e -> e.getValue().contains(p)).map(Map.Entry::getKey).findFirst()
                .orElseThrow(() -> new AssertionError("partition " + p + " of " + device + " unassigned: " + assignment));
    }

    /** Waits until {@code members} instances share all {@code partitions}, each with some. */
    private void awaitMembers(String crossing, int members, int partitions) {
        await("the rules' partitions shared by " + members + " instances").atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(500)).until(() -> {
                    Map<String, Set<Integer>> a = assignment(crossing);
                    return a.size() == members && a.values().stream().allMatch(s -> !s.isEmpty())
                            && a.values().stream().mapToInt(Set::size).sum() == partitions;
                });
    }

    /**
     * Waits until every device's first frame went through the rules — its reading committed to
     * the readings topic by the device's owner, so its hold runs there — and returns when.
     */
    private long awaitThroughTheRules(String crossing) {
        await("every device's first frame through its owner's rules").atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500)).until(() -> {
                    Map<String, Map<Integer, Integer>> out = readingsByFrame(readAll("limes." + crossing + ".readings",
                            true));
                    return devices.stream().allMatch(d -> out.getOrDefault(d.id, Map.of()).containsKey(0));
                });
        return System.currentTimeMillis();
    }

    /**
     * Waits until each running instance's {@code limes.cluster.rules.partitions} says what the
     * group says it owns: a task lost to a takeover is not counted on as the instance's.
     */
    private void awaitGaugesMatchAssignment(String crossing) {
        await("each instance's partitions gauge as the group assigns").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                    Map<String, Set<Integer>> a = assignment(crossing);
                    for (Instance c : children) {
                        if (c.serving()) {
                            assertThat(c.metric("limes_cluster_rules_partitions")).as(c.name())
                                    .isEqualTo(a.getOrDefault(c.name(), Set.of()).size());
                        }
                    }
                });
    }

    /** Every record of a topic up to its end (for {@code read_committed}, the last stable offset). */
    private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic, boolean committed) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, committed ? "read_committed" : "read_uncommitted");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (parts.stream().anyMatch(tp -> consumer.position(tp, Duration.ofSeconds(30)) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(topic + " not read to its end in 60 s");
                }
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    /** Readings on the readings topic per device and frame number (from the line's timestamp). */
    private static Map<String, Map<Integer, Integer>> readingsByFrame(List<ConsumerRecord<byte[], byte[]>> records) {
        Map<String, Map<Integer, Integer>> out = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            String line = new String(r.value(), StandardCharsets.UTF_8).strip();
            long ns = Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
            int n = (int) ((ns / 1_000_000 - BASE.toEpochMilli()) / 1000);
            out.computeIfAbsent(new String(r.key(), StandardCharsets.UTF_8), k -> new TreeMap<>())
                    .merge(n, 1, Integer::sum);
        }
        return out;
    }

    private static JsonNode alert(ConsumerRecord<byte[], byte[]> r) {
        try {
            return JSON.readTree(r.value());
        } catch (IOException e) {
            throw new AssertionError("unreadable alert record", e);
        }
    }

    private static String instance(ConsumerRecord<byte[], byte[]> r) {
        var h = r.headers().lastHeader(RulesProcessor.INSTANCE_HEADER);
        return h == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** The frame numbers of a device's stored rows, one per row. */
    private static List<Integer> storedFrames(String device) throws IOException {
        JsonNode rows = sql.exec("SELECT timestamp FROM vehicle_count WHERE device = '" + device + "'")
                .path("dataset");
        List<Integer> out = new ArrayList<>();
        for (JsonNode row : rows) {
            long ms = Instant.parse(row.path(0).asText()).toEpochMilli();
            out.add((int) ((ms - BASE.toEpochMilli()) / 1000));
        }
        return out;
    }

    private static long storedAlerts(List<String> devices) throws IOException {
        String in = devices.stream().map(d -> "'" + d + "'").collect(Collectors.joining(","));
        return sql.exec("SELECT count() FROM alert WHERE device IN (" + in + ")").path("dataset").path(0).path(0)
                .asLong();
    }
}
