package org.limes.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.limes.drivers.Drivers;
import org.limes.gateway.Gateway;
import org.limes.gateway.TelemetrySpecIT;
import org.limes.gateway.config.ConfigLoader;
import org.limes.gateway.source.PipelineFixture;

/**
 * Cluster mode's ingest end to end: a whole gateway (embedded HiveMQ, in-broker ingest, an HTTP
 * source) producing to a real three-broker Kafka cluster in this JVM ({@link ClusterKafka}).
 * Every frame a device was acknowledged for is on the frames topic exactly once, in order per
 * device; with two of three brokers stopped (fewer than {@code min.insync.replicas}) the device
 * is refused — MQTT reason code 0x83, HTTP 503 — never acknowledged.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIngestIT {

    private static final int WINDOW = 50;

    private static ClusterKafka kafka;

    @TempDir
    Path dir;

    private Gateway gateway;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = ClusterKafka.start();
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    private void startGateway(String crossing) throws Exception {
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
                cluster:
                  bootstrap_servers: [%s]
                  crossing: %s
                  frames_partitions: 6
                  produce_timeout_ms: 4000
                """.formatted(crossing, dir.resolve("data").toString().replace("\\", "/"),
                kafka.bootstrapServers(), crossing);
        Drivers drivers = Drivers.load();
        gateway = Gateway.start(new ConfigLoader(drivers).parse(dir.resolve("cluster.yml").toString(), yaml),
                drivers, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), Clock.systemUTC());
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

        List<Integer> ids = new ArrayList<>(kafka.brokerIds());
        kafka.stopBroker(ids.get(0));
        kafka.stopBroker(ids.get(1));

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
        kafka.restartBroker(ids.get(0));
        kafka.restartBroker(ids.get(1));
        await("acknowledged again once two brokers are back").atMost(Duration.ofSeconds(60)).until(() -> {
            IMqttToken t = publish(device, "cnt-01", PipelineFixture.counterJson("cnt-01", 2));
            t.waitForCompletion(30_000);
            return t.getReasonCodes().length == 1 && t.getReasonCodes()[0] == 0x10;
        });
        List<String> frames = readTopic("limes.refuse.frames", 2).get("cnt-01");
        assertThat(frames).first().isEqualTo(PipelineFixture.counterJson("cnt-01", 0));
        assertThat(frames).contains(PipelineFixture.counterJson("cnt-01", 2));
    }

    private MqttAsyncClient device(String id) throws Exception {
        MqttAsyncClient c = new MqttAsyncClient(gateway.brokerUri(), id, new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        c.connect(o).waitForCompletion(10_000);
        open.add(() -> {
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
