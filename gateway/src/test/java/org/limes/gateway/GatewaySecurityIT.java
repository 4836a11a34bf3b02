package org.limes.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.drivers.Drivers;
import org.limes.gateway.config.ConfigLoader;
import org.limes.gateway.config.GatewayConfig;
import org.limes.gateway.embedded.QuestDbClient;
import org.limes.gateway.privacy.PlatePseudonymiser;
import org.limes.gateway.source.PipelineFixture;
import org.limes.gateway.source.TestPki;
import org.limes.gateway.testing.MqttTestSubscriber;
import org.limes.gateway.tls.TestCertificates;
import org.slf4j.LoggerFactory;

/**
 * A whole gateway run with known secrets, attacked from the network: a wrong and a missing
 * bearer token, a replayed frame, a device with a valid certificate reporting as another, a
 * certificate from a foreign CA, a centre whose server certificate is not trusted. Plates
 * reach the store only as keyed hashes. Afterwards no secret appears in anything it logged
 * (at DEBUG for Limes) or in its metrics.
 */
class GatewaySecurityIT {

    private static final String INGEST_TOKEN = "ingest-T0ken-7f3a9c1e5b";
    private static final String CENTRE_PASSWORD = "centre-Passw0rd-e2d4b6a8";
    private static final String WEBHOOK_TOKEN = "webhook-T0ken-91c3e5a7f2";
    private static final String PLATE_KEY = "plate-Key-0f1e2d3c4b5a69788796a5b4c3d2e1f0";
    private static final String CENTRE_PLATE_KEY = "centre-plate-Key-8e7d6c5b4a39281706f5e4d3";

    @TempDir
    Path dir;

    private Gateway gateway;
    private final List<AutoCloseable> open = new ArrayList<>();
    private HttpsServer centre;
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final Logger limes = (Logger) LoggerFactory.getLogger("org.limes");
    private Level limesLevel;

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (centre != null) {
            centre.stop(0);
        }
        root.detachAppender(logs);
        logs.stop();
        if (limesLevel != null) {
            limes.setLevel(limesLevel);
        }
    }

    @Test
    void attacksFromTheNetworkFailAndNoSecretLeaks() throws Exception {
        limesLevel = limes.getLevel();
        limes.setLevel(Level.DEBUG);
        logs.start();
        root.addAppender(logs);

        TestPki pki = new TestPki(dir);
        Path[] server = pki.server();
        TestCertificates untrusted = TestCertificates.selfSigned(dir.resolve("centre-tls"), "centre");
        AtomicInteger centreRequests = new AtomicInteger();
        centre = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        centre.setHttpsConfigurator(new HttpsConfigurator(untrusted.serverContext()));
        centre.createContext("/alerts", ex -> {
            centreRequests.incrementAndGet();
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        centre.start();

        String yaml = """
                name: sec-gw
                data_dir: %s
                mqtt: {broker: embedded, port: 0}
                store:
                  kind: embedded
                  http_port: 0
                  pseudonymise_plates: {key_file: %s}
                admin: {host: 127.0.0.1, port: 0}
                sources:
                  - type: http
                    name: ingest
                    host: 127.0.0.1
                    port: 0
                    token_file: %s
                    drivers: [{driver: counter-json}, {driver: camera-json}]
                  - type: http
                    name: ingest-mtls
                    host: 127.0.0.1
                    port: 0
                    drivers: [{driver: counter-json}]
                    tls: {cert_file: %s, key_file: %s, client_ca_file: %s}
                inventory:
                  devices:
                    - {id: cnt-01, site: ras-ajdir, class: counter, lane: "1"}
                    - {id: cnt-02, site: ras-ajdir, class: counter, lane: "2"}
                    - {id: cam-01, site: ras-ajdir, class: camera, lane: "1"}
                rules:
                  - {id: queue-surge, type: threshold, kind: vehicle_count, field: count_total, raise_above: 40,
                     clear_below: 20}
                  - {id: watchlist, type: watchlist, list_file: %s, passage_window: 10m}
                centres:
                  - {name: tripoli, topic: test/centre/tripoli, username: limes-gw, password_file: %s,
                     pseudonymise_plates: {key_file: %s}}
                  - {name: benghazi, type: webhook, url: "https://127.0.0.1:%d/alerts", token_file: %s,
                     timeout_ms: 2000, retry_initial_ms: 50, retry_max_ms: 200}
                outbox: {max_bytes: 67108864, segment_bytes: 1048576, sync_interval_ms: 5}
                """.formatted(path(dir.resolve("data")), secret("plate.key", PLATE_KEY),
                secret("ingest.token", INGEST_TOKEN), path(server[0]), path(server[1]), path(pki.caFile()),
                secret("watchlist.txt", "5-123456,stolen"), secret("centre.password", CENTRE_PASSWORD),
                secret("centre-plate.key", CENTRE_PLATE_KEY), centre.getAddress().getPort(),
                secret("webhook.token", WEBHOOK_TOKEN));
        Drivers drivers = Drivers.load();
        GatewayConfig config = new ConfigLoader(drivers).parse(dir.resolve("sec.yml").toString(), yaml);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        gateway = Gateway.start(config, drivers, registry, Clock.systemUTC());
        // What Tripoli (no clearance for plates) receives.
        List<String> tripoli = new java.util.concurrent.CopyOnWriteArrayList<>();
        open.add(MqttTestSubscriber.start(gateway.brokerUri(), "sec-it-tripoli", List.of("test/centre/tripoli"),
                (t, m) -> tripoli.add(new String(m.getPayload(), java.nio.charset.StandardCharsets.UTF_8))));
        HttpClient plain = HttpClient.newHttpClient();
        String ingest = "http://127.0.0.1:" + gateway.listenerPort("ingest") + "/ingest/";

        // Wrong token, no token: 401, counted, nothing stored.
        String surge = PipelineFixture.counterJson("cnt-01", 45);
        assertThat(post(plain, ingest + "counter-json", surge, "not-the-token").statusCode()).isEqualTo(401);
        assertThat(post(plain, ingest + "counter-json", surge, null).statusCode()).isEqualTo(401);
        assertThat(count(registry, "limes.errors", "error_type", "unauthorised")).isEqualTo(2.0);

        // The right token, then the same frame replayed: both accepted, stored once.
        assertThat(post(plain, ingest + "counter-json", surge, INGEST_TOKEN).statusCode()).isEqualTo(200);
        assertThat(post(plain, ingest + "counter-json", surge, INGEST_TOKEN).statusCode()).isEqualTo(200);

        // A plate: the store gets its keyed hash.
        String anpr = "{\"type\":\"anpr_read\",\"device\":\"cam-01\",\"time\":\"2026-11-26T06:00:00Z\","
                + "\"plate\":\"5-123456\",\"confidence_pct\":97.5}";
        assertThat(post(plain, ingest + "camera-json", anpr, INGEST_TOKEN).statusCode()).isEqualTo(200);

        // Mutual TLS: cnt-01's certificate may report cnt-01, not cnt-02.
        String mtls = "https://127.0.0.1:" + gateway.listenerPort("ingest-mtls") + "/ingest/counter-json";
        HttpClient cnt01 = HttpClient.newBuilder().sslContext(pki.client("cnt-01")).build();
        HttpResponse<String> spoofed = post(cnt01, mtls, PipelineFixture.counterJson("cnt-02", 7), null);
        assertThat(spoofed.statusCode()).isEqualTo(400);
        assertThat(spoofed.body()).contains("authenticated as 'cnt-01'");
        assertThat(post(cnt01, mtls, PipelineFixture.counterJson("cnt-01", 8), null).statusCode()).isEqualTo(200);
        assertThat(count(registry, "limes.dropped", "reason", "identity_mismatch")).isEqualTo(1.0);

        TestPki foreign = new TestPki(Files.createDirectories(dir.resolve("foreign")));
        HttpClient forged = HttpClient.newBuilder().sslContext(foreign.client("cnt-01", pki)).build();
        assertThatThrownBy(() -> post(forged, mtls, PipelineFixture.counterJson("cnt-01", 9), null))
                .isInstanceOf(IOException.class);
        SSLContext anonymous = pki.client(null);
        assertThatThrownBy(() -> post(HttpClient.newBuilder().sslContext(anonymous).build(), mtls,
                PipelineFixture.counterJson("cnt-01", 10), null)).isInstanceOf(IOException.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> count(registry, "limes.errors", "error_type", "tls") >= 2);

        QuestDbClient store = new QuestDbClient(gateway.storeUrl());
        await().atMost(Duration.ofSeconds(60)).until(() -> gateway.outboxes().get(Gateway.STORE_DESTINATION).depth()
                == 0 && store.count("vehicle_count") >= 2 && store.count("anpr_read") >= 1);
        assertThat(store.count("vehicle_count")).as("the replayed frame overwrote its first copy").isEqualTo(2);
        String plates = store.exec("SELECT plate FROM anpr_read").path("dataset").toString();
        assertThat(plates).contains(new PlatePseudonymiser(PLATE_KEY.getBytes()).hash("5-123456"))
                .doesNotContain("123456\"");

        // The alert reached the MQTT centre; the webhook centre's certificate is not trusted, so it got nothing.
        await().atMost(Duration.ofSeconds(20)).until(() -> gateway.outboxes().get("tripoli").depth() == 0
                && count(registry, "limes.errors", "component", "sink-benghazi") >= 2);
        assertThat(centreRequests.get()).isZero();
        // Tripoli got the watchlist hit with the plate as its own keyed hash, never the plate.
        String centreHash = new PlatePseudonymiser(CENTRE_PLATE_KEY.getBytes()).hash("5123456");
        await().atMost(Duration.ofSeconds(20)).until(() -> tripoli.stream().anyMatch(m -> m.contains(
                "\"rule\":\"watchlist\"")));
        assertThat(tripoli).filteredOn(m -> m.contains("\"rule\":\"watchlist\"")).allMatch(m -> m.contains(
                centreHash)).noneMatch(m -> m.contains("123456\"") || m.contains("5123456"));
        assertThat(store.exec("SELECT alert_id FROM alert WHERE rule = 'watchlist'").path("dataset").toString())
                .contains(new PlatePseudonymiser(PLATE_KEY.getBytes()).hash("5123456")).doesNotContain("5123456");
        assertThat(gateway.outboxes().get("benghazi").depth())
                .as("queue-surge raised, then cleared by cnt-01's next count; the watchlist hit raised").isEqualTo(3);

        String metrics = plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.adminPort()
                + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("limes_dropped");
        List<String> logged = new ArrayList<>();
        for (ILoggingEvent e : List.copyOf(logs.list)) {
            logged.add(e.getFormattedMessage());
            if (e.getThrowableProxy() != null) {
                logged.add(ThrowableProxyUtil.asString(e.getThrowableProxy()));
            }
        }
        assertThat(logged).as("the gateway logged").hasSizeGreaterThan(10);
        for (String secret : List.of(INGEST_TOKEN, CENTRE_PASSWORD, WEBHOOK_TOKEN, PLATE_KEY, CENTRE_PLATE_KEY)) {
            assertThat(metrics).doesNotContain(secret);
            assertThat(registry.scrape()).doesNotContain(secret);
            assertThat(logged).noneMatch(line -> line.contains(secret));
        }
        assertThat(logged).noneMatch(line -> line.contains("5-123456") || line.contains("5123456"));
    }

    private String secret(String file, String value) throws IOException {
        return path(Files.writeString(dir.resolve(file), value + "\n"));
    }

    private static String path(Path p) {
        return p.toString().replace("\\", "/");
    }

    private static HttpResponse<String> post(HttpClient client, String url, String body, String token)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static double count(PrometheusMeterRegistry registry, String name, String tag, String value) {
        return registry.find(name).tag(tag, value).counters().stream().mapToDouble(Counter::count).sum();
    }
}
