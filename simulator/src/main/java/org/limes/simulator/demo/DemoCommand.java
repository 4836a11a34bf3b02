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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.limes.drivers.Drivers;
import org.limes.gateway.Gateway;
import org.limes.gateway.config.ConfigException;
import org.limes.gateway.config.ConfigLoader;
import org.limes.gateway.config.GatewayConfig;
import org.limes.gateway.config.MqttConfig;
import org.limes.gateway.embedded.QuestDbClient;
import org.limes.gateway.http.AdminConfig;
import org.limes.gateway.pipeline.DeviceConfig;
import org.limes.gateway.sink.centre.CentreConfig;
import org.limes.gateway.sink.centre.MqttCentreConfig;
import org.limes.gateway.sink.influx.StoreConfig;
import org.limes.simulator.DurationConverter;
import org.limes.simulator.load.CounterFleet;
import org.limes.simulator.load.FleetResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code limes-simulator demo}: the whole system on one machine with nothing external — the
 * gateway with its embedded broker and store, a simulated fleet of vehicle counters, a
 * queue surge that raises and then clears an alert, and both centres listening. Ends with
 * a summary checked against the store itself.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the gateway with embedded broker and store, a simulated counter fleet and a queue "
                + "surge; print where to look, and a summary at the end.")
public final class DemoCommand implements Callable<Integer> {

    private static final String BUNDLED = "/org/limes/simulator/demo/demo.yml";

    @Option(names = "--duration", defaultValue = "60s", converter = DurationConverter.class,
            description = "How long the fleet sends, e.g. 30s, 5m (default ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--config", description = "Gateway config (default: config/demo.yml, else the bundled copy).")
    Path config;

    @Option(names = "--rate", defaultValue = "20", description = "Messages per second, whole fleet (default "
            + "${DEFAULT-VALUE}).")
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
        GatewayConfig base;
        try {
            base = loadConfig(drivers);
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        Path data = dataDir != null ? dataDir : Files.createTempDirectory("limes-demo-");
        DemoCleanup cleanup = new DemoCleanup(dataDir == null ? data : null);
        // Ctrl-C or SIGTERM: the hook stops the gateway and removes the temporary folder.
        Thread hook = new Thread(cleanup::run, "limes-demo-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
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
            out.printf("  QuestDB console      %s  (try: SELECT * FROM vehicle_count)%n", gateway.storeUrl());
            out.printf("  devices publish to   %s (topics crossing/<site>/counter/<device>)%n", gateway.brokerUri());
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
                FleetResult fleet = runFleet(cfg, gateway.brokerUri());
                out.printf("fleet: sent %d, acknowledged by the broker %d, failed %d, %.1f msg/s%n", fleet.sent(),
                        fleet.acknowledged(), fleet.failed(), fleet.ratePerSecond());

                QuestDbClient store = new QuestDbClient(gateway.storeUrl());
                BooleanSupplier settled = () -> {
                    long received = (long) sum(registry, "limes.readings.decoded");
                    long transitions = (long) sum(registry, "limes.alerts");
                    return received >= fleet.acknowledged()
                            && stored(store) >= (long) sum(registry, "limes.readings.processed")
                            && centres.delivered().values().stream().allMatch(n -> n >= transitions);
                };
                await(settled, Duration.ofSeconds(60));

                long received = (long) sum(registry, "limes.readings.decoded");
                long processed = (long) sum(registry, "limes.readings.processed");
                long stored = stored(store);
                long raised = (long) sumTagged(registry, "limes.alerts", "state", "raised");
                long cleared = (long) sumTagged(registry, "limes.alerts", "state", "cleared");
                Map<String, Long> delivered = centres.delivered();
                boolean ok = fleet.acknowledged() == fleet.sent() && received == fleet.sent()
                        && stored == received && processed == received && raised >= 1 && cleared >= 1
                        && delivered.values().stream().allMatch(n -> n == raised + cleared);

                double seconds = (System.nanoTime() - startNanos) / 1e9;
                out.printf("%nsummary after %.0f s: %s%n", seconds, ok ? "OK" : "NOT OK");
                out.printf("  readings sent %d, received %d, stored %d%n", fleet.sent(), received, stored);
                out.printf("  alerts raised %d, cleared %d%n", raised, cleared);
                delivered.forEach((c, n) -> out.printf("  delivered to %-10s %d alert transitions%n", c, n));
                if (json) {
                    ObjectNode n = summary;
                    n.put("ok", ok);
                    n.put("readings_sent", fleet.sent());
                    n.put("readings_received", received);
                    n.put("readings_stored", stored);
                    n.put("alerts_raised", raised);
                    n.put("alerts_cleared", cleared);
                    ObjectNode d = n.putObject("delivered");
                    delivered.forEach(d::put);
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

    private FleetResult runFleet(GatewayConfig cfg, String brokerUri) throws IOException, InterruptedException {
        int counters = (int) cfg.inventory().devices().stream().filter(d -> "counter".equals(d.deviceClass()))
                .count();
        DeviceConfig first = cfg.inventory().devices().get(0);
        String prefix = first.id().substring(0, first.id().lastIndexOf('-'));
        String surgeDevice = String.format("%s-%02d", prefix, Math.min(3, counters));
        Duration surgeFrom = duration.multipliedBy(25).dividedBy(100);
        Duration surgeTo = duration.multipliedBy(50).dividedBy(100);
        CounterFleet.Options options = new CounterFleet.Options(brokerUri, counters, rate, duration, 1L,
                first.site(), prefix, "crossing", 1, surgeDevice, surgeFrom, surgeTo,
                "limes-demo-fleet-" + ProcessHandle.current().pid());
        System.err.printf("fleet: %d counters, %.0f msg/s for %s; queue surge on %s from %ss to %ss%n", counters,
                rate, duration, surgeDevice, surgeFrom.toSeconds(), surgeTo.toSeconds());
        return new CounterFleet().run(options, Clock.systemUTC(), p -> System.err.printf(
                "  sent %d  acknowledged %d  failed %d  %.1f msg/s  %ds left%n", p.sent(), p.acknowledged(),
                p.failed(), p.ratePerSecond(), p.remaining().toSeconds()));
    }

    private static long stored(QuestDbClient store) {
        try {
            return store.count("vehicle_count");
        } catch (IOException e) {
            return -1;
        }
    }

    private GatewayConfig loadConfig(Drivers drivers) throws IOException {
        ConfigLoader loader = new ConfigLoader(drivers);
        if (config != null) {
            return loader.load(config);
        }
        Path local = Path.of("config", "demo.yml");
        if (Files.isRegularFile(local)) {
            return loader.load(local);
        }
        try (InputStream in = DemoCommand.class.getResourceAsStream(BUNDLED)) {
            if (in == null) {
                throw new IOException("the bundled demo config " + BUNDLED + " is missing from the jar");
            }
            return loader.parse("demo.yml (bundled)", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /** The config with a fresh data folder, and free ports wherever the configured ones are taken. */
    static GatewayConfig forThisMachine(GatewayConfig c, Path data) {
        MqttConfig mqtt = new MqttConfig(c.mqtt().broker(), c.mqtt().host(), portOrFree(c.mqtt().host(),
                c.mqtt().port()));
        StoreConfig s = c.store();
        StoreConfig store = new StoreConfig(s.kind(), s.host(), portOrFree(s.host(), s.httpPort()), s.url(), s.org(),
                s.bucket(), s.tokenFile(), s.tokenEnv(), s.batchSize(), s.retryInitialMs(), s.retryMaxMs(), s.routing(),
                s.pseudonymisePlates());
        AdminConfig admin = new AdminConfig(c.admin().host(), portOrFree(c.admin().host(), c.admin().port()),
                c.admin().tokenFile(), c.admin().tokenEnv());
        return new GatewayConfig(c.name(), data.toString(), mqtt, store, admin, c.sources(), c.inventory(), c.rules(),
                c.rulesFile(), c.centres(), c.outbox(), c.pipeline(), c.limits(), c.pictures());
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
