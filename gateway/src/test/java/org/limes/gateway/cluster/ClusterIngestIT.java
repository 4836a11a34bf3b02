package org.limes.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.limes.gateway.Gateway;
import org.limes.gateway.TelemetrySpecIT;
import org.limes.gateway.source.PipelineFixture;
import org.slf4j.LoggerFactory;

/**
 * Cluster mode's ingest end to end: a whole gateway (embedded HiveMQ, in-broker ingest, an HTTP
 * source) producing to a real three-broker Kafka cluster in this JVM ({@link ClusterKafka}).
 * Every frame a device was acknowledged for is on the frames topic exactly once, in order per
 * device; with two of three brokers stopped (fewer than {@code min.insync.replicas}) the device
 * is refused — MQTT reason code 0x83, HTTP 503 — never acknowledged, and for as long as they stay
 * down the gateway's log says so once (with the shipped logback config), not once per retry.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIngestIT {

    private static final int WINDOW = 50;
    private static final int WINDOW_S = 40;

    @RegisterExtension
    static final ClusterKafkaExtension kafka = new ClusterKafkaExtension();

    @TempDir
    Path dir;

    private Gateway gateway;

    private void startGateway(String crossing) throws Exception {
        startGateway(crossing, "");
    }

    private void startGateway(String crossing, String more) throws Exception {
        String yaml = """
                name: %s-gw
                data_dir: %s
                mqtt: {broker: embedded, port: 0}
                store: {kind: embedded, http_port: 0}
                admin: {host: 127.0.0.1, port: 0}
                sources:
                  - name: devices
                    type: mqtt
                    topics: [{filter: "crossing/+/counter/+", driver: counter-json}]
                  - {type: http, name: ingest, host: 127.0.0.1, port: 0, drivers: [{driver: counter-json}]}
                inventory:
                  devices:
                    - {id: cnt-01, site: ras-ajdir, class: counter, lane: "1"}
                    - {id: cnt-02, site: ras-ajdir, class: counter, lane: "2"}
                    - {id: cnt-03, site: ras-ajdir, class: counter, lane: "3"}
                outbox: {max_bytes: 67108864, segment_bytes: 1048576, sync_interval_ms: 5}
                %s%s""".formatted(crossing, dir.resolve("data").toString().replace("\\", "/"), more,
                kafka.clusterSection(crossing, 6, "produce_timeout_ms: 4000"));
        gateway = kafka.startGateway(dir.resolve("cluster.yml"), yaml, Clock.systemUTC());
    }

    @Test
    @Order(1)
    void everyAcknowledgedFrameIsOnTheTopicOnceInOrderPerDevice() throws Exception {
        startGateway("ingest");
        int perDevice = 150;
        List<MqttAsyncClient> devices = List.of(device("cnt-01"), device("cnt-02"), device("cnt-03"));
        List<IMqttToken> tokens = new ArrayList<>();
        for (int n = 0; n < perDevice; n++) {
            if (n >= WINDOW) {
                // Within the broker's receive maximum per client.
                for (int d = 0; d < devices.size(); d++) {
                    tokens.get((n - WINDOW) * devices.size() + d).waitForCompletion(20_000);
                }
            }
            for (int d = 0; d < devices.size(); d++) {
                String id = "cnt-0" + (d + 1);
                tokens.add(publish(devices.get(d), id, PipelineFixture.counterJson(id, n)));
            }
        }
        for (IMqttToken t : tokens) {
            t.waitForCompletion(20_000);
            assertThat(IntStream.of(t.getReasonCodes()).boxed().toList()).isNotEmpty().isSubsetOf(0, 0x10);
        }
        // An HTTP frame: 200 only once the cluster has it.
        assertThat(post(PipelineFixture.counterJson("cnt-02", perDevice)).statusCode()).isEqualTo(200);

        Map<String, List<String>> byDevice = readTopic("limes.ingest.frames", 3 * perDevice + 1);
        assertThat(byDevice.keySet()).containsExactlyInAnyOrder("cnt-01", "cnt-02", "cnt-03");
        for (int d = 1; d <= 3; d++) {
            String id = "cnt-0" + d;
            List<String> expected = new ArrayList<>();
            IntStream.range(0, perDevice).forEach(n -> expected.add(PipelineFixture.counterJson(id, n)));
            if (d == 2) {
                expected.add(PipelineFixture.counterJson(id, perDevice));
            }
            assertThat(byDevice.get(id)).as("frames of %s, once each and in order", id).containsExactlyElementsOf(
                    expected);
        }
        assertThat(gateway.registry().get("limes.cluster.frames.produced").counter().count())
                .isEqualTo(3 * perDevice + 1);

        // The cluster rows of the telemetry spec (TelemetrySpecIT checks the others in single
        // mode) are registered here, with the spec's type.
        Map<String, TelemetrySpecIT.Row> clusterRows = new java.util.TreeMap<>(
                TelemetrySpecIT.spec(Path.of("").toAbsolutePath().resolve(TelemetrySpecIT.SPEC)));
        clusterRows.keySet().removeIf(name -> !name.startsWith(TelemetrySpecIT.CLUSTER_PREFIX));
        assertThat(clusterRows).as("cluster rows of the spec").isNotEmpty();
        assertThat(TelemetrySpecIT.notRegistered(clusterRows, gateway.registry()))
                .as("cluster rows of the spec not registered").isEmpty();
        for (TelemetrySpecIT.Row row : clusterRows.values()) {
            assertThat(gateway.registry().get(row.name()).meter().getId().getType().name().toLowerCase(
                    java.util.Locale.ROOT)).as("type of %s", row.name()).isEqualTo(row.type());
        }
    }

    @Test
    @Order(2)
    void withTwoOfThreeBrokersDownTheDeviceIsRefusedNotAcknowledged() throws Exception {
        startGateway("refuse");
        MqttAsyncClient device = device("cnt-01");
        IMqttToken first = publish(device, "cnt-01", PipelineFixture.counterJson("cnt-01", 0));
        first.waitForCompletion(20_000);
        assertThat(first.getReasonCodes()).containsOnly(0x10);

        List<Integer> ids = new ArrayList<>(kafka.cluster().brokerIds());
        kafka.cluster().stopBroker(ids.get(0));
        kafka.cluster().stopBroker(ids.get(1));

        IMqttToken refused = publish(device, "cnt-01", PipelineFixture.counterJson("cnt-01", 1));
        refused.waitForCompletion(30_000);
        assertThat(refused.getReasonCodes()).as("PUBACK reason code").containsOnly(0x83);
        HttpResponse<String> answer = post(PipelineFixture.counterJson("cnt-02", 1));
        assertThat(answer.statusCode()).isEqualTo(503);
        assertThat(answer.headers().firstValue("Retry-After")).isPresent();
        assertThat(gateway.registry().get("limes.dropped").tags("component", "cluster", "reason", "cluster_refused")
                .counter().count()).isEqualTo(2);
        assertThat(gateway.registry().get("limes.cluster.frames.produced").counter().count()).isEqualTo(1);

        // The brokers come back: the device's next publish is acknowledged again. (A refused frame
        // may still be on the topic, e.g. appended by a leader that then waited in vain for its
        // followers: refused means "send it again", at-least-once, not "certainly absent".)
        kafka.cluster().restartBroker(ids.get(0));
        kafka.cluster().restartBroker(ids.get(1));
        await("acknowledged again once two brokers are back").atMost(Duration.ofSeconds(60)).until(() -> {
            IMqttToken t = publish(device, "cnt-01", PipelineFixture.counterJson("cnt-01", 2));
            t.waitForCompletion(30_000);
            return t.getReasonCodes().length == 1 && t.getReasonCodes()[0] == 0x10;
        });
        List<String> frames = readTopic("limes.refuse.frames", 2).get("cnt-01");
        assertThat(frames).first().isEqualTo(PipelineFixture.counterJson("cnt-01", 0));
        assertThat(frames).contains(PipelineFixture.counterJson("cnt-01", 2));
    }

    @Test
    @Order(3)
    void withTwoOfThreeBrokersDownEachFailureIsLoggedOncePerInterval() throws Exception {
        RecordingCentre centre = kafka.closeAfterEach(RecordingCentre.start());
        startGateway("quiet", """
                rules:
                  - {id: queue, type: threshold, kind: vehicle_count, field: count_total, raise_above: 40,
                     clear_below: 20, for: 0s, clear_for: 0s}
                centres:
                  - {name: tripoli, type: webhook, url: "%s", allow_insecure_http: true,
                     retry_initial_ms: 50, retry_max_ms: 500}
                """.formatted(centre.url()));
        assertThat(post(PipelineFixture.counterJson("cnt-01", 0)).statusCode()).isEqualTo(200);
        await("the rules running").atMost(Duration.ofSeconds(90)).until(() ->
                gateway.registry().get("limes.cluster.readings.out").counter().count() >= 1);

        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(logs);
        // The brokers' own ERROR per refused append (kafka.server.ReplicaManager) is not the gateway's.
        Logger appends = (Logger) LoggerFactory.getLogger("kafka.server.ReplicaManager");
        Level appendsLevel = appends.getLevel();
        appends.setLevel(Level.OFF);
        List<Integer> ids = new ArrayList<>(kafka.cluster().brokerIds());
        long window = Duration.ofSeconds(WINDOW_S).toMillis();
        int refused = 0;
        try {
            kafka.cluster().stopBroker(ids.get(0));
            kafka.cluster().stopBroker(ids.get(1));
            long until = System.currentTimeMillis() + window;
            for (int n = 1; System.currentTimeMillis() < until; n++) {
                refused += post(PipelineFixture.counterJson("cnt-0" + (1 + n % 3), n)).statusCode() == 503 ? 1 : 0;
            }
        } finally {
            root.detachAppender(logs);
            appends.setLevel(appendsLevel);
            kafka.cluster().restartBroker(ids.get(0));
            kafka.cluster().restartBroker(ids.get(1));
        }
        // The gateway's lines: its own loggers, and the Kafka clients' on the threads named for its client ids.
        Map<String, Long> gatewayLines = new TreeMap<>();
        for (ILoggingEvent e : logs.list) {
            if (e.getLoggerName().startsWith("org.limes") || e.getThreadName().contains("limes-")) {
                gatewayLines.merge(e.getLevel() + " " + e.getLoggerName() + " [" + e.getThreadName() + "]", 1L,
                        Long::sum);
                System.out.println("cluster ingest: " + e.getLevel() + " " + e.getLoggerName() + ": "
                        + e.getFormattedMessage());
            }
        }
        System.out.printf("cluster ingest: two brokers of three down for %d s, %d frames refused; the gateway's log "
                + "lines by level, logger and thread: %s%n", WINDOW_S, refused, gatewayLines);
        assertThat(refused).as("frames refused while two brokers are down").isGreaterThanOrEqualTo(3);
        assertThat(gateway.registry().get("limes.dropped").tags("component", "cluster", "reason", "cluster_refused")
                .counter().count()).as("each refusal counted").isEqualTo(refused);
        assertThat(gatewayLines).as("the refusals said once").containsKey(
                "WARN org.limes.gateway.cluster.KafkaFrames [kafka-producer-network-thread | limes-quiet-quiet-gw-frames]");
        assertThat(gatewayLines).as("each logger on each thread at most twice in %d s (once a minute, and a line "
                + "as the brokers go)", WINDOW_S).allSatisfy((line, count) -> assertThat(count).as(line)
                .isLessThanOrEqualTo(2));
    }

    private MqttAsyncClient device(String id) throws Exception {
        MqttAsyncClient c = new MqttAsyncClient(gateway.brokerUri(), id, new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        c.connect(o).waitForCompletion(10_000);
        kafka.closeAfterEach(() -> {
            if (c.isConnected()) {
                c.disconnect().waitForCompletion(5_000);
            }
            c.close(true);
        });
        return c;
    }

    private static IMqttToken publish(MqttAsyncClient c, String device, String payload) throws Exception {
        MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
        m.setQos(1);
        return c.publish("crossing/ras-ajdir/counter/" + device, m);
    }

    private HttpResponse<String> post(String body) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + gateway.listenerPort("ingest") + "/ingest/counter-json");
        HttpRequest r = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return HttpClient.newHttpClient().send(r, HttpResponse.BodyHandlers.ofString());
    }

    /** The payloads on the topic, by key, in offset order; reads until {@code expected} or a minute. */
    private static Map<String, List<String>> readTopic(String topic, int expected) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + topic);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Map<String, List<String>> byKey = new HashMap<>();
        int total = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            // Past the expected count a little longer, so that a duplicate would be seen.
            long quietUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, quietUntil)) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(300))) {
                    FrameRecord f = FrameRecord.decode(r.value());
                    assertThat(f.driver()).isEqualTo("counter-json");
                    byKey.computeIfAbsent(new String(r.key(), StandardCharsets.UTF_8), k -> new ArrayList<>())
                            .add(new String(f.frame().payload(), StandardCharsets.UTF_8));
                    total++;
                }
                if (total >= expected && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                }
            }
        }
        return byKey;
    }
}
