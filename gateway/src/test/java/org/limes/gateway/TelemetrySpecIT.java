package org.limes.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.drivers.Drivers;
import org.limes.gateway.config.ConfigLoader;
import org.limes.gateway.config.GatewayConfig;

/**
 * The telemetry spec — the table under "Telemetry" in the admin API's README — is checked
 * against a running gateway, both ways. A gateway is started with every component that
 * registers meters (TCP and HTTP sources, the rules, the outboxes, an MQTT and a webhook
 * centre, the picture store) and made to move every meter: a reading that raises an alert, a
 * malformed frame, a reading from a skewed clock, a camera read with pictures, more accepted
 * unknown devices than the rules evaluate, a burst through a small outbox write buffer, an
 * alert the webhook centre refuses for good, and a rules reload over the admin API. Then every
 * registered {@code limes.*} meter must be a row of the spec with that type and exactly those
 * tag keys, and every row must be registered and exported by {@code /metrics} under the name
 * the row gives.
 */
public class TelemetrySpecIT {

    public static final Path SPEC = Path.of("src", "main", "java", "org", "limes", "gateway", "http", "README.md");
    private static final String HEADER = "| meter | exported as | type | tags | meaning |";
    private static final Pattern CODE = Pattern.compile("`([^`]+)`");
    private static final int UNKNOWN_DEVICES = 10_050;
    /** Meters only a cluster-mode gateway registers. */
    public static final String CLUSTER_PREFIX = "limes.cluster.";

    @TempDir
    Path dir;

    private Gateway gateway;
    private HttpServer refusingCentre;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (refusingCentre != null) {
            refusingCentre.stop(0);
        }
    }

    /** One row of the spec. */
    public record Row(String name, String exported, String type, Set<String> tags) {
    }

    @Test
    void theRunningRegistryIsTheWrittenSpec() throws Exception {
        Map<String, Row> spec = spec(SPEC);
        // This gateway runs in single mode: the cluster rows are checked against a cluster-mode
        // gateway by ClusterIngestIT, and only there must they be registered.
        Map<String, Row> single = new LinkedHashMap<>(spec);
        single.keySet().removeIf(name -> name.startsWith(CLUSTER_PREFIX));
        assertThat(spec).as("rows of the telemetry spec").hasSizeGreaterThan(30)
                .containsKeys("limes.frames.received", "limes.sink.write", "limes.outbox.dead_lettered");

        refusingCentre = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        refusingCentre.createContext("/alerts", exchange -> {
            exchange.getRequestBody().readAllBytes();
            byte[] body = "{\"error\":\"schema\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(400, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        refusingCentre.start();

        Files.writeString(dir.resolve("rules.yml"), """
                - {id: surge, type: threshold, kind: vehicle_count, field: count_total, raise_above: 10,
                   clear_below: 5, for: 0s}
                - {id: clock, type: time_integrity}
                """);
        Path config = dir.resolve("gateway.yml");
        Files.writeString(config, """
                name: telemetry
                data_dir: %s
                mqtt: {broker: embedded, port: 0}
                store: {kind: embedded, http_port: 0}
                admin: {host: 127.0.0.1, port: 0}
                sources:
                  - {type: tcp, name: counters, host: 127.0.0.1, port: 0, driver: counter-json}
                  - type: http
                    name: cameras
                    host: 127.0.0.1
                    port: 0
                    drivers: [{driver: camera-hikvision, options: {device_from: channel_name}}]
                inventory:
                  unknown_devices: accept
                  devices:
                    - {id: cnt-01, site: ras-ajdir, class: counter, lane: "1"}
                limits: {max_readings_per_second_per_device: 1000000}
                rules_file: rules.yml
                centres:
                  - {name: tripoli, type: mqtt, topic: limes/alerts/tripoli}
                  - {name: refuser, type: webhook, url: "http://127.0.0.1:%d/alerts", allow_insecure_http: true,
                     retry_initial_ms: 10, retry_max_ms: 100}
                outbox: {max_record_bytes: 4096, buffer_bytes: 8192}
                pictures: {policy: keep}
                """.formatted(dir.resolve("data").toString().replace("\\", "/"),
                refusingCentre.getAddress().getPort()));
        Drivers drivers = Drivers.load();
        GatewayConfig c = new ConfigLoader(drivers).load(config);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        gateway = Gateway.start(c, drivers, registry, Clock.systemUTC());

        // A reading that raises an alert (to both centres: the webhook refuses it for good), a
        // malformed frame, a reading from a clock three days behind, then a burst of accepted
        // unknown devices: more than the rules evaluate, and more than the small outbox write
        // buffer takes between two group commits.
        try (Socket s = new Socket("127.0.0.1", gateway.listenerPort("counters"))) {
            OutputStream out = s.getOutputStream();
            StringBuilder lines = new StringBuilder()
                    .append(reading("cnt-01", Instant.now(), 30)).append('\n')
                    .append("{\"device\":\"cnt-01\",broken\n")
                    .append(reading("cnt-01", Instant.now().minus(Duration.ofDays(3)), 1)).append('\n');
            for (int i = 0; i < UNKNOWN_DEVICES; i++) {
                lines.append(reading("u-" + i, Instant.now(), 1)).append('\n');
            }
            out.write(lines.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            await().atMost(Duration.ofSeconds(120))
                    .until(() -> count(registry, "limes.frames.received") >= UNKNOWN_DEVICES + 3);
        }

        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> camera = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + gateway.listenerPort("cameras") + "/ingest/camera-hikvision"))
                .header("Content-Type", "multipart/form-data; boundary=MIME_boundary")
                .POST(HttpRequest.BodyPublishers.ofByteArray(anprPush(Instant.now()))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(camera.statusCode()).as("camera push answered %s", camera.body()).isEqualTo(200);

        HttpResponse<String> reload = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + gateway.adminPort() + "/api/rules/reload"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(reload.statusCode()).as("reload answered %s", reload.body()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(120)).untilAsserted(
                () -> assertThat(notRegistered(single, registry)).as("spec rows not registered").isEmpty());

        // Every registered limes.* meter is in the spec, with its type and tag keys.
        List<String> wrong = new ArrayList<>();
        Map<String, Set<String>> seenTags = new TreeMap<>();
        for (Meter m : registry.getMeters()) {
            Meter.Id id = m.getId();
            if (!id.getName().startsWith("limes.")) {
                continue;
            }
            Row row = spec.get(id.getName());
            Set<String> tags = id.getTags().stream().map(Tag::getKey).collect(Collectors.toCollection(TreeSet::new));
            seenTags.put(id.getName(), tags);
            if (row == null) {
                wrong.add(id.getName() + " is registered (" + type(id) + ", tags " + tags + ") but not in the spec");
            } else if (!row.type().equals(type(id))) {
                wrong.add(id.getName() + " is a " + type(id) + ", the spec says " + row.type());
            } else if (!row.tags().equals(tags)) {
                wrong.add(id.getName() + id.getTags() + " has tag keys " + tags + ", the spec says " + row.tags());
            }
        }
        assertThat(wrong).as("registered meters against the spec").isEmpty();

        // Every row is exported by /metrics under the name the spec gives.
        String scrape = registry.scrape();
        List<String> notExported = new ArrayList<>();
        for (Row row : single.values()) {
            if (!Pattern.compile("(?m)^" + Pattern.quote(row.exported()) + "(_count|_sum|_max|_bucket)?[{ ]")
                    .matcher(scrape).find()) {
                notExported.add(row.name() + " as " + row.exported());
            }
        }
        assertThat(notExported).as("spec rows not in /metrics under their exported name:%n%s", scrape).isEmpty();
        assertThat(seenTags).containsOnlyKeys(single.keySet());
    }

    public static List<String> notRegistered(Map<String, Row> spec, PrometheusMeterRegistry registry) {
        Set<String> registered = registry.getMeters().stream().map(m -> m.getId().getName())
                .collect(Collectors.toSet());
        return spec.keySet().stream().filter(n -> !registered.contains(n)).toList();
    }

    private static String type(Meter.Id id) {
        return id.getType().name().toLowerCase(Locale.ROOT);
    }

    /** The rows of the table under {@link #HEADER}: meter, exported name, type, tag keys. */
    public static Map<String, Row> spec(Path readme) throws Exception {
        Map<String, Row> rows = new LinkedHashMap<>();
        boolean inTable = false;
        for (String line : Files.readAllLines(readme, StandardCharsets.UTF_8)) {
            if (line.equals(HEADER)) {
                inTable = true;
                continue;
            }
            if (!inTable || line.startsWith("|---")) {
                continue;
            }
            if (!line.startsWith("|")) {
                if (!rows.isEmpty()) {
                    break;
                }
                continue;
            }
            String[] cells = line.split("\\|");
            // cells[0] is empty: the line starts with '|'
            String name = code(cells[1]).get(0);
            String exported = code(cells[2]).get(0);
            String type = cells[3].trim();
            Set<String> tags = new TreeSet<>(code(cells[4]));
            assertThat(type).as("type of %s", name).isIn("counter", "gauge", "timer", "distribution_summary");
            assertThat(name).as("a meter name").matches("limes(\\.[a-z_]+)+");
            assertThat(rows.put(name, new Row(name, exported, type, tags))).as("%s twice in the spec", name).isNull();
        }
        return rows;
    }

    private static List<String> code(String cell) {
        List<String> out = new ArrayList<>();
        var m = CODE.matcher(cell);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private static String reading(String device, Instant at, int cars) {
        return "{\"device\":\"" + device + "\",\"time\":\"" + at + "\",\"lane\":\"1\",\"direction\":\"inbound\","
                + "\"interval_s\":60,\"counts\":{\"car\":" + cars + ",\"truck\":1}}";
    }

    /** A Hikvision ANPR push (multipart: the event XML and one picture). */
    private static byte[] anprPush(Instant at) throws Exception {
        String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<EventNotificationAlert version=\"2.0\" xmlns=\"http://www.hikvision.com/ver20/XMLSchema\">\n"
                + "<ipAddress>10.20.0.31</ipAddress>\n"
                + "<dateTime>" + at.truncatedTo(ChronoUnit.SECONDS) + "</dateTime>\n"
                + "<eventType>ANPR</eventType>\n"
                + "<channelName>anpr-1</channelName>\n"
                + "<ANPR><licensePlate>5-123456</licensePlate><line>1</line></ANPR>\n"
                + "</EventNotificationAlert>\n";
        byte[] picture = new byte[2048];
        Arrays.fill(picture, (byte) 0x5a);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(("--MIME_boundary\r\n"
                + "Content-Disposition: form-data; name=\"anpr.xml\"; filename=\"anpr.xml\"\r\n"
                + "Content-Type: application/xml\r\n\r\n" + xml + "\r\n"
                + "--MIME_boundary\r\n"
                + "Content-Disposition: form-data; name=\"licensePlatePicture.jpg\"; "
                + "filename=\"licensePlatePicture.jpg\"\r\n"
                + "Content-Type: image/jpeg\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.write(picture);
        body.write("\r\n--MIME_boundary--\r\n".getBytes(StandardCharsets.UTF_8));
        return body.toByteArray();
    }

    private static double count(PrometheusMeterRegistry r, String name) {
        return r.find(name).counters().stream().mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
    }
}
