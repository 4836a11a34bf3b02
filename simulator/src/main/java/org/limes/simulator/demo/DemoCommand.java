package org.limes.simulator.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.limes.drivers.Drivers;
import org.limes.gateway.Gateway;
import org.limes.gateway.JvmOptions;
import org.limes.gateway.config.ConfigException;
import org.limes.gateway.config.ConfigLoader;
import org.limes.gateway.config.GatewayConfig;
import org.limes.gateway.config.MqttConfig;
import org.limes.gateway.embedded.QuestDbClient;
import org.limes.gateway.http.AdminConfig;
import org.limes.gateway.sink.centre.CentreConfig;
import org.limes.gateway.sink.centre.MqttCentreConfig;
import org.limes.gateway.sink.influx.StoreConfig;
import org.limes.simulator.DurationConverter;
import org.limes.simulator.scenario.Scenario;
import org.limes.simulator.scenario.ScenarioResult;
import org.limes.simulator.scenario.ScenarioRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code limes-simulator demo}: the whole system on one machine with nothing external — the
 * gateway with its embedded broker and store, a whole crossing played by the simulator's
 * device models ({@link CrossingScenario}: lane counters and a queue surge, ANPR cameras and a
 * watchlisted plate, a radar whose track crosses the exclusion zone), and both centres
 * listening. Ends with a summary checked against the store itself: readings by kind as
 * stored, alert transitions by rule as both centres received them.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the gateway with embedded broker and store and a simulated crossing (counters, ANPR "
                + "cameras, a radar; a queue surge, a watchlisted plate, a track through the exclusion zone); print "
                + "where to look, and a summary at the end.")
public final class DemoCommand implements Callable<Integer> {

    private static final String BUNDLED = "/org/limes/simulator/demo/";
    /** The bundled config and the files it names, extracted together so its relative paths hold. */
    private static final List<String> BUNDLED_FILES = List.of("demo.yml", "zones/ras-ajdir-exclusion.geojson",
            "watchlists/example.txt");
    /** The tables the summary counts, besides the kinds the devices sent. */
    private static final String ALERT_TABLE = "alert";

    @Option(names = "--duration", defaultValue = "60s", converter = DurationConverter.class,
            description = "How long the fleet sends, e.g. 30s, 5m (default ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--config", description = "Gateway config (default: config/demo.yml, else the bundled copy).")
    Path config;

    @Option(names = "--rate", defaultValue = "20", description = "Messages per second of the eight lane counters "
            + "together (default ${DEFAULT-VALUE}); cameras and the radar add about 4.5 more.")
    double rate;

    @Option(names = "--data-dir", description = "Where the demo keeps its data (default: a new temporary folder).")
    Path dataDir;

    @Option(names = "--json", description = "End with one JSON object on the last line.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        // The demo's report is all that goes to standard output; whatever the embedded services
        // print there themselves (QuestDB's "shutting down" lines) goes to standard error with the logs.
        PrintStream out = System.out;
        System.setOut(System.err);
        try {
            return run(out);
        } finally {
            System.setOut(out);
        }
    }

    private int run(PrintStream out) throws Exception {
        Drivers drivers = Drivers.load();
        Path data = dataDir != null ? dataDir : Files.createTempDirectory("limes-demo-");
        DemoCleanup cleanup = new DemoCleanup(dataDir == null ? data : null);
        // Ctrl-C or SIGTERM: the hook stops the gateway and removes the temporary folder.
        Thread hook = new Thread(cleanup::run, "limes-demo-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            GatewayConfig base;
            try {
                base = loadConfig(drivers, data);
            } catch (ConfigException e) {
                System.err.println(e.getMessage());
                return 2;
            }
            return demo(out, drivers, base, data, cleanup);
        } finally {
            cleanup.run();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run; it does the same, once
            }
        }
    }

    private int demo(PrintStream out, Drivers drivers, GatewayConfig base, Path data, DemoCleanup cleanup)
            throws Exception {
        GatewayConfig cfg = forThisMachine(base, data);
        List<String> missing = JvmOptions.missingHere();
        if (!missing.isEmpty()) {
            // Main relaunches the demo with them (DemoJvm); only a demo started some other way gets here.
            System.err.println("demo: " + JvmOptions.warning(missing));
        }
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        long startNanos = System.nanoTime();
        ObjectNode summary = new ObjectMapper().createObjectNode();
        int exit;
        {
            Gateway gateway = Gateway.start(cfg, drivers, registry, Clock.systemUTC());
            cleanup.gateway(gateway);
            String admin = "http://" + cfg.admin().host() + ":" + gateway.adminPort();
            out.printf("%nLimes demo — gateway '%s'%n", cfg.name());
            out.printf("  status page          %s/%n", admin);
            out.printf("  health, metrics      %s/health  %s/metrics%n", admin, admin);
            out.printf("  QuestDB console      %s  (try: SELECT * FROM radar_track)%n", gateway.storeUrl());
            out.printf("  devices publish to   %s (topics crossing/<site>/<kind>/<device>)%n", gateway.brokerUri());
            out.printf("  data                 %s%s%n%n", data, dataDir == null ? "  (removed at exit)" : "");
            out.flush();
            if (!await(gateway::sourcesReady, Duration.ofSeconds(30))) {
                System.err.println("demo: the gateway did not subscribe to its broker within 30 s");
                return 1;
            }
            Map<String, String> centreByTopic = new LinkedHashMap<>();
            for (CentreConfig c : cfg.centres()) {
                if (c instanceof MqttCentreConfig m) {
                    centreByTopic.put(m.topic(), m.name());
                }
            }
            try (CentreListener centres = CentreListener.start(gateway.brokerUri(), centreByTopic)) {
                ScenarioResult played = playCrossing(gateway.brokerUri());
                long sent = played.goodReadingsByKind().values().stream().mapToLong(Long::longValue).sum();
                out.printf("devices: sent %d frames (%d readings), delivered to the broker %d, failed %d, %.1f frames/s%n",
                        played.sent(), sent, played.delivered(), played.failed(), played.ratePerSecond());

                QuestDbClient store = new QuestDbClient(gateway.storeUrl());
                Set<String> kinds = new TreeSet<>(played.goodReadingsByKind().keySet());
                BooleanSupplier settled = () -> {
                    long received = (long) sum(registry, "limes.readings.decoded");
                    long transitions = (long) sum(registry, "limes.alerts");
                    return received >= sent
                            && stored(store, kinds) >= (long) sum(registry, "limes.readings.processed")
                            && centres.delivered().values().stream().allMatch(n -> n >= transitions);
                };
                await(settled, Duration.ofSeconds(60));

                long received = (long) sum(registry, "limes.readings.decoded");
                long processed = (long) sum(registry, "limes.readings.processed");
                Map<String, Long> byKind = new TreeMap<>();
                for (String kind : kinds) {
                    byKind.put(kind, count(store, kind));
                }
                long stored = byKind.values().stream().mapToLong(Long::longValue).sum();
                byKind.put(ALERT_TABLE, count(store, ALERT_TABLE));
                long raised = (long) sumTagged(registry, "limes.alerts", "state", "raised");
                long cleared = (long) sumTagged(registry, "limes.alerts", "state", "cleared");
                Map<String, Long> delivered = centres.delivered();
                Map<String, CentreListener.Transitions> byRule = centres.byRule();
                boolean ok = played.complete() && received == sent && stored == received && processed == received
                        && raised >= 1 && cleared >= 1
                        && delivered.values().stream().allMatch(n -> n == raised + cleared);

                double seconds = (System.nanoTime() - startNanos) / 1e9;
                out.printf("%nsummary after %.0f s: %s%n", seconds, ok ? "OK" : "NOT OK");
                out.printf("  readings sent %d, received %d, stored %d%n", sent, received, stored);
                byKind.forEach((k, n) -> out.printf("  stored %-14s %d rows%n", k, n));
                out.printf("  alerts raised %d, cleared %d%n", raised, cleared);
                byRule.forEach((rule, t) -> out.printf("  at both centres %-16s raised %d, cleared %d%n", rule,
                        t.raised(), t.cleared()));
                delivered.forEach((c, n) -> out.printf("  delivered to %-10s %d alert transitions%n", c, n));
                if (json) {
                    ObjectNode n = summary;
                    n.put("ok", ok);
                    n.put("readings_sent", sent);
                    n.put("readings_received", received);
                    n.put("readings_stored", stored);
                    n.put("alerts_raised", raised);
                    n.put("alerts_cleared", cleared);
                    ObjectNode d = n.putObject("delivered");
                    delivered.forEach(d::put);
                    ObjectNode k = n.putObject("readings_by_kind");
                    byKind.forEach(k::put);
                    ObjectNode r = n.putObject("alerts_by_rule");
                    byRule.forEach((rule, t) -> r.putObject(rule).put("raised", t.raised()).put("cleared", t.cleared()));
                    n.put("duration_s", Math.round(seconds * 10) / 10.0);
                }
                exit = ok ? 0 : 1;
            }
        }
        cleanup.closeGateway();
        if (json) {
            out.println(new ObjectMapper().writeValueAsString(summary));
        }
        return exit;
    }

    private ScenarioResult playCrossing(String brokerUri) throws IOException, InterruptedException {
        Scenario crossing = CrossingScenario.of(duration, rate, brokerUri, 18L);
        System.err.printf("devices: %s for %s — queue surge on cnt-03 from %ds to %ds, plate %s at %ds, "
                + "track 900 from %ds%n", String.join(" ", crossing.deviceIds()), duration,
                duration.toSeconds() * 25 / 100, duration.toSeconds() * 50 / 100, CrossingScenario.WATCHLISTED,
                duration.toSeconds() * 30 / 100, duration.toSeconds() * 20 / 100);
        return new ScenarioRunner(crossing, Clock.systemUTC()).run(p -> System.err.printf(
                "  sent %d  delivered %d  failed %d  %.1f frames/s  %ds left%n", p.sent(), p.delivered(),
                p.failed(), p.ratePerSecond(), p.remaining().toSeconds()), null);
    }

    private static long stored(QuestDbClient store, Set<String> kinds) {
        long sum = 0;
        for (String kind : kinds) {
            long n = count(store, kind);
            if (n < 0) {
                return -1;
            }
            sum += n;
        }
        return sum;
    }

    /** Rows of a table, 0 when it does not exist yet (nothing of that kind stored), -1 when the store cannot say. */
    private static long count(QuestDbClient store, String table) {
        try {
            return store.tableExists(table) ? store.count(table) : 0;
        } catch (IOException e) {
            return -1;
        }
    }

    private GatewayConfig loadConfig(Drivers drivers, Path data) throws IOException {
        ConfigLoader loader = new ConfigLoader(drivers);
        if (config != null) {
            return loader.load(config);
        }
        Path local = Path.of("config", "demo.yml");
        if (Files.isRegularFile(local)) {
            return loader.load(local);
        }
        // Not beside the repository: the copy in the jar, extracted with the files it names.
        Path folder = data.resolve("demo-config");
        for (String name : BUNDLED_FILES) {
            try (InputStream in = DemoCommand.class.getResourceAsStream(BUNDLED + name)) {
                if (in == null) {
                    throw new IOException("the bundled demo file " + BUNDLED + name + " is missing from the jar");
                }
                Path file = folder.resolve(name);
                Files.createDirectories(file.getParent());
                Files.copy(in, file);
            }
        }
        return loader.load(folder.resolve("demo.yml"));
    }

    /** The config with a fresh data folder, and free ports wherever the configured ones are taken. */
    static GatewayConfig forThisMachine(GatewayConfig c, Path data) {
        return forThisMachine(c, data, false);
    }

    /** As above; with {@code anyPort} every port is a free one the system picks (tests). */
    static GatewayConfig forThisMachine(GatewayConfig c, Path data, boolean anyPort) {
        java.util.function.BiFunction<String, Integer, Integer> portOrFree = anyPort ? (h, p) -> 0
                : DemoCommand::portOrFree;
        MqttConfig mqtt = new MqttConfig(c.mqtt().broker(), c.mqtt().host(), portOrFree.apply(c.mqtt().host(),
                c.mqtt().port()));
        StoreConfig s = c.store();
        StoreConfig store = new StoreConfig(s.kind(), s.host(), portOrFree.apply(s.host(), s.httpPort()), s.url(), s.org(),
                s.bucket(), s.tokenFile(), s.tokenEnv(), s.batchSize(), s.retryInitialMs(), s.retryMaxMs(), s.routing(),
                s.pseudonymisePlates(), s.lingerMs());
        AdminConfig admin = new AdminConfig(c.admin().host(), portOrFree.apply(c.admin().host(), c.admin().port()),
                c.admin().tokenFile(), c.admin().tokenEnv());
        return new GatewayConfig(c.name(), data.toString(), mqtt, store, admin, c.sources(), c.inventory(), c.rules(),
                c.rulesFile(), c.centres(), c.outbox(), c.pipeline(), c.limits(), c.pictures(), c.cluster());
    }

    private static int portOrFree(String host, int port) {
        if (port == 0) {
            return 0;
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(InetAddress.getByName(host), port));
            return port;
        } catch (IOException taken) {
            System.err.printf("port %d on %s is taken; using a free one%n", port, host);
            return 0;
        }
    }

    private static boolean await(BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        }
        return condition.getAsBoolean();
    }

    private static double sum(PrometheusMeterRegistry r, String name) {
        return r.find(name).counters().stream().mapToDouble(Counter::count).sum();
    }

    private static double sumTagged(PrometheusMeterRegistry r, String name, String tag, String value) {
        return r.find(name).tag(tag, value).counters().stream().mapToDouble(Counter::count).sum();
    }
}
