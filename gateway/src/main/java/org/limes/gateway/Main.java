package org.limes.gateway;

import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.limes.drivers.Drivers;
import org.limes.gateway.cli.DecodeCommand;
import org.limes.gateway.config.ConfigAudit;
import org.limes.gateway.config.ConfigException;
import org.limes.gateway.config.ConfigLoader;
import org.limes.gateway.config.GatewayConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code limes-gateway} command: run, check a config, or decode a capture. The demo (the gateway with a
 * simulated fleet) is {@code limes-simulator demo}: the simulator depends on the gateway, not the reverse.
 */
@Command(name = "limes-gateway", mixinStandardHelpOptions = true, version = "limes-gateway 0.1.0",
        description = "Edge gateway for land border crossings: device telemetry in, stored series and alerts out.",
        subcommands = {Main.Run.class, Main.Check.class, DecodeCommand.class})
public final class Main implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    public static void main(String[] args) {
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public Integer call() {
        new CommandLine(this).usage(System.out);
        return 0;
    }

    /** Loads and checks a config, printing the error that names file and path. */
    static GatewayConfig load(Path file, Drivers drivers) {
        return new ConfigLoader(drivers).load(file);
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Run the gateway with a configuration until stopped (SIGTERM/SIGINT).")
    static final class Run implements Callable<Integer> {
        @Option(names = "--config", required = true, description = "The gateway configuration (YAML).")
        Path config;

        @Override
        public Integer call() throws Exception {
            Drivers drivers = Drivers.load();
            GatewayConfig c;
            try {
                c = load(config, drivers);
            } catch (ConfigException e) {
                System.err.println(e.getMessage());
                return 2;
            }
            // Everything the configuration needs from this host, before anything starts.
            ConfigAudit.Findings findings = ConfigAudit.audit(config.toString(), c, true);
            findings.warnings().forEach(w -> LOG.warn("{}", w));
            if (!findings.errors().isEmpty()) {
                findings.errors().forEach(System.err::println);
                return 2;
            }
            warnWithoutShippedOptions();
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            new JvmMemoryMetrics().bindTo(registry);
            JvmGcMetrics gcMetrics = new JvmGcMetrics();
            gcMetrics.bindTo(registry);
            Gateway gateway;
            try {
                gateway = Gateway.start(c, drivers, registry, Clock.systemUTC());
            } catch (Exception e) {
                LOG.error("the gateway could not start", e);
                System.err.println(config + ": cannot start: " + e.getMessage());
                return 1;
            }
            if (c.rulesFile() != null) {
                gateway.rules().reloadOnSighup();
            }
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                gateway.close();
                gcMetrics.close();
                stopped.countDown();
            }, "limes-shutdown"));
            stopped.await();
            return 0;
        }
    }

    /**
     * Warns once when this JVM lacks options of {@code gateway/jvm.options} ({@link JvmOptions}): the
     * heap and the collector are then the JVM's defaults for the host (a quarter of its memory), not
     * what the gateway is sized and measured with.
     */
    static void warnWithoutShippedOptions() {
        List<String> missing = JvmOptions.missingHere();
        if (!missing.isEmpty()) {
            LOG.warn("{}", JvmOptions.warning(missing));
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Validate a configuration and every file it names (tokens, passwords, keys, "
                    + "certificates) and exit: 0 when valid (warnings on stderr), 2 with the errors otherwise.")
    static final class Check implements Callable<Integer> {
        @Option(names = "--config", required = true, description = "The gateway configuration (YAML).")
        Path config;

        @Override
        public Integer call() {
            try {
                GatewayConfig c = load(config, Drivers.load());
                ConfigAudit.Findings findings = ConfigAudit.audit(config.toString(), c, false);
                findings.warnings().forEach(w -> System.err.println("warning: " + w));
                if (!findings.errors().isEmpty()) {
                    findings.errors().forEach(System.err::println);
                    return 2;
                }
                System.out.printf("%s: valid — %d source(s), %d device(s), %d rule(s), %d centre(s)%s%n", config,
                        c.sources().size(), c.inventory().devices().size(), c.rules().size(), c.centres().size(),
                        findings.warnings().isEmpty() ? "" : ", " + findings.warnings().size() + " warning(s)");
                return 0;
            } catch (ConfigException e) {
                System.err.println(e.getMessage());
                return 2;
            }
        }
    }
}
