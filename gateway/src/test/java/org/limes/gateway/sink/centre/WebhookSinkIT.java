package org.limes.gateway.sink.centre;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.gateway.outbox.DestinationQueue;
import org.limes.gateway.outbox.Outbox;
import org.limes.gateway.outbox.OutboxCommitter;
import org.limes.gateway.outbox.OutboxLimits;
import org.limes.gateway.outbox.OutboxMetrics;
import org.limes.gateway.outbox.OutboxRecord;
import org.limes.gateway.rules.Alert;
import org.limes.gateway.rules.AlertJson;
import org.limes.gateway.rules.AlertState;
import org.limes.gateway.sink.SinkMetrics;
import org.limes.gateway.tls.TestCertificates;
import org.limes.gateway.tls.TlsConfig;

/** The webhook sink against a real HTTP(S) server on an ephemeral port that records what it receives. */
class WebhookSinkIT {

    @TempDir
    Path dir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Deque<Integer> script = new ArrayDeque<>();
    private HttpServer server;
    private Outbox outbox;
    private DestinationQueue queue;
    private OutboxCommitter committer;
    private WebhookSink sink;

    record Received(String body, String contentType, String authorization, String idempotencyKey, String crossing) {
    }

    @BeforeEach
    void openOutbox() throws IOException {
        outbox = Outbox.open("tripoli", dir.resolve("outbox"), OutboxLimits.defaults(),
                new OutboxMetrics(registry, "tripoli"));
        committer = new OutboxCommitter(2);
        committer.register(outbox);
        Outbox readings = Outbox.open("tripoli/readings", dir.resolve("readings"), OutboxLimits.defaults(),
                new OutboxMetrics(registry, "tripoli", "reading"));
        committer.register(readings);
        queue = new DestinationQueue("tripoli", outbox, readings, 0);
        committer.start();
    }

    @AfterEach
    void stop() {
        if (sink != null) {
            sink.close();
        }
        if (server != null) {
            server.stop(0);
        }
        committer.close();
    }

    private void handle(HttpExchange ex) throws IOException {
        byte[] body = ex.getRequestBody().readAllBytes();
        received.add(new Received(new String(body, StandardCharsets.UTF_8),
                ex.getRequestHeaders().getFirst("Content-Type"), ex.getRequestHeaders().getFirst("Authorization"),
                ex.getRequestHeaders().getFirst("Idempotency-Key"), ex.getRequestHeaders().getFirst("X-Crossing")));
        Integer status;
        synchronized (script) {
            status = script.isEmpty() ? 200 : script.poll();
        }
        if (status == 503) {
            ex.getResponseHeaders().add("Retry-After", "0");
        }
        byte[] answer = (status >= 400 ? "{\"error\":\"status " + status + "\"}" : "").getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, answer.length == 0 ? -1 : answer.length);
        ex.getResponseBody().write(answer);
        ex.close();
    }

    private String startHttp(Integer... statuses) throws IOException {
        script.addAll(List.of(statuses));
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/alerts", this::handle);
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/alerts";
    }

    private WebhookCentreConfig config(String url, String format, TlsConfig tls, boolean insecure) {
        return new WebhookCentreConfig("tripoli", "webhook", format, url, Map.of("X-Crossing", "ras-ajdir"), null,
                null, 2000, tls, insecure, 5, 20, null, null, null, null);
    }

    private void start(WebhookCentreConfig config) {
        sink = new WebhookSink(config, "ras-ajdir-gw", queue, new SinkMetrics(registry, "tripoli"),
                Clock.systemUTC());
        sink.start();
    }

    private static Alert alert(int n, AlertState state) {
        Instant raised = Instant.parse("2026-11-26T06:30:00Z").plusSeconds(n);
        return Alert.builder()
                .alertId("queue-surge/cnt-0" + n + "/" + raised.toEpochMilli())
                .rule("queue-surge")
                .state(state)
                .severity("warning")
                .site("ras-ajdir")
                .device("cnt-0" + n)
                .subjectKind("device")
                .subject("cnt-0" + n)
                .kind("vehicle_count")
                .field("count_total")
                .value(64.0)
                .threshold(40.0)
                .firstSeen(raised)
                .lastSeen(state == AlertState.RAISED ? raised : raised.plusSeconds(600))
                .raisedAt(raised)
                .at(state == AlertState.RAISED ? raised : raised.plusSeconds(600))
                .tags(Map.of("lat", "32.88", "lon", "11.55"))
                .build();
    }

    private void append(Alert... alerts) throws Exception {
        for (Alert a : alerts) {
            outbox.append(OutboxRecord.ALERT, AlertJson.encode(a, "ras-ajdir-gw"));
        }
    }

    private double counter(String name, String tagKey, String tagValue) {
        var c = registry.find(name).tag(tagKey, tagValue).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void unavailableCentreIsRetriedUntilItAcceptsAndOrderIsKept() throws Exception {
        String url = startHttp(503, 503, 500);
        append(alert(1, AlertState.RAISED), alert(2, AlertState.RAISED), alert(1, AlertState.CLEARED));
        start(config(url, "json", null, true));

        await().atMost(Duration.ofSeconds(10)).until(() -> outbox.acknowledgedSeq() == 3);
        assertThat(received).extracting(Received::idempotencyKey).containsExactly(
                "queue-surge/cnt-01/1795674601000:raised", "queue-surge/cnt-01/1795674601000:raised",
                "queue-surge/cnt-01/1795674601000:raised", "queue-surge/cnt-01/1795674601000:raised",
                "queue-surge/cnt-02/1795674602000:raised", "queue-surge/cnt-01/1795674601000:cleared");
        assertThat(received.get(0).body()).isEqualTo(received.get(3).body());
        assertThat(received.get(0).contentType()).isEqualTo("application/json");
        assertThat(received.get(0).crossing()).isEqualTo("ras-ajdir");
        assertThat(received.get(0).authorization()).isNull();
        assertThat(counter("limes.errors", "error_type", "http_503")).isEqualTo(2);
        assertThat(counter("limes.errors", "error_type", "http_500")).isEqualTo(1);
        assertThat(counter("limes.sink.delivered", "destination", "tripoli")).isEqualTo(3);
        assertThat(counter("limes.dropped", "reason", "rejected_by_centre")).isZero();
    }

    @Test
    void aRejectedAlertIsDroppedAndTheRestFlowOnButAuthFailuresAreRetried() throws Exception {
        String url = startHttp(401, 400, 422);
        append(alert(1, AlertState.RAISED), alert(2, AlertState.RAISED), alert(3, AlertState.RAISED));
        outbox.append(OutboxRecord.ALERT, "{not json".getBytes(StandardCharsets.UTF_8));
        append(alert(4, AlertState.RAISED));
        start(config(url, "json", null, true));

        await().atMost(Duration.ofSeconds(10)).until(() -> outbox.acknowledgedSeq() == 5);
        // 401 retried the same alert; 400 dropped it; 422 dropped the next; the unreadable record never reached the wire.
        assertThat(received).extracting(Received::idempotencyKey).containsExactly(
                "queue-surge/cnt-01/1795674601000:raised", "queue-surge/cnt-01/1795674601000:raised",
                "queue-surge/cnt-02/1795674602000:raised", "queue-surge/cnt-03/1795674603000:raised",
                "queue-surge/cnt-04/1795674604000:raised");
        assertThat(counter("limes.dropped", "reason", "rejected_by_centre")).isEqualTo(2);
        assertThat(counter("limes.dropped", "reason", "undecodable")).isEqualTo(1);
        assertThat(counter("limes.errors", "error_type", "http_401")).isEqualTo(1);
        assertThat(counter("limes.sink.delivered", "destination", "tripoli")).isEqualTo(2);
    }

    @Test
    void capOverHttpsWithABearerTokenTrustsOnlyTheConfiguredCa() throws Exception {
        TestCertificates certs = TestCertificates.selfSigned(dir.resolve("tls"), "centre");
        HttpsServer https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        https.setHttpsConfigurator(new HttpsConfigurator(certs.serverContext()));
        https.createContext("/alerts", this::handle);
        https.start();
        server = https;
        String url = "https://127.0.0.1:" + https.getAddress().getPort() + "/alerts";
        Path token = Files.writeString(dir.resolve("token"), "s3cret-token\n");
        append(alert(1, AlertState.RAISED));

        // The JVM's own roots do not include the test CA: nothing is delivered, the failure is counted.
        start(new WebhookCentreConfig("tripoli", "webhook", "cap", url, Map.of(), token.toString(), null, 2000, null,
                false, 5, 20, null, null, null, null));
        await().atMost(Duration.ofSeconds(10)).until(() -> counter("limes.errors", "error_type", "unavailable") >= 2);
        assertThat(received).isEmpty();
        assertThat(outbox.acknowledgedSeq()).isZero();
        sink.close();
        outbox.rewind();

        start(new WebhookCentreConfig("tripoli", "webhook", "cap", url, Map.of(), token.toString(), null, 2000,
                new TlsConfig(certs.certPem().toString(), null, null), false, 5, 20, null, null, null, null));
        await().atMost(Duration.ofSeconds(10)).until(() -> outbox.acknowledgedSeq() == 1);
        Received r = received.get(0);
        assertThat(r.authorization()).isEqualTo("Bearer s3cret-token");
        assertThat(r.contentType()).isEqualTo("application/cap+xml");
        assertThat(r.body()).contains("<identifier>queue-surge/cnt-01/1795674601000:raised</identifier>")
                .contains("<msgType>Alert</msgType>");
    }
}
