package org.limes.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.drivers.Driver;
import org.limes.drivers.DriverOptions;
import org.limes.drivers.Drivers;
import org.limes.drivers.Reading;
import org.limes.gateway.config.ConfigLoader;
import org.limes.gateway.embedded.EmbeddedBroker;
import org.limes.gateway.embedded.EmbeddedStore;
import org.limes.gateway.embedded.QuestDbClient;
import org.limes.gateway.embedded.QuestDbSchema;
import org.limes.simulator.chaos.ChaosPhase;
import org.limes.simulator.chaos.ChaosProxy;
import org.limes.simulator.load.CounterFleet;
import org.limes.simulator.load.FleetResult;
import org.limes.simulator.load.ProgressListener;

/**
 * The delivery fault suite, on real services: a centre down while the other keeps
 * receiving, the store stopped while readings flow, the device broker restarted
 * mid-stream, the outbox's disk full, the store behind a slow (rate-limited) link. Each asserts that everything acknowledged upstream
 * reaches its destinations, with no duplicate rows and alerts in order per subject.
 * (A gateway killed mid-batch is {@link GatewayCrashIT}.)
 */
class FaultSuiteIT {

    private static final List<String> DEVICES = List.of("cnt-01", "cnt-02", "cnt-03", "cnt-04");
    private static final List<String> TAGS = List.of("device", "site", "lane", "direction", "device_class", "lat",
            "lon");

    @TempDir
    Path dir;

    private final Deque<AutoCloseable> cleanup = new ArrayDeque<>();
    private final Driver counterJson = Drivers.load().create("counter-json", DriverOptions.empty());
    private final Map<String, Instant> lastTime = new HashMap<>();
    private PrometheusMeterRegistry registry;

    @AfterEach
    void stopAll() throws Exception {
        while (!cleanup.isEmpty()) {
            cleanup.pop().close();
        }
    }

    @Test
    void oneCentreDownNeverDelaysTheOtherAndCatchesUpInOrder() throws Exception {
        EmbeddedBroker devices = track(EmbeddedBroker.start(dir.resolve("broker-a"), "127.0.0.1", 0));
        int benghaziPort = freePort();
        Path benghaziData = dir.resolve("broker-b");
        EmbeddedBroker benghaziBroker = EmbeddedBroker.start(benghaziData, "127.0.0.1", benghaziPort);
        String benghaziUri = benghaziBroker.uri();
        Gateway gateway = startGateway("broker: " + devices.uri(), "kind: embedded\n  http_port: 0", """
                  - name: tripoli
                    topic: test/centre/tripoli
                  - name: benghazi
                    broker: %s
                    topic: test/centre/benghazi
                """.formatted(benghaziUri));
        CentreRecorder tripoli = track(new CentreRecorder(devices.uri(), "test/centre/tripoli", "rec-tripoli"));
        CentreRecorder benghazi = new CentreRecorder(benghaziUri, "test/centre/benghazi", "rec-benghazi");
        MqttAsyncClient publisher = publisher(devices.uri());

        List<String> expected = new ArrayList<>(surgeEpisodes(publisher, 2));
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            assertThat(tripoli.distinctEventIds()).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(benghazi.distinctEventIds()).containsExactlyInAnyOrderElementsOf(expected);
        });
        List<Long> bothUp = latencies(tripoli.received());

        benghazi.close();
        benghaziBroker.close();
        int before = tripoli.received().size();
        expected.addAll(surgeEpisodes(publisher, 2));
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
                assertThat(tripoli.distinctEventIds()).containsExactlyInAnyOrderElementsOf(expected));
        List<Long> oneDown = latencies(tripoli.received().subList(before, tripoli.received().size()));
        assertThat(gateway.outboxes().get("benghazi").depth()).as("benghazi's alerts wait in its outbox")
                .isPositive();

        EmbeddedBroker restarted = track(EmbeddedBroker.start(benghaziData, "127.0.0.1", benghaziPort));
        CentreRecorder benghaziAgain = track(new CentreRecorder(restarted.uri(), "test/centre/benghazi",
                "rec-benghazi"));
        await().atMost(Duration.ofMinutes(3)).untilAsserted(() -> {
            List<String> all = new ArrayList<>(benghazi.distinctEventIds());
            benghaziAgain.distinctEventIds().stream().filter(id -> !all.contains(id)).forEach(all::add);
            assertThat(all).containsExactlyInAnyOrderElementsOf(expected);
        });
        assertInOrderPerDevice(tripoli.eventIdsByDevice(), expected);
        Map<String, List<String>> benghaziByDevice = new HashMap<>(benghazi.eventIdsByDevice());
        benghaziAgain.eventIdsByDevice().forEach((d, ids) -> benghaziByDevice.merge(d, ids, (a, b) -> {
            List<String> merged = new ArrayList<>(a);
            b.stream().filter(id -> !merged.contains(id)).forEach(merged::add);
            return merged;
        }));
        assertInOrderPerDevice(benghaziByDevice, expected);
        System.out.printf("alert latency to tripoli, ms: both centres up p50 %d max %d; benghazi down p50 %d max %d%n",
                percentile(bothUp, 50), percentile(bothUp, 100), percentile(oneDown, 50), percentile(oneDown, 100));
    }

    @Test
    void storeStoppedWhileReadingsFlowLosesAndDuplicatesNothing() throws Exception {
        EmbeddedBroker devices = track(EmbeddedBroker.start(dir.resolve("broker"), "127.0.0.1", 0));
        int storePort = freePort();
        Path storeRoot = dir.resolve("questdb");
        EmbeddedStore store = EmbeddedStore.start(storeRoot, "127.0.0.1", storePort);
        new QuestDbSchema(new QuestDbClient(store.url())).ensure("vehicle_count", TAGS);
        Path token = Files.writeString(dir.resolve("token"), "t");
        Gateway gateway = startGateway("broker: " + devices.uri(), "kind: influxdb\n  url: " + store.url()
                + "\n  org: limes\n  token_file: " + token + "\n  retry_initial_ms: 100\n  retry_max_ms: 1000",
                "  - name: tripoli\n    topic: test/centre/tripoli\n");
        QuestDbClient sql = new QuestDbClient(store.url());

        CompletableFuture<FleetResult> fleet = runFleet(devices.uri(), 200, Duration.ofSeconds(10));
        await().atMost(Duration.ofSeconds(90)).until(() -> sql.count("vehicle_count") > 100);
        store.close();
        await().atMost(Duration.ofSeconds(90)).until(() -> gateway.outboxes().get("store").depth() > 300);
        assertThat(failures("sink-store")).isPositive();

        EmbeddedStore restarted = track(EmbeddedStore.start(storeRoot, "127.0.0.1", storePort));
        FleetResult sent = fleet.get(3, TimeUnit.MINUTES);
        assertThat(sent.acknowledged()).isEqualTo(sent.sent());
        QuestDbClient again = new QuestDbClient(restarted.url());
        await().atMost(Duration.ofMinutes(4)).untilAsserted(() ->
                assertThat(again.count("vehicle_count")).isEqualTo(sent.sent()));
        assertThat(distinctPoints(again)).isEqualTo(sent.sent());
        await().atMost(Duration.ofSeconds(60)).until(() -> gateway.outboxes().get("store").depth() == 0);
    }

    @Test
    void deviceBrokerRestartedMidStreamLosesNothingItAcknowledged() throws Exception {
        int brokerPort = freePort();
        Path brokerData = dir.resolve("broker");
        EmbeddedBroker broker = EmbeddedBroker.start(brokerData, "127.0.0.1", brokerPort);
        String uri = broker.uri();
        Gateway gateway = startGateway("broker: " + uri, "kind: embedded\n  http_port: 0",
                "  - name: tripoli\n    topic: test/centre/tripoli\n");
        QuestDbClient sql = new QuestDbClient(gateway.storeUrl());

        CompletableFuture<FleetResult> fleet = runFleet(uri, 150, Duration.ofSeconds(12));
        await().atMost(Duration.ofSeconds(90)).until(() -> sql.count("vehicle_count") > 200);
        broker.close();
        EmbeddedBroker restarted = track(EmbeddedBroker.start(brokerData, "127.0.0.1", brokerPort));
        assertThat(restarted.uri()).isEqualTo(uri);
        FleetResult sent = fleet.get(4, TimeUnit.MINUTES);

        // Every message the broker acknowledged is stored; a few it took in but could not acknowledge
        // before it stopped may be stored too (at-least-once), never more than were sent.
        await().atMost(Duration.ofMinutes(4)).untilAsserted(() ->
                assertThat(sql.count("vehicle_count")).isGreaterThanOrEqualTo(sent.acknowledged()));
        assertThat(sql.count("vehicle_count")).isLessThanOrEqualTo(sent.sent());
        assertThat(distinctPoints(sql)).isEqualTo(sql.count("vehicle_count"));
        assertThat(sent.acknowledged()).isGreaterThan(200);
    }

    @Test
    void fullDiskStopsAcknowledgingAndRecoversWhenSpaceReturns() throws Exception {
        Path small = dir.resolve("small-disk");
        Files.createDirectories(small);
        Assumptions.assumeTrue(mountTmpfs(small, "6m"), "needs root to mount a small tmpfs");
        cleanup.push(() -> new ProcessBuilder("umount", "-l", small.toString()).start().waitFor());
        EmbeddedBroker devices = track(EmbeddedBroker.start(dir.resolve("broker"), "127.0.0.1", 0));
        int storePort = freePort();
        Path storeRoot = dir.resolve("questdb");
        EmbeddedStore store = EmbeddedStore.start(storeRoot, "127.0.0.1", storePort);
        new QuestDbSchema(new QuestDbClient(store.url())).ensure("vehicle_count", TAGS);
        Path token = Files.writeString(dir.resolve("token"), "t");
        String yaml = TestConfigs.gateway(small.resolve("gw"), "broker: " + devices.uri(), "kind: influxdb\n  url: "
                + store.url() + "\n  org: limes\n  token_file: " + token + "\n  retry_initial_ms: 100\n"
                + "  retry_max_ms: 1000", 0, "  - name: tripoli\n    topic: test/centre/tripoli\n")
                .replace("max_bytes: 67108864\n  segment_bytes: 1048576", "max_bytes: 67108864\n  segment_bytes: 262144");
        Gateway gateway = startGatewayYaml(yaml);
        Path filler = small.resolve("filler");
        long free = Files.getFileStore(small).getUsableSpace();
        Files.write(filler, new byte[(int) Math.max(0, free - (128 << 10))]);

        store.close();
        CompletableFuture<FleetResult> fleet = runFleet(devices.uri(), 400, Duration.ofSeconds(15));
        await().atMost(Duration.ofSeconds(60)).until(() -> failures("outbox") > 0);
        // Nothing is acknowledged to the broker that is not on disk: acknowledgements stall (for as long
        // as the disk stays full), and the broker stops sending at its in-flight window, so memory stays
        // bounded.
        await().atMost(Duration.ofSeconds(60)).until(() ->
                counter("limes.frames.received") > counter("limes.frames.acknowledged"));
        double ackedWhenFull = counter("limes.frames.acknowledged");
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(counter("limes.frames.acknowledged"))
                        .as("received %s, acknowledged %s, durable %s, next %s, failures %s",
                                counter("limes.frames.received"), counter("limes.frames.acknowledged"),
                                gateway.outboxes().get("store").readings().durableSeq(),
                                gateway.outboxes().get("store").readings().nextSeq(), failures("outbox"))
                        .isEqualTo(ackedWhenFull));
        assertThat(gateway.outboxes().get("store").readings().durableSeq())
                .isLessThan(gateway.outboxes().get("store").readings().nextSeq());
        double processedWhenFull = counter("limes.readings.processed");

        Files.delete(filler);
        EmbeddedStore restarted = track(EmbeddedStore.start(storeRoot, "127.0.0.1", storePort));
        FleetResult sent = fleet.get(5, TimeUnit.MINUTES);
        QuestDbClient sql = new QuestDbClient(restarted.url());
        await().atMost(Duration.ofMinutes(5)).untilAsserted(() ->
                assertThat(sql.count("vehicle_count")).isEqualTo(sent.acknowledged()));
        assertThat(distinctPoints(sql)).isEqualTo(sent.acknowledged());
        assertThat(sent.acknowledged()).isEqualTo(sent.sent());
        assertThat(counter("limes.readings.processed")).isGreaterThan(processedWhenFull);
        await().atMost(Duration.ofSeconds(90)).until(() ->
                counter("limes.frames.acknowledged") == counter("limes.frames.received"));
        assertThat(gateway.sourcesReady()).isTrue();
    }

    @Test
    void aSlowStoreLinkNeverDelaysTheCentresAndCatchesUpWithNothingLost() throws Exception {
        EmbeddedBroker devices = track(EmbeddedBroker.start(dir.resolve("broker"), "127.0.0.1", 0));
        EmbeddedStore store = track(EmbeddedStore.start(dir.resolve("questdb"), "127.0.0.1", 0));
        QuestDbClient sql = new QuestDbClient(store.url());
        new QuestDbSchema(sql).ensure("vehicle_count", TAGS);
        // The store's link carries 4 KiB/s: a rate-limited line to a remote InfluxDB.
        ChaosProxy link = track(ChaosProxy.start("127.0.0.1", 0, "127.0.0.1", store.httpPort()));
        link.apply(new ChaosPhase("throttle", null, 0, 4_096));
        Path token = Files.writeString(dir.resolve("token"), "t");
        startGateway("broker: " + devices.uri(), "kind: influxdb\n  url: http://127.0.0.1:"
                + link.port() + "\n  org: limes\n  token_file: " + token,
                "  - name: tripoli\n    topic: test/centre/tripoli\n");
        CentreRecorder tripoli = track(new CentreRecorder(devices.uri(), "test/centre/tripoli", "rec-slow-store"));

        FleetResult sent = runFleet(devices.uri(), 100, Duration.ofSeconds(4)).get(3, TimeUnit.MINUTES);
        assertThat(sent.acknowledged()).isEqualTo(sent.sent());
        List<String> expected = surgeEpisodes(publisher(devices.uri()), 1);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(tripoli.distinctEventIds()).containsExactlyInAnyOrderElementsOf(expected));

        long readings = sent.acknowledged() + 2L * DEVICES.size();
        await().atMost(Duration.ofMinutes(4)).untilAsserted(() ->
                assertThat(sql.count("vehicle_count")).isEqualTo(readings));
        assertThat(distinctPoints(sql)).isEqualTo(readings);
        assertThat(tripoli.distinctEventIds()).containsExactlyInAnyOrderElementsOf(expected);
    }

    // ------------------------------------------------------------------ harness

    private Gateway startGateway(String mqtt, String store, String centres) throws Exception {
        return startGatewayYaml(TestConfigs.gateway(dir.resolve("gateway-data"), mqtt, store, 0, centres));
    }

    private Gateway startGatewayYaml(String yaml) throws Exception {
        Drivers drivers = Drivers.load();
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Gateway g = Gateway.start(new ConfigLoader(drivers).parse("fault.yml", yaml), drivers, registry,
                Clock.systemUTC());
        cleanup.push(g);
        await().atMost(Duration.ofSeconds(60)).until(g::sourcesReady);
        return g;
    }

    private <T extends AutoCloseable> T track(T closeable) {
        cleanup.push(closeable);
        return closeable;
    }

    private MqttAsyncClient publisher(String uri) throws Exception {
        MqttAsyncClient c = new MqttAsyncClient(uri, "fault-publisher", new MemoryPersistence());
        c.connect(new MqttConnectionOptions()).waitForCompletion(10_000);
        cleanup.push(() -> {
            c.disconnect().waitForCompletion(5_000);
            c.close(true);
        });
        return c;
    }

    /** Publishes, per device, {@code rounds} raise/clear episodes; returns the event ids they must produce. */
    private List<String> surgeEpisodes(MqttAsyncClient publisher, int rounds) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            for (String device : DEVICES) {
                Instant raisedAt = publish(publisher, device, 60);
                publish(publisher, device, 5);
                String alertId = "test-gw/queue-surge/" + device + "/" + raisedAt.toEpochMilli();
                ids.add(alertId + ":raised");
                ids.add(alertId + ":cleared");
            }
        }
        return ids;
    }

    private Instant publish(MqttAsyncClient publisher, String device, long cars) throws Exception {
        Instant now = Instant.ofEpochMilli(System.currentTimeMillis());
        Instant last = lastTime.get(device);
        Instant t = last != null && !now.isAfter(last) ? last.plusMillis(1) : now;
        lastTime.put(device, t);
        Reading r = new Reading(device, "", "vehicle_count", Map.of("lane", "1", "direction", "inbound"),
                Map.of("count_car", cars, "interval_s", 60L), t, t);
        publisher.publish("crossing/ras-ajdir/counter/" + device, counterJson.encode(r), 1, false)
                .waitForCompletion(10_000);
        return t;
    }

    private static CompletableFuture<FleetResult> runFleet(String uri, double rate, Duration duration) {
        CounterFleet.Options options = new CounterFleet.Options(uri, 4, rate, duration, 11L, "ras-ajdir", "cnt",
                "crossing", 1, null, null, null, "fault-fleet");
        return CompletableFuture.supplyAsync(() -> {
            try {
                return new CounterFleet().run(options, Clock.systemUTC(), ProgressListener.NONE);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static void assertInOrderPerDevice(Map<String, List<String>> byDevice, List<String> expected) {
        for (String device : DEVICES) {
            List<String> want = expected.stream().filter(id -> id.startsWith("test-gw/queue-surge/" + device + "/")).toList();
            assertThat(byDevice.get(device)).as("alerts of %s in the order raised", device).isEqualTo(want);
        }
    }

    private static List<Long> latencies(List<CentreRecorder.Received> received) {
        List<Long> out = new ArrayList<>();
        for (CentreRecorder.Received r : received) {
            out.add(r.arrivedAtMs() - Instant.parse(r.alert().path("at").asText()).toEpochMilli());
        }
        out.sort(Long::compare);
        return out;
    }

    private static long percentile(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return -1;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    private double failures(String component) {
        return registry.find("limes.errors").tag("component", component).counters().stream()
                .mapToDouble(Counter::count).sum();
    }

    private double counter(String name) {
        return registry.find(name).counters().stream().mapToDouble(Counter::count).sum();
    }

    private static long distinctPoints(QuestDbClient sql) throws IOException {
        return sql.exec("SELECT count() FROM (SELECT DISTINCT device, timestamp FROM vehicle_count)")
                .path("dataset").get(0).get(0).asLong();
    }

    private static boolean mountTmpfs(Path at, String size) throws InterruptedException {
        if (!"root".equals(System.getProperty("user.name"))) {
            return false;
        }
        try {
            Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", at.toString())
                    .redirectErrorStream(true).start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }
}
