package org.limes.simulator.demo;

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
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.drivers.Drivers;
import org.limes.gateway.Gateway;
import org.limes.gateway.HeadlessChromium;
import org.limes.gateway.config.ConfigLoader;
import org.limes.gateway.config.GatewayConfig;
import org.limes.gateway.rules.GeofenceZone;
import org.limes.gateway.rules.GeofenceZonesFile;
import org.limes.simulator.scenario.ScenarioResult;
import org.limes.simulator.scenario.ScenarioRunner;

/**
 * The status page's map in headless Chromium while the demo's whole crossing plays
 * ({@link CrossingScenario}, 90 s, on {@code config/demo.yml} with free ports and a temporary
 * folder): once track 900 is inside the exclusion zone and its geofence alert is open, the page's
 * SVG map holds the zone polygon, the track's polyline (points on both sides of the zone's edge),
 * a marker for every located device and the geofence alert's marker; the device panel shows the
 * radar's last frame beside its normalised reading. Screenshots are saved as
 * {@code target/status-page-crossing.png} and {@code target/status-page-device.png} (the README's
 * pictures are copies under {@code config/docs/}).
 */
class CrossingStatusPageIT {

    private static final Path CONFIG = Path.of("..", "config", "demo.yml");
    private static final Path ZONES = Path.of("..", "config", "zones", "ras-ajdir-exclusion.geojson");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Gateway gateway;
    private ScenarioRunner runner;
    private CompletableFuture<ScenarioResult> played;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void stop() {
        if (runner != null) {
            runner.stop();
            played.exceptionally(e -> null).join();
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void theMapShowsTheZoneTheTrackCrossingItTheDevicesAndTheGeofenceAlert() throws Exception {
        Assumptions.assumeTrue(HeadlessChromium.present(), "no " + HeadlessChromium.CHROMIUM + " on this machine");
        Drivers drivers = Drivers.load();
        GatewayConfig config = DemoCommand.forThisMachine(new ConfigLoader(drivers).load(CONFIG), dir.resolve("data"),
                true);
        gateway = Gateway.start(config, drivers, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                Clock.systemUTC());
        await().atMost(Duration.ofSeconds(30)).until(gateway::sourcesReady);
        runner = new ScenarioRunner(CrossingScenario.of(Duration.ofSeconds(90), 20, gateway.brokerUri(), 18L),
                Clock.systemUTC());
        played = CompletableFuture.supplyAsync(() -> {
            try {
                return runner.run(p -> { }, null);
            } catch (Exception e) {
                throw new IllegalStateException("the crossing scenario failed", e);
            }
        });
        GeofenceZone zone = GeofenceZonesFile.read(ZONES).stream().filter(z -> z.name().equals("exclusion-north"))
                .findFirst().orElseThrow();

        // Track 900 enters the zone about 26 s in and leaves about 62 s in: wait until two of its
        // positions are inside and its alert is open.
        await().atMost(Duration.ofSeconds(75)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            JsonNode map = api("/api/map");
            assertThat(map.path("alerts").findValuesAsText("rule")).contains("exclusion-zone");
            JsonNode track = trackOf(map, "rdr-1:900");
            long inside = 0;
            for (JsonNode p : track.path("points")) {
                inside += zone.contains(p.get(0).asDouble(), p.get(1).asDouble()) ? 1 : 0;
            }
            assertThat(inside).isGreaterThanOrEqualTo(2);
        });

        String url = "http://127.0.0.1:" + gateway.adminPort() + "/";
        HeadlessChromium chromium = new HeadlessChromium(dir);
        String dom = chromium.dumpDom(url + "#device=rdr-1", 6000);
        assertThat(dom).contains("data-loaded=\"true\"").contains("data-drawn=\"true\"");
        assertThat(dom).containsPattern("<path class=\"zone\" d=\"M[^\"]+Z M[^\"]+Z\" fill-rule=\"evenodd\"[^>]*"
                + "data-zone=\"exclusion-north\" data-rule=\"exclusion-zone\"");
        for (String device : List.of("cnt-01", "cnt-08", "anpr-03", "anpr-05", "rdr-1")) {
            assertThat(dom).as("marker of %s", device).containsPattern("<g class=\"dev state-\\w+\" data-device=\""
                    + device + "\"");
        }
        assertThat(dom).contains("data-device=\"rdr-1\" data-class=\"radar\"");
        assertThat(dom).containsPattern("<g class=\"alert-marker severity-critical\" data-alert-id=\"ras-ajdir-demo/"
                + "exclusion-zone/rdr-1:900@exclusion-north/\\d+\" data-alert-rule=\"exclusion-zone\"");

        // The polyline crosses the zone: in the page's own projection, some of its points fall
        // inside the zone's drawn outer ring and some outside.
        Matcher line = Pattern.compile("<polyline class=\"track\" data-track=\"rdr-1:900\"[^>]* points=\"([^\"]+)\"")
                .matcher(dom);
        assertThat(line.find()).as("track 900's polyline in %s", dom).isTrue();
        double[] box = outerBox(dom);
        int in = 0;
        int out = 0;
        for (String xy : line.group(1).split(" ")) {
            double x = Double.parseDouble(xy.split(",")[0]);
            double y = Double.parseDouble(xy.split(",")[1]);
            boolean inside = x > box[0] && x < box[1] && y > box[2] && y < box[3];
            in += inside ? 1 : 0;
            out += inside ? 0 : 1;
        }
        assertThat(in).as("points of the polyline inside the zone").isGreaterThanOrEqualTo(2);
        assertThat(out).as("points of the polyline south of the zone").isGreaterThanOrEqualTo(1);

        assertThat(dom).as("the radar's last frame beside its normalised reading")
                .containsPattern("<pre id=\"frame-text\">\\$RA(TTM|TLL),").contains("\"device_class\": \"radar\"");
        assertThat(dom).as("a sparkline per device").containsPattern("<svg class=\"spark\"");

        chromium.screenshot(url, 6000, 1280, 1000, Path.of("target", "status-page-crossing.png"));
        chromium.screenshot(url + "#device=rdr-1", 6000, 1280, 1500, Path.of("target", "status-page-device.png"));
    }

    /** The x and y range of the exclusion zone's outer ring as the page drew it. */
    private static double[] outerBox(String dom) {
        Matcher zone = Pattern.compile("<path class=\"zone\" d=\"M([^Z]+)Z[^\"]*\"[^>]*data-zone=\"exclusion-north\"")
                .matcher(dom);
        assertThat(zone.find()).isTrue();
        List<double[]> points = new ArrayList<>();
        for (String step : zone.group(1).split("[ML]")) {
            String[] xy = step.trim().split(" ");
            if (xy.length == 2) {
                points.add(new double[] {Double.parseDouble(xy[0]), Double.parseDouble(xy[1])});
            }
        }
        double[] box = {Double.MAX_VALUE, -Double.MAX_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE};
        for (double[] p : points) {
            box[0] = Math.min(box[0], p[0]);
            box[1] = Math.max(box[1], p[0]);
            box[2] = Math.min(box[2], p[1]);
            box[3] = Math.max(box[3], p[1]);
        }
        return box;
    }

    private static JsonNode trackOf(JsonNode map, String id) {
        for (JsonNode t : map.path("tracks")) {
            if (t.path("id").asText().equals(id)) {
                return t;
            }
        }
        throw new AssertionError("no track " + id + " on the map yet");
    }

    private JsonNode api(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.adminPort()
                + path)).timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("%s: %s", path, r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }
}
