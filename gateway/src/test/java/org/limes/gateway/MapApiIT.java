package org.limes.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.drivers.Drivers;
import org.limes.drivers.Reading;
import org.limes.drivers.radar.nmea.NmeaRadarDriver;
import org.limes.gateway.config.ConfigLoader;
import org.limes.gateway.config.GatewayConfig;
import org.limes.gateway.rules.GeofenceZone;
import org.limes.gateway.rules.GeofenceZonesFile;

/**
 * {@code /api/map}, {@code /api/frames/<device>} and {@code /api/sparklines} on a running gateway
 * (embedded broker and store): a radar sends NMEA TLL sentences over a real TCP socket for a
 * track that walks through the exclusion zone of {@code config/zones/ras-ajdir-exclusion.geojson};
 * the map shows the zone with its hole, the located devices, the track's positions (some inside
 * the zone) and the geofence alert where the track entered; when the track leaves the alert
 * leaves the map, and when it is lost the track does.
 */
class MapApiIT {

    private static final Path ZONES = Path.of("..", "config", "zones", "ras-ajdir-exclusion.geojson")
            .toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path data;

    private Gateway gateway;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final NmeaRadarDriver nmea = new NmeaRadarDriver("rdr-1", true);

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void theMapShowsTheZoneDevicesTheTrackThroughTheZoneAndItsAlertUntilItLeaves() throws Exception {
        Drivers drivers = Drivers.load();
        GatewayConfig config = new ConfigLoader(drivers).parse("map-it.yml", """
                name: map-it
                data_dir: %s
                mqtt: {broker: embedded, port: 0}
                store: {kind: embedded, http_port: 0}
                admin: {host: 127.0.0.1, port: 0}
                sources:
                  - {type: tcp, name: radar, host: 127.0.0.1, port: 0, driver: radar-nmea, options: {device: rdr-1}}
                inventory:
                  devices:
                    - {id: rdr-1, site: ras-ajdir, class: radar, location: {lat: 32.8843, lon: 11.5548}}
                    - {id: cnt-01, site: ras-ajdir, class: counter, lane: "1", location: {lat: 32.8836, lon: 11.5556}}
                    - {id: cnt-02, site: ras-ajdir, class: counter, lane: "2"}
                rules:
                  - {id: exclusion-zone, type: geofence, zones_file: "%s"}
                outbox: {max_bytes: 67108864, segment_bytes: 1048576, sync_interval_ms: 5}
                """.formatted(data.toString().replace("\\", "/"), ZONES.toString().replace("\\", "/")));
        gateway = Gateway.start(config, drivers, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                Clock.systemUTC());
        GeofenceZone zone = GeofenceZonesFile.read(ZONES).stream().filter(z -> z.name().equals("exclusion-north"))
                .findFirst().orElseThrow();

        JsonNode empty = api("/api/map");
        assertThat(empty.path("zones").findValuesAsText("name")).containsExactly("exclusion-north", "fence-line");
        JsonNode north = empty.path("zones").get(0);
        assertThat(north.path("rule").asText()).isEqualTo("exclusion-zone");
        assertThat(north.path("polygons").get(0)).as("outer ring and a hole").hasSize(2);
        assertThat(north.path("polygons").get(0).get(0).get(0).get(0).asDouble()).isEqualTo(11.5540);
        assertThat(empty.path("devices").findValuesAsText("id")).as("cnt-02 has no location")
                .containsExactly("cnt-01", "rdr-1");
        assertThat(empty.path("devices").get(1).path("device_class").asText()).isEqualTo("radar");
        assertThat(empty.path("tracks")).isEmpty();
        assertThat(empty.path("limits").path("max_tracks").asInt()).isEqualTo(256);

        Instant t = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(30);
        try (Socket radar = new Socket("127.0.0.1", gateway.listenerPort("radar"))) {
            OutputStream out = radar.getOutputStream();
            // North along 11.5552 E, from south of the zone (32.8846) to inside it (32.8854 … 32.8870).
            for (int i = 0; i <= 6; i++) {
                send(out, tll(900, 32.8846 + i * 0.0004, 11.5552, t.plusSeconds(i)));
            }
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                JsonNode map = api("/api/map");
                JsonNode track = map.path("tracks").get(0);
                assertThat(track.path("id").asText()).isEqualTo("rdr-1:900");
                assertThat(track.path("points")).hasSize(7);
                List<Boolean> inside = new ArrayList<>();
                track.path("points").forEach(p -> inside.add(zone.contains(p.get(0).asDouble(), p.get(1).asDouble())));
                assertThat(inside).as("the track is drawn from outside into the zone").contains(true, false);
                JsonNode alert = map.path("alerts").get(0);
                assertThat(alert.path("rule").asText()).isEqualTo("exclusion-zone");
                assertThat(alert.path("zone").asText()).isEqualTo("exclusion-north");
                assertThat(alert.path("subject").path("id").asText()).isEqualTo("rdr-1:900");
                assertThat(zone.contains(alert.path("lon").asDouble(), alert.path("lat").asDouble()))
                        .as("the alert is pinned where the track entered").isTrue();
                assertThat(map.path("devices").get(1).path("state").asText()).isEqualTo("ok");
            });

            JsonNode frame = api("/api/frames/rdr-1");
            assertThat(frame.path("frame").path("driver").asText()).isEqualTo("radar-nmea");
            assertThat(frame.path("frame").path("text").asText()).startsWith("$RATLL,900,");
            assertThat(frame.path("frame").path("decoded").get(0).path("fields").has("lat_deg")).isTrue();
            assertThat(frame.path("normalised").get(0).path("tags").path("device_class").asText()).isEqualTo("radar");
            assertThat(get("/api/frames/nobody").statusCode()).isEqualTo(404);
            assertThat(api("/api/sparklines").path("devices").path("rdr-1")).hasSize(60);

            // On past the north edge (32.8880): the alert clears and leaves the map; the track stays.
            for (int i = 7; i <= 11; i++) {
                send(out, tll(900, 32.8846 + i * 0.0004, 11.5552, t.plusSeconds(i)));
            }
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                JsonNode map = api("/api/map");
                assertThat(map.path("alerts")).isEmpty();
                assertThat(map.path("tracks").get(0).path("points")).hasSize(12);
            });

            // Lost: off the map.
            send(out, nmea.encode(new Reading("rdr-1", "", "radar_track", Map.of("track", "900", "status", "lost"),
                    Map.of("target", 900L), t.plusSeconds(12), t.plusSeconds(12))));
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(api("/api/map").path("tracks")).isEmpty());
        }
    }

    private byte[] tll(int track, double lat, double lon, Instant at) {
        return nmea.encode(new Reading("rdr-1", "", "radar_track", Map.of("track", Integer.toString(track),
                "status", "tracking"), Map.of("target", (long) track, "lat_deg", lat, "lon_deg", lon), at, at));
    }

    private static void send(OutputStream out, byte[] sentence) throws IOException {
        out.write(sentence);
        out.write('\r');
        out.write('\n');
        out.flush();
    }

    private JsonNode api(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = get(path);
        assertThat(r.statusCode()).as("%s: %s", path, r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.adminPort() + path))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
