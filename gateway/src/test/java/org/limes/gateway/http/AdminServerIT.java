package org.limes.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AdminServerIT {

    private static final String HOST = "127.0.0.1";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicBoolean up = new AtomicBoolean(true);
    private final AtomicBoolean degraded = new AtomicBoolean();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private AdminServer server;

    @BeforeEach
    void start() {
        server = AdminServer.start(HOST, 0, registry, () -> new Health(up.get(), degraded.get(), Map.of("sources", 2)));
    }

    @AfterEach
    void stop() {
        server.close();
        registry.close();
    }

    @Test
    void healthReportsUpAndDown() throws Exception {
        HttpResponse<String> ok = send("GET", "/health");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.headers().firstValue("content-type")).hasValue("application/json; charset=utf-8");
        assertThat(ok.body()).contains("\"status\":\"UP\"").contains("\"sources\":2");

        up.set(false);
        HttpResponse<String> down = send("GET", "/health");
        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(down.body()).contains("\"status\":\"DOWN\"");
    }

    @Test
    void aDegradedGatewayAnswers200WithStatusDegraded() throws Exception {
        degraded.set(true);
        HttpResponse<String> health = send("GET", "/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"status\":\"DEGRADED\"");
    }

    @Test
    void metricsExposesRegisteredCounter() throws Exception {
        registry.counter("limes.readings.decoded", "driver", "counter").increment(5);
        HttpResponse<String> metrics = send("GET", "/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("content-type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(metrics.body()).contains("limes_readings_decoded_total{driver=\"counter\"} 5.0");
    }

    @Test
    void unknownPathIs404AndOtherMethodsAre405() throws Exception {
        assertThat(send("GET", "/admin").statusCode()).isEqualTo(404);
        HttpResponse<String> post = send("POST", "/metrics");
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("allow")).hasValue("GET, HEAD");
        assertThat(send("DELETE", "/health").statusCode()).isEqualTo(405);
    }

    @Test
    void oversizedRequestIsRejected() throws Exception {
        HttpRequest big = HttpRequest.newBuilder(URI.create("http://" + HOST + ":" + server.port() + "/health"))
                .method("GET", HttpRequest.BodyPublishers.ofByteArray(new byte[AdminInitializer.MAX_REQUEST_BYTES + 1]))
                .timeout(Duration.ofSeconds(10))
                .build();
        assertThat(http.send(big, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(413);
    }

    @Test
    void closeFreesThePortAndBusyPortFailsClearly() throws Exception {
        int port = server.port();
        assertThatThrownBy(() -> AdminServer.start(HOST, port, registry, () -> Health.up(Map.of())))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(HOST + ":" + port);
        server.close();
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName(HOST))) {
            assertThat(socket.getLocalPort()).isEqualTo(port);
        }
        server = AdminServer.start(HOST, 0, registry, () -> Health.up(Map.of()));
    }

    private HttpResponse<String> send(String method, String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + HOST + ":" + server.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(10))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void headIsAGetWithoutItsBody() throws Exception {
        HttpResponse<String> head = http.send(HttpRequest.newBuilder(URI.create("http://" + HOST + ":" + server.port()
                + "/")).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(head.headers().firstValue("Content-Length")).isPresent().isNotEqualTo(java.util.Optional.of("0"));
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://" + HOST + ":"
                + server.port() + "/health")).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
    }

    @Test
    void connectionsOverThePerPeerLimitAreClosedBeforeAnythingIsRead() throws Exception {
        java.util.List<java.net.Socket> open = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < AdminInitializer.MAX_CONNECTIONS_PER_PEER; i++) {
                open.add(new java.net.Socket(HOST, server.port()));
            }
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> registry.find(
                    "limes.source.connections").tag("source", "admin").gauge().value()
                    == AdminInitializer.MAX_CONNECTIONS_PER_PEER);
            try (java.net.Socket extra = new java.net.Socket(HOST, server.port())) {
                extra.setSoTimeout(5_000);
                extra.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
                assertThat(extra.getInputStream().read()).as("closed unanswered").isEqualTo(-1);
            } catch (java.net.SocketException reset) {
                // Closed before the request was written: refused all the same.
            }
            assertThat(registry.get("limes.dropped").tag("reason", "max_connections_per_peer").counter().count())
                    .isEqualTo(1.0);
        } finally {
            for (java.net.Socket s : open) {
                s.close();
            }
        }
        assertThat(http.send(HttpRequest.newBuilder(URI.create("http://" + HOST + ":" + server.port() + "/health"))
                .build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    }
}
