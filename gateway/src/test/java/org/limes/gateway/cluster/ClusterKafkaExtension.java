package org.limes.gateway.cluster;

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
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.limes.drivers.Drivers;
import org.limes.gateway.Gateway;
import org.limes.gateway.config.ConfigLoader;
import org.limes.gateway.config.GatewayConfig;

/**
 * The cluster-mode ITs' set-up, once: a {@link ClusterKafka} for the test class (started before
 * its {@code @BeforeAll} methods, stopped after its {@code @AfterAll} ones), the {@code cluster:}
 * section of a gateway's config pointing at it, and gateways started from YAML that are closed
 * after each test together with anything else the test hands over ({@link #closeAfterEach}), the
 * last opened first.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final ClusterKafkaExtension kafka = new ClusterKafkaExtension();
 * }</pre>
 *
 * <p>The closing runs after the class's {@code @AfterEach} methods (JUnit calls extensions last);
 * a gateway a test closed itself is closed again harmlessly. Not thread-safe: the test thread
 * owns it.
 */
public final class ClusterKafkaExtension implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private final Deque<AutoCloseable> open = new ArrayDeque<>();
    private ClusterKafka kafka;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        kafka = ClusterKafka.start();
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        Exception failed = null;
        while (!open.isEmpty()) {
            try {
                open.pop().close();
            } catch (Exception e) {
                if (failed == null) {
                    failed = e;
                } else {
                    failed.addSuppressed(e);
                }
            }
        }
        if (failed != null) {
            throw failed;
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (kafka != null) {
            kafka.close();
            kafka = null;
        }
    }

    /** The running cluster (brokers to stop and start, an admin client). */
    public ClusterKafka cluster() {
        return kafka;
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    /**
     * A gateway config's {@code cluster:} section on this cluster, at the top level of the YAML
     * (no indent), ending in a newline.
     *
     * @param more further keys of the section, each {@code key: value}
     */
    public String clusterSection(String crossing, int framesPartitions, String... more) {
        StringBuilder s = new StringBuilder("cluster:\n")
                .append("  bootstrap_servers: [").append(kafka.bootstrapServers()).append("]\n")
                .append("  crossing: ").append(crossing).append('\n')
                .append("  frames_partitions: ").append(framesPartitions).append('\n');
        for (String line : more) {
            s.append("  ").append(line).append('\n');
        }
        return s.toString();
    }

    /**
     * Writes {@code yaml} to {@code file}, loads it and starts the gateway (a Prometheus registry
     * of its own, the given clock); it is closed after the test.
     */
    public Gateway startGateway(Path file, String yaml, Clock clock) throws Exception {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, yaml);
        Drivers drivers = Drivers.load();
        Gateway g = Gateway.start(new ConfigLoader(drivers).load(file), drivers,
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), clock);
        open.push(g);
        return g;
    }

    /**
     * A gateway with one counter ({@code cnt-01}, lane 1) behind an HTTP source {@code ingest} and
     * one threshold rule {@code queue} (above 40 cars held 15 s raises, below 20 clears), its data
     * under {@code dataDir}; {@code more} is appended (a {@code cluster:} section, or nothing).
     */
    public static GatewayConfig holdConfig(Drivers drivers, String name, Path dataDir, String more) {
        return new ConfigLoader(drivers).parse(name + ".yml", """
                name: %s
                data_dir: %s
                sources:
                  - {type: http, name: ingest, host: 127.0.0.1, port: 0, drivers: [{driver: counter-json}]}
                inventory:
                  devices:
                    - {id: cnt-01, site: ras-ajdir, class: counter, lane: "1"}
                rules:
                  - {id: queue, type: threshold, kind: vehicle_count, field: count_total, raise_above: 40,
                     clear_below: 20, for: 15s}
                %s""".formatted(name, dataDir.toString().replace("\\", "/"), more));
    }

    /**
     * A counter-json frame of {@code device} at device time {@code n} s after 2026-11-26 06:00 UTC,
     * lane 1 inbound, {@code cars} cars.
     */
    public static String frame(String device, int n, int cars) {
        Instant t = Instant.parse("2026-11-26T06:00:00Z").plusSeconds(n);
        return "{\"device\":\"" + device + "\",\"time\":\"" + t + "\",\"lane\":\"1\",\"direction\":\"inbound\","
                + "\"interval_s\":60,\"counts\":{\"car\":" + cars + ",\"truck\":0}}";
    }

    /** Posts {@code body} to gateway {@code g}'s HTTP source {@code ingest} as counter-json; the status code. */
    public static int post(Gateway g, String body) throws IOException, InterruptedException {
        HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.listenerPort("ingest")
                + "/ingest/counter-json")).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return HTTP.send(r, HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    /** Closes {@code c} after the test, before whatever was opened earlier; returns it. */
    public <T extends AutoCloseable> T closeAfterEach(T c) {
        open.push(c);
        return c;
    }
}
