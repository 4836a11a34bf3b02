package org.limes.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.limes.gateway.cluster.ClusterKafkaExtension.frame;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.drivers.Drivers;
import org.limes.drivers.sapient.proto.SapientMessage;
import org.limes.gateway.Gateway;
import org.limes.gateway.config.ConfigLoader;
import org.limes.gateway.config.GatewayConfig;
import org.limes.gateway.sink.centre.format.SapientAlertFormat;
import org.limes.gateway.testing.LoopbackListener;
import org.limes.gateway.testing.SapientFusionNode;

/**
 * The centres' payloads do not depend on the instance that relays them (issue #16), on a real
 * three-broker Kafka cluster in this JVM ({@link ClusterKafka}) with two instances of one crossing
 * whose names are not the crossing's. Each instance has its own four centres (JSON and CAP on
 * webhooks, CoT, SAPIENT): a centre's consumer group then has that one instance as its only
 * member, so every transition of the crossing — whichever instance's rules emitted it — is relayed
 * by both instances, once to each instance's centres: the situation of a transition redelivered
 * by another instance after a failover, for every transition. Two devices, one owned by each
 * instance, raise and clear.
 *
 * <p>Asserted: each format's payloads at the first instance's centre are byte for byte those at
 * the second's; CAP's {@code sender} (and so a clear's {@code references}), CoT's {@code uid} and
 * the SAPIENT node id (registration and alerts) are the crossing's; the JSON's {@code gateway} is
 * the instance whose rules emitted the transition (the device's owner), not the relay.
 */
class ClusterCentreIdentityIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CROSSING = "relayid";
    private static final int PARTITIONS = 4;
    private static final List<String> NAMES = List.of("rid-gw-1", "rid-gw-2");
    private static ClusterKafka kafka;

    @TempDir
    java.nio.file.Path dir;

    private HttpServer webhooks;
    /** Request bodies by path ({@code /json-a}, {@code /cap-b}, …), in arrival order. */
    private final Map<String, List<String>> posted = new ConcurrentHashMap<>();
    /** CoT lines by centre ({@code a}, {@code b}). */
    private final Map<String, List<String>> cotLines = new ConcurrentHashMap<>();
    private final Map<String, LoopbackListener> tak = new HashMap<>();
    private final Map<String, SapientFusionNode> fusion = new HashMap<>();
    private final List<Gateway> gateways = new ArrayList<>();

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = ClusterKafka.start();
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @BeforeEach
    void startCentres() throws IOException {
        webhooks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        for (String path : List.of("/json-a", "/json-b", "/cap-a", "/cap-b")) {
            posted.put(path, new CopyOnWriteArrayList<>());
            webhooks.createContext(path, this::record);
        }
        webhooks.start();
        for (String side : List.of("a", "b")) {
            List<String> lines = new CopyOnWriteArrayList<>();
            cotLines.put(side, lines);
            tak.put(side, LoopbackListener.start("test-tak-" + side, (s, refusing) -> readLines(s, refusing, lines)));
            fusion.put(side, SapientFusionNode.start());
        }
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = gateways.size() - 1; i >= 0; i--) {
            gateways.get(i).close();
        }
        webhooks.stop(0);
        for (LoopbackListener l : tak.values()) {
            l.close();
        }
        for (SapientFusionNode f : fusion.values()) {
            f.close();
        }
    }

    private void record(HttpExchange ex) throws IOException {
        posted.get(ex.getHttpContext().getPath()).add(new String(ex.getRequestBody().readAllBytes(),
                StandardCharsets.UTF_8));
        ex.sendResponseHeaders(204, -1);
        ex.close();
    }

    private static void readLines(Socket s, BooleanSupplier refusing, List<String> lines) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
        for (String line; !refusing.getAsBoolean() && (line = in.readLine()) != null; ) {
            if (!line.isBlank()) {
                lines.add(line);
            }
        }
    }

    /** Instance {@code name} with its own centres, suffixed {@code side}. */
    private Gateway startGateway(String name, String side) throws Exception {
        StringBuilder devices = new StringBuilder();
        for (int i = 1; i <= 8; i++) {
            devices.append("    - {id: cnt-0").append(i).append(", site: ras-ajdir, class: counter, lane: \"1\"}\n");
        }
        int port = webhooks.getAddress().getPort();
        String yaml = """
                name: %1$s
                data_dir: %2$s
                mqtt: {broker: embedded, port: 0}
                store: {kind: embedded, http_port: 0}
                admin: {host: 127.0.0.1, port: 0}
                sources:
                  - {type: http, name: ingest, host: 127.0.0.1, port: 0, drivers: [{driver: counter-json}]}
                inventory:
                  devices:
                %3$s
                rules:
                  - {id: queue, type: threshold, kind: vehicle_count, field: count_total, raise_above: 40,
                     clear_below: 20, for: 0s, clear_for: 0s}
                centres:
                  - {name: json-%4$s, type: webhook, url: "http://127.0.0.1:%5$d/json-%4$s", allow_insecure_http: true,
                     retry_initial_ms: 50, retry_max_ms: 500}
                  - {name: cap-%4$s, type: webhook, format: cap, url: "http://127.0.0.1:%5$d/cap-%4$s",
                     allow_insecure_http: true, retry_initial_ms: 50, retry_max_ms: 500}
                  - {name: cot-%4$s, type: cot, host: 127.0.0.1, port: %6$d}
                  - {name: sapient-%4$s, type: sapient, host: 127.0.0.1, port: %7$d, ack_timeout_ms: 5000}
                outbox: {sync_interval_ms: 5}
                cluster:
                  bootstrap_servers: [%8$s]
                  crossing: %9$s
                  frames_partitions: %10$d
                """.formatted(name, dir.resolve(name).toString().replace("\\", "/"), devices.toString().stripTrailing(),
                side, port, tak.get(side).port(), fusion.get(side).port(), kafka.bootstrapServers(), CROSSING,
                PARTITIONS);
        Drivers drivers = Drivers.load();
        GatewayConfig config = new ConfigLoader(drivers).parse(dir.resolve(name + ".yml").toString(), yaml);
        Gateway g = Gateway.start(config, drivers, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                Clock.systemUTC());
        gateways.add(g);
        return g;
    }

    private static void post(Gateway g, String body) throws Exception {
        assertThat(ClusterKafkaExtension.post(g, body)).isEqualTo(200);
    }

    private static double gauge(Gateway g, String name) {
        return g.registry().get(name).gauge().value();
    }

    @Test
    void everyFormatIsTheSameWhicheverInstanceRelaysATransition() throws Exception {
        Gateway first = startGateway(NAMES.get(0), "a");
        Gateway second = startGateway(NAMES.get(1), "b");
        String frames = "limes." + CROSSING + ".frames";
        await("the frames partitions shared by both").atMost(Duration.ofSeconds(120)).until(() ->
                gauge(first, "limes.cluster.rules.partitions") > 0 && gauge(second, "limes.cluster.rules.partitions") > 0
                        && kafka.owners("limes-" + CROSSING + "-rules", frames, NAMES).size() == PARTITIONS);

        // One device whose rules run on each instance.
        Map<Integer, String> owners = kafka.owners("limes-" + CROSSING + "-rules", frames, NAMES);
        Map<String, String> ownerOf = new HashMap<>();
        for (int i = 1; i <= 8 && ownerOf.size() < 2; i++) {
            String device = "cnt-0" + i;
            String owner = owners.get(RulesProcessor.partitionOf(device, PARTITIONS));
            if (!ownerOf.containsValue(owner)) {
                ownerOf.put(device, owner);
            }
        }
        assertThat(new HashSet<>(ownerOf.values())).as("devices owned by each instance among cnt-01..cnt-08")
                .containsExactlyInAnyOrderElementsOf(NAMES);
        System.out.println("centre identity: devices and their rules' owners " + ownerOf);

        // Quiet, a queue (raise), gone (clear): four transitions, two from each instance's rules.
        List<Integer> cars = List.of(5, 45, 8);
        for (int n = 0; n < cars.size(); n++) {
            for (String device : ownerOf.keySet()) {
                post(first, frame(device, n, cars.get(n)));
            }
        }
        await("four transitions at each of the eight centres").atMost(Duration.ofSeconds(90)).until(() ->
                posted.values().stream().allMatch(l -> l.size() >= 4)
                        && cotLines.values().stream().allMatch(l -> l.size() >= 4)
                        && fusion.values().stream().allMatch(f -> f.alerts().size() >= 4));

        // Every format checked, so a failure names each that depends on the relay.
        SoftAssertions soft = new SoftAssertions();
        // JSON: the rules' bytes; `gateway` names the instance whose rules emitted it, never the relay.
        soft.assertThat(posted.get("/json-a")).hasSize(4);
        soft.assertThat(posted.get("/json-a")).as("JSON relayed by %s = relayed by %s", NAMES.get(0), NAMES.get(1))
                .containsExactlyInAnyOrderElementsOf(posted.get("/json-b"));
        for (String body : posted.get("/json-a")) {
            JsonNode a = JSON.readTree(body);
            soft.assertThat(a.path("gateway").asText()).as("the emitting instance of " + a.path("event_id").asText())
                    .isEqualTo(ownerOf.get(a.path("device").asText()));
            soft.assertThat(a.path("alert_id").asText()).startsWith(CROSSING + "/queue/");
        }

        // CAP: the crossing is the sender, so a clear's references name the raise as both relays sent it.
        soft.assertThat(posted.get("/cap-a")).hasSize(4);
        soft.assertThat(posted.get("/cap-a")).as("CAP relayed by %s = relayed by %s", NAMES.get(0), NAMES.get(1))
                .containsExactlyInAnyOrderElementsOf(posted.get("/cap-b"));
        soft.assertThat(posted.get("/cap-a")).allSatisfy(xml -> assertThat(xml)
                .contains("<sender>limes@" + CROSSING + "</sender>")
                .contains("<senderName>Limes gateway " + CROSSING + "</senderName>")
                .doesNotContain(NAMES.get(0)).doesNotContain(NAMES.get(1)));
        soft.assertThat(posted.get("/cap-a")).filteredOn(xml -> xml.contains("<msgType>Update</msgType>")).hasSize(2)
                .allSatisfy(xml -> assertThat(xml).contains("<references>limes@" + CROSSING + "," + CROSSING
                        + "/queue/"));

        // CoT: one uid per episode, from the crossing.
        soft.assertThat(cotLines.get("a")).hasSize(4);
        soft.assertThat(cotLines.get("a")).as("CoT relayed by %s = relayed by %s", NAMES.get(0), NAMES.get(1))
                .containsExactlyInAnyOrderElementsOf(cotLines.get("b"));
        soft.assertThat(cotLines.get("a")).allSatisfy(line -> assertThat(line)
                .contains("uid=\"limes:" + CROSSING + ":" + CROSSING + "/queue/")
                .doesNotContain(NAMES.get(0)).doesNotContain(NAMES.get(1)));

        // SAPIENT: both instances are the crossing's one fusion node.
        String node = SapientAlertFormat.nodeId(CROSSING);
        List<SapientMessage> sapientA = fusion.get("a").alerts();
        soft.assertThat(sapientA).hasSize(4);
        soft.assertThat(sapientA).as("SAPIENT relayed by %s = relayed by %s", NAMES.get(0), NAMES.get(1))
                .containsExactlyInAnyOrderElementsOf(fusion.get("b").alerts());
        for (SapientFusionNode f : fusion.values()) {
            soft.assertThat(f.received()).extracting(SapientMessage::getNodeId).containsOnly(node);
        }
        soft.assertAll();
    }
}
