package org.limes.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.limes.drivers.Drivers;
import org.limes.gateway.config.ConfigLoader;
import org.limes.gateway.config.GatewayConfig;
import org.limes.simulator.load.CounterFleet;
import org.limes.simulator.load.FleetResult;
import org.limes.simulator.load.ProgressListener;

/**
 * The admin API and the status page on a running gateway (embedded HiveMQ and QuestDB) while
 * the simulator's counter fleet publishes: cnt-02 surges (the queue-surge alert opens), cnt-09
 * is in the inventory but never reports (silent once its 2 s interval has passed). The page
 * is loaded in headless Chromium ({@code /usr/bin/chromium}; skipped where absent), its DOM
 * asserted, and a screenshot saved as {@code target/status-page.png}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StatusPageIT {

    private static final String TOKEN = "field-laptop-token-7f3a";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    private Gateway gateway;
    private CompletableFuture<FleetResult> fleet;
    private final CounterFleet counters = new CounterFleet();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    void startGatewayAndFleet() throws Exception {
        Path tokenFile = dir.resolve("admin.token");
        Files.writeString(tokenFile, TOKEN + "\n");
        Path rules = dir.resolve("rules.yml");
        Files.writeString(rules, "- {id: queue-surge, type: threshold, kind: vehicle_count, field: count_total, "
                + "raise_above: 40, clear_below: 20, severity: warning}\n");
        String yaml = """
                name: ras-ajdir-gw
                data_dir: %s
                mqtt: {broker: embedded, port: 0}
                store: {kind: embedded, http_port: 0}
                admin: {host: 127.0.0.1, port: 0, token_file: %s}
                sources:
                  - {name: devices, type: mqtt, client_id: limes-status-it,
                     topics: [{filter: "crossing/+/counter/+", driver: counter-json}]}
                inventory:
                  classes:
                    counter: {expected_interval: 2s}
                  devices:
                    - {id: cnt-01, site: ras-ajdir, class: counter, lane: "1"}
                    - {id: cnt-02, site: ras-ajdir, class: counter, lane: "2"}
                    - {id: cnt-03, site: ras-ajdir, class: counter, lane: "3"}
                    - {id: cnt-04, site: ras-ajdir, class: counter, lane: "4"}
                    - {id: cnt-09, site: ras-ajdir, class: counter, lane: "9"}
                rules_file: rules.yml
                centres:
                  - {name: tripoli, topic: test/centre/tripoli}
                  - {name: benghazi, topic: test/centre/benghazi}
                outbox: {max_bytes: 67108864, segment_bytes: 1048576}
                """.formatted(dir.resolve("data").toString().replace("\\", "/"),
                tokenFile.toString().replace("\\", "/"));
        Path config = dir.resolve("gw.yml");
        Files.writeString(config, yaml);
        Drivers drivers = Drivers.load();
        GatewayConfig c = new ConfigLoader(drivers).load(config);
        gateway = Gateway.start(c, drivers, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                Clock.systemUTC());
        await().atMost(Duration.ofSeconds(30)).until(gateway::sourcesReady);
        // The fleet and cnt-02's surge last longer than the class (stopped in stop()), so the alert is
        // still open and cnt-02 still reporting whenever a test looks, however loaded the machine is.
        CounterFleet.Options options = new CounterFleet.Options(gateway.brokerUri(), 4, 60, Duration.ofMinutes(10),
                7L, "ras-ajdir", "cnt", "crossing", 1, "cnt-02", Duration.ofSeconds(1), Duration.ofMinutes(10),
                "status-fleet");
        fleet = CompletableFuture.supplyAsync(() -> {
            try {
                return counters.run(options, Clock.systemUTC(), ProgressListener.NONE);
            } catch (Exception e) {
                throw new IllegalStateException("the simulator fleet failed", e);
            }
        });
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode alerts = api("/api/alerts");
            assertThat(alerts.path("open").findValuesAsText("rule")).contains("queue-surge");
            assertThat(device(api("/api/devices"), "cnt-09").path("state").asText()).isEqualTo("silent");
        });
    }

    @AfterAll
    void stop() {
        if (fleet != null) {
            counters.stop();
            fleet.exceptionally(e -> null).join();
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void theApiShowsDevicesAlertsLiveValuesAndDestinations() throws Exception {
        JsonNode devices = api("/api/devices");
        assertThat(device(devices, "cnt-02").path("state").asText()).isEqualTo("ok");
        assertThat(device(devices, "cnt-02").path("clock_skew_ms").isNumber()).isTrue();
        assertThat(device(devices, "cnt-02").path("device_class").asText()).isEqualTo("counter");
        assertThat(device(devices, "cnt-09").path("state_reason").asText()).contains("never heard");
        assertThat(devices.path("devices").get(0).path("state").asText()).isEqualTo("silent");

        JsonNode open = api("/api/alerts").path("open").get(0);
        assertThat(open.path("alert_id").asText()).startsWith("ras-ajdir-gw/queue-surge/cnt-02/");
        assertThat(open.path("state").asText()).isEqualTo("raised");
        assertThat(open.path("value").asDouble()).isGreaterThan(40);

        JsonNode live = api("/api/live").path("devices").path("cnt-01");
        assertThat(live.get(0).path("kind").asText()).isEqualTo("vehicle_count");
        assertThat(live.get(0).path("fields").has("count_total")).isTrue();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode destinations = api("/api/destinations").path("destinations");
            assertThat(destinations.findValuesAsText("name")).containsExactly("store", "tripoli", "benghazi");
            for (JsonNode d : destinations) {
                assertThat(d.path("last_ack").isTextual()).as("%s acknowledged", d.path("name")).isTrue();
                assertThat(d.path("oldest_unacked_age_ms").asLong()).isLessThan(10_000);
            }
        });

        JsonNode status = api("/api/status");
        assertThat(status.path("gateway").asText()).isEqualTo("ras-ajdir-gw");
        assertThat(status.path("ingest_rate_per_s").asDouble()).isGreaterThan(0);
    }

    @Test
    void withoutTheTokenTheApiAndMetricsAnswer401AndHealthAndThePageStayOpen() throws Exception {
        for (String path : List.of("/api/devices", "/api/status", "/metrics")) {
            HttpResponse<String> r = get(path, null);
            assertThat(r.statusCode()).as(path).isEqualTo(401);
            assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"limes-admin\"");
        }
        assertThat(get("/api/devices", TOKEN + "x").statusCode()).isEqualTo(401);
        assertThat(get("/health", null).statusCode()).isEqualTo(200);
        HttpResponse<String> page = get("/", null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<script src=\"status.js\"");
        assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow()).contains("default-src 'none'");
        assertThat(get("/metrics", TOKEN).body()).contains("limes_errors_total{component=\"admin\"");
    }

    @Test
    void postingARuleReloadAppliesTheChangedFile() throws Exception {
        Path rules = Path.of(gateway.config().rulesFile());
        Files.writeString(rules, Files.readString(rules) + "- {id: silent, type: deadman, class: counter}\n");
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(admin("/api/rules/reload"))
                .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).path("message").asText()).isEqualTo("rules in force: [queue-surge, silent]");
        assertThat(get("/api/rules/reload", TOKEN).statusCode()).isEqualTo(405);
    }

    @Test
    void theStatusPageInHeadlessChromiumShowsTheRaisedAlertAndTheSilentDeviceInRed() throws Exception {
        Assumptions.assumeTrue(HeadlessChromium.present(), "no " + HeadlessChromium.CHROMIUM + " on this machine");
        String url = "http://127.0.0.1:" + gateway.adminPort() + "/#token=" + TOKEN;
        HeadlessChromium chromium = new HeadlessChromium(dir);

        String dom = chromium.dumpDom(url, 6000);
        assertThat(dom).contains("data-loaded=\"true\"");
        assertThat(dom).containsPattern("class=\"device state-silent\" data-device=\"cnt-09\" data-state=\"silent\"");
        assertThat(dom).containsPattern("class=\"device state-ok\" data-device=\"cnt-02\"");
        assertThat(dom).containsPattern("<tr class=\"warning\" data-alert-id=\"ras-ajdir-gw/queue-surge/cnt-02/\\d+\" "
                + "data-rule=\"queue-surge\"");
        assertThat(dom).contains("data-destination=\"tripoli\"").contains("data-ready=\"true\"");
        assertThat(dom).as("no device has a location: the map says so").contains("no zones, located devices");

        chromium.screenshot(url, 6000, 1280, 900, Path.of("target", "status-page.png"));
    }

    private JsonNode device(JsonNode devices, String id) {
        for (JsonNode d : devices.path("devices")) {
            if (d.path("id").asText().equals(id)) {
                return d;
            }
        }
        throw new AssertionError("no device " + id + " in " + devices);
    }

    private JsonNode api(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = get(path, TOKEN);
        assertThat(r.statusCode()).as("%s: %s", path, r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private HttpResponse<String> get(String path, String token) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(admin(path)).timeout(Duration.ofSeconds(10)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI admin(String path) {
        return URI.create("http://127.0.0.1:" + gateway.adminPort() + path);
    }
}
