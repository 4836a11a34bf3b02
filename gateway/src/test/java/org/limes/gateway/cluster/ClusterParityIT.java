package org.limes.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.limes.gateway.Gateway;
import org.limes.gateway.embedded.QuestDbClient;
import org.limes.gateway.testing.MqttTestSubscriber;

/**
 * Parity: the same scenario played through a single-mode gateway and through a cluster-mode
 * gateway of one instance (on a real three-broker Kafka cluster in this JVM, {@link ClusterKafka})
 * gives the same centre payloads, byte for byte, and the same stored rows.
 *
 * <p>Both gateways are named {@code ras-ajdir-gw}, and the cluster's {@code crossing} is that name
 * too: alert ids carry the crossing, the JSON's {@code gateway} field the emitting instance (see
 * the cluster README). Each has two recording centres: the JSON one on MQTT (its own embedded
 * broker, a real subscriber) and a CAP one on a webhook (a real HTTP server); and its embedded
 * QuestDB store.
 *
 * <p>All times in an alert are gateway time, so both gateways get a clock the test moves in steps
 * ({@link StepClock}); at each step the test first waits until each gateway's rule threads have
 * ticked at the new time, then posts the step's frames to both and waits until both processed
 * them (single mode answers after processing; cluster mode counts its readings out). What each
 * emits then follows from the data and the steps alone. The scenario: a threshold raised after
 * its hold and cleared after its clear hold, a rate of change raised and cleared, a deadman raised
 * for a device never heard and raised and cleared for one that falls silent and comes back, a
 * watchlist plate read by two cameras of a lane (one passage) and cleared after its window,
 * and ordinary readings.
 */
class ClusterParityIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NAME = "ras-ajdir-gw";
    private static final Instant T0 = Instant.parse("2026-11-26T06:00:00Z");
    private static final List<String> TABLES = List.of("vehicle_count", "people_count", "anpr_read", "alert");

    @RegisterExtension
    static final ClusterKafkaExtension kafka = new ClusterKafkaExtension();

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    /** One gateway under test, with its clock and its two recording centres. */
    private final class Side {
        final String label;
        final StepClock clock;
        final Gateway gateway;
        final Recording json = new Recording();
        final Recording cap = new Recording();
        int listedReads;

        Side(String label, boolean cluster, Predicate<String> ruleThread) throws Exception {
            this.label = label;
            this.clock = new StepClock(T0, ruleThread);
            HttpServer capCentre = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
            capCentre.createContext("/cap", ex -> cap.record(ex));
            capCentre.start();
            kafka.closeAfterEach(() -> capCentre.stop(0));
            Path home = dir.resolve(label);
            Files.createDirectories(home);
            Files.writeString(home.resolve("wanted.txt"), "# test list\nAB1234O,stolen\n");
            String yaml = """
                    name: %s
                    data_dir: %s
                    mqtt: {broker: embedded, port: 0}
                    store: {kind: embedded, http_port: 0}
                    admin: {host: 127.0.0.1, port: 0}
                    sources:
                      - {type: http, name: ingest, host: 127.0.0.1, port: 0,
                         drivers: [{driver: counter-json}, {driver: camera-json}]}
                    inventory:
                      classes:
                        counter: {expected_interval: 30s}
                        camera: {expected_interval: 1h}
                      devices:
                        - {id: cnt-01, site: ras-ajdir, class: counter, lane: "1", location: {lat: 32.8841, lon: 11.5561}}
                        - {id: cnt-03, site: ras-ajdir, class: counter, lane: "3"}
                        - {id: cnt-04, site: ras-ajdir, class: counter, lane: "4"}
                        - {id: cam-a, site: ras-ajdir, class: camera}
                        - {id: cam-b, site: ras-ajdir, class: camera}
                        - {id: cam-p, site: ras-ajdir, class: camera}
                    rules:
                      - {id: queue, type: threshold, kind: vehicle_count, field: count_total, raise_above: 40,
                         clear_below: 20, for: 10s, clear_for: 5s}
                      - {id: flow-jump, type: rate_of_change, kind: people_count, field: count_total, window: 30s,
                         rise_by: 25}
                      - {id: silent, type: deadman, class: counter, severity: critical}
                      - {id: wanted, type: watchlist, list_file: wanted.txt, passage_window: 20s}
                    centres:
                      - {name: tripoli, type: mqtt, topic: limes/alerts/tripoli}
                      - {name: benghazi, type: webhook, format: cap, url: "http://127.0.0.1:%d/cap",
                         allow_insecure_http: true, retry_initial_ms: 50, retry_max_ms: 500}
                    outbox: {sync_interval_ms: 5}
                    %s
                    """.formatted(NAME, home.resolve("data").toString().replace("\\", "/"),
                    capCentre.getAddress().getPort(), cluster ? kafka.clusterSection(NAME, 1) : "");
            gateway = kafka.startGateway(home.resolve("gateway.yml"), yaml, clock);
            MqttTestSubscriber subscriber = MqttTestSubscriber.start(gateway.brokerUri(), "recorder-" + label,
                    List.of("limes/alerts/tripoli"), (topic, message) -> json.add(message.getPayload()));
            kafka.closeAfterEach(subscriber);
        }

        void post(String driver, String body) throws Exception {
            HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.listenerPort("ingest")
                    + "/ingest/" + driver)).timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            HttpResponse<String> answer = http.send(r, HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).as("%s answered %s", label, answer.body()).isEqualTo(200);
        }
    }

    /** What one centre received, in arrival order. */
    private static final class Recording {
        private final List<byte[]> payloads = new CopyOnWriteArrayList<>();

        void add(byte[] payload) {
            payloads.add(payload);
        }

        void record(HttpExchange ex) throws IOException {
            payloads.add(ex.getRequestBody().readAllBytes());
            ex.sendResponseHeaders(204, -1);
            ex.close();
        }

        /** Distinct payloads per subject (device), in order of first arrival. */
        Map<String, List<String>> bySubject(boolean json) {
            Map<String, List<String>> out = new TreeMap<>();
            for (byte[] p : payloads) {
                String text = new String(p, StandardCharsets.UTF_8);
                List<String> list = out.computeIfAbsent(subject(text, json), s -> new ArrayList<>());
                if (!list.contains(text)) {
                    list.add(text);
                }
            }
            return out;
        }

        int distinct() {
            return payloads.stream().map(p -> new String(p, StandardCharsets.UTF_8)).distinct()
                    .mapToInt(s -> 1).sum();
        }

        private static String subject(String text, boolean json) {
            if (json) {
                try {
                    return JSON.readTree(text).path("device").asText();
                } catch (IOException e) {
                    throw new AssertionError("not JSON: " + text, e);
                }
            }
            // CAP: the identifier names the episode, whose third part is the subject.
            int from = text.indexOf("<identifier>") + "<identifier>".length();
            return text.substring(from, text.indexOf("</identifier>")).split("/")[2];
        }
    }

    /** One step of the scenario: seconds after T0, then the frames posted at that time. */
    private record Step(int s, List<String[]> frames) {
    }

    private static String[] counter(String device, Instant t, int cars) {
        return new String[] {"counter-json", "{\"device\":\"" + device + "\",\"time\":\"" + t + "\",\"lane\":\"1\","
                + "\"direction\":\"inbound\",\"interval_s\":60,\"counts\":{\"car\":" + cars + ",\"truck\":0}}"};
    }

    private static String[] people(String device, Instant t, int in) {
        return new String[] {"camera-json", "{\"type\":\"people_count\",\"device\":\"" + device + "\",\"time\":\""
                + t + "\",\"zone\":\"hall\",\"interval_s\":5,\"count_in\":" + in + ",\"count_out\":0}"};
    }

    private static String[] anpr(String device, Instant t, String plate) {
        return new String[] {"camera-json", "{\"type\":\"anpr_read\",\"device\":\"" + device + "\",\"time\":\"" + t
                + "\",\"plate\":\"" + plate + "\",\"confidence_pct\":91.5,\"lane\":\"2\"}"};
    }

    private static List<Step> scenario() {
        List<Step> steps = new ArrayList<>();
        Map<Integer, List<String[]>> at = new LinkedHashMap<>();
        java.util.function.BiConsumer<Integer, String[]> put = (s, f) -> at.computeIfAbsent(s, k -> new ArrayList<>())
                .add(f);
        // cnt-01: quiet, over the level from 5 s (held 10 s: raised), under it from 20 s (held 5 s: cleared).
        int[][] queue = {{0, 10}, {5, 50}, {10, 55}, {15, 60}, {20, 15}, {25, 10}, {35, 8}, {45, 9}, {55, 9}};
        for (int[] q : queue) {
            put.accept(q[0], counter("cnt-01", T0.plusSeconds(q[0]), q[1]));
        }
        // cam-p counts people: a jump of 35 within the 30 s window at 10 s (raised), then back and level
        // (cleared a window after the jump).
        int[][] flow = {{0, 10}, {5, 12}, {10, 45}, {20, 12}, {30, 13}, {40, 13}, {50, 14}};
        for (int[] f : flow) {
            put.accept(f[0], people("cam-p", T0.plusSeconds(f[0]), f[1]));
        }
        // cnt-03 reports, falls silent past its 30 s (raised), and comes back (cleared); cnt-04 is never heard.
        put.accept(0, counter("cnt-03", T0, 5));
        put.accept(45, counter("cnt-03", T0.plusSeconds(45), 6));
        // A wanted plate read by both cameras of lane 2 (one passage, cleared 20 s after its last read),
        // and a plate nobody wants.
        put.accept(10, anpr("cam-a", T0.plusSeconds(10), "AB 1234O"));
        put.accept(12, anpr("cam-b", T0.plusSeconds(12), "ab-1234o"));
        put.accept(12, anpr("cam-b", T0.plusSeconds(12).plusMillis(400), "XY 999"));
        for (int s = 0; s <= 60; s += 5) {
            at.putIfAbsent(s, new ArrayList<>());
        }
        at.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> steps.add(new Step(e.getKey(), e.getValue())));
        return steps;
    }

    @Test
    void oneClusterInstanceSendsTheCentresAndTheStoreWhatSingleModeDoes() throws Exception {
        Side single = new Side("single", false, t -> t.startsWith("limes-pipeline-"));
        Side cluster = new Side("cluster", true, t -> t.contains("StreamThread"));
        await("the cluster's rules running").atMost(Duration.ofSeconds(120))
                .until(() -> cluster.gateway.registry().get("limes.cluster.rules.partitions").gauge().value() >= 1);
        await("every rule thread seen").atMost(Duration.ofSeconds(30))
                .until(() -> single.clock.ruleThreads() == 2 && cluster.clock.ruleThreads() == 1
                        && cluster.gateway.registry().get("limes.cluster.passages.partitions").gauge().value() >= 1);

        int readings = 0;
        int listed = 0;
        for (Step step : scenario()) {
            Instant t = T0.plusSeconds(step.s());
            for (Side side : List.of(single, cluster)) {
                side.clock.set(t);
            }
            // Both have ticked at the new time before its frames: hold times, the deadman and the
            // passage window run out alike, whichever thread ran first.
            await("both ticked at +" + step.s() + " s").atMost(Duration.ofSeconds(30))
                    .until(() -> single.clock.everyRuleThreadRead(3) && cluster.clock.everyRuleThreadRead(3));
            for (String[] f : step.frames()) {
                single.post(f[0], f[1]);
                cluster.post(f[0], f[1]);
                readings++;
                listed += f[1].contains("1234") ? 1 : 0;
            }
            int expected = readings;
            int expectedListed = listed;
            // The frames' owner, and for a listed plate the lane's passage owner after it.
            await("the cluster processed the frames of +" + step.s() + " s").atMost(Duration.ofSeconds(60))
                    .until(() -> cluster.gateway.registry().get("limes.cluster.readings.out").counter().count()
                            >= expected && cluster.gateway.registry().get("limes.cluster.passages.reads").counter()
                            .count() >= expectedListed);
        }

        // 9 transitions: queue raised+cleared (cnt-01), flow-jump raised+cleared (cam-p), silent raised+cleared for cnt-03
        // and raised for cnt-04, one watchlist passage raised+cleared.
        await("every transition at every centre").atMost(Duration.ofSeconds(120)).until(() ->
                single.json.distinct() >= 9 && cluster.json.distinct() >= 9 && single.cap.distinct() >= 9
                        && cluster.cap.distinct() >= 9);
        Map<String, List<String>> singleJson = single.json.bySubject(true);
        System.out.printf("parity: single mode sent %s%n", singleJson);
        assertThat(single.json.distinct()).as("the scenario's transitions").isEqualTo(9);
        assertThat(singleJson.keySet()).containsExactlyInAnyOrder("cnt-01", "cam-p", "cnt-03", "cnt-04", "cam-a");
        assertThat(cluster.json.bySubject(true)).as("JSON centre, per device in order, byte for byte")
                .isEqualTo(singleJson);
        assertThat(cluster.cap.bySubject(false)).as("CAP centre, per subject in order, byte for byte")
                .isEqualTo(single.cap.bySubject(false));
        assertThat(cluster.json.distinct()).isEqualTo(9);

        QuestDbClient singleStore = new QuestDbClient(single.gateway.storeUrl());
        QuestDbClient clusterStore = new QuestDbClient(cluster.gateway.storeUrl());
        int expectedReadings = readings;
        await("every row stored by both").atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            for (QuestDbClient store : List.of(singleStore, clusterStore)) {
                assertThat(store.count("vehicle_count") + store.count("people_count") + store.count("anpr_read"))
                        .isEqualTo(expectedReadings);
                assertThat(store.count("alert")).isEqualTo(9);
            }
        });
        for (String table : TABLES) {
            assertThat(rows(clusterStore, table)).as("stored rows of %s", table).isEqualTo(rows(singleStore, table));
        }
    }

    /** A table's columns and rows, the rows sorted (the stores need not have written them in one order). */
    private static List<String> rows(QuestDbClient store, String table) throws IOException {
        JsonNode answer = store.exec("SELECT * FROM " + table);
        List<String> rows = new ArrayList<>();
        for (JsonNode row : answer.path("dataset")) {
            rows.add(row.toString());
        }
        rows.sort(null);
        rows.add(0, answer.path("columns").toString());
        return rows;
    }
}
