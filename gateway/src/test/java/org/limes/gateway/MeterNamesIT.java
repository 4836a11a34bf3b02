package org.limes.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.drivers.Drivers;
import org.limes.gateway.config.ConfigLoader;
import org.limes.gateway.config.GatewayConfig;

/**
 * The README's meter tables name every meter as {@code /metrics} exports it: a gateway is started,
 * made to move its meters (a reading that raises an alert, a malformed frame, an unknown device, a
 * reading from a skewed clock, a rules reload), and every name in the tables must be in its scrape,
 * exactly as written. The tables are parsed here, so the README and the code cannot drift apart.
 */
class MeterNamesIT {

    /** Meters a short run cannot move, each with why; their names are still checked for form. */
    private static final Map<String, String> NOT_MOVED = Map.of(
            "limes_rules_unevaluated_total", "needs 10,000 accepted unknown devices",
            "limes_pictures_total", "needs a camera read with pictures",
            "limes_outbox_dead_lettered_total", "needs a record no retry can deliver");

    private static final Pattern ROW = Pattern.compile("^\\|\\s*(`[^|]+)\\|");
    private static final Pattern NAME = Pattern.compile("`([^`]+)`");

    @TempDir
    Path dir;

    private Gateway gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void everyMeterTheReadmeNamesIsExportedUnderThatName() throws Exception {
        List<String> documented = readmeMeterNames(Path.of("..", "README.md"));
        assertThat(documented).as("meter names in the README's tables").hasSizeGreaterThan(20)
                .contains("limes_frames_received_total", "limes_sink_write_seconds", "limes_alerts_open");

        Files.writeString(dir.resolve("rules.yml"), """
                - {id: surge, type: threshold, kind: vehicle_count, field: count_total, raise_above: 10,
                   clear_below: 5, for: 0s}
                - {id: clock, type: time_integrity}
                """);
        Drivers drivers = Drivers.load();
        Path config = dir.resolve("gateway.yml");
        Files.writeString(config, """
                name: meters
                data_dir: %s
                mqtt: {broker: embedded, port: 0}
                store: {kind: embedded, http_port: 0}
                admin: {host: 127.0.0.1, port: 0}
                sources:
                  - {type: tcp, name: counters, host: 127.0.0.1, port: 0, driver: counter-json}
                inventory:
                  devices:
                    - {id: cnt-01, site: ras-ajdir, class: counter, lane: "1"}
                rules_file: rules.yml
                centres:
                  - {name: tripoli, type: mqtt, topic: limes/alerts/tripoli}
                pictures: {policy: keep}
                """.formatted(dir.resolve("data").toString().replace("\\", "/")));
        GatewayConfig c = new ConfigLoader(drivers).load(config);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        gateway = Gateway.start(c, drivers, registry, Clock.systemUTC());

        try (Socket s = new Socket("127.0.0.1", gateway.listenerPort("counters"))) {
            OutputStream out = s.getOutputStream();
            String lines = reading("cnt-01", Instant.now(), 30) + "\n"
                    + "{\"device\":\"cnt-01\",broken\n"
                    + reading("cnt-99", Instant.now(), 1) + "\n"
                    + reading("cnt-01", Instant.now().minus(Duration.ofDays(3)), 1) + "\n";
            out.write(lines.getBytes(StandardCharsets.UTF_8));
            out.flush();
            await().atMost(Duration.ofSeconds(30)).until(() -> count(registry, "limes.frames.received") >= 4);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> count(registry, "limes.sink.delivered") >= 2
                && count(registry, "limes.alerts") >= 1);
        gateway.reloadRules();

        String scrape = registry.scrape();
        List<String> missing = new ArrayList<>();
        for (String name : documented) {
            assertThat(name).as("an exported name").matches("limes(_[a-z]+)+");
            boolean exported = Pattern.compile("(?m)^" + name + "(_count|_sum|_max|_bucket)?[{ ]")
                    .matcher(scrape).find();
            if (!exported && !NOT_MOVED.containsKey(name)) {
                missing.add(name);
            }
        }
        assertThat(missing).as("README meter names not in /metrics:%n%s", scrape).isEmpty();
    }

    private static String reading(String device, Instant at, int cars) {
        return "{\"device\":\"" + device + "\",\"time\":\"" + at + "\",\"lane\":\"1\",\"direction\":\"inbound\","
                + "\"interval_s\":60,\"counts\":{\"car\":" + cars + ",\"truck\":1}}";
    }

    private static double count(PrometheusMeterRegistry r, String name) {
        return r.find(name).counters().stream().mapToDouble(Counter::count).sum();
    }

    /** The names in the first column of every table whose header begins with "meter". */
    static List<String> readmeMeterNames(Path readme) throws Exception {
        List<String> names = new ArrayList<>();
        boolean inTable = false;
        for (String line : Files.readAllLines(readme, StandardCharsets.UTF_8)) {
            if (line.startsWith("| meter")) {
                inTable = true;
                continue;
            }
            if (!line.startsWith("|")) {
                inTable = false;
                continue;
            }
            Matcher row = ROW.matcher(line);
            if (inTable && row.find()) {
                Matcher name = NAME.matcher(row.group(1));
                while (name.find()) {
                    names.add(name.group(1));
                }
            }
        }
        return names;
    }
}
