package org.limes.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.limes.simulator.load.CounterFleet;
import org.limes.simulator.load.FleetProgress;
import org.limes.simulator.load.FleetResult;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code limes-simulator run}: publishes a fleet of vehicle counters over MQTT through a
 * {@link CounterFleet}, shows progress on stderr and a summary at the end. Ctrl-C stops
 * sending early and still prints the summary.
 */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        showDefaultValues = true,
        sortOptions = false,
        description = {"Play a scenario file (--scenario), or publish a fleet of vehicle counters (counter-json)"
            + " over MQTT at a steady rate.",
            "",
            "Example: run --scenario config/scenarios/silent-counter.yml --target devices=mqtt://127.0.0.1:1883",
            "Example: run --broker tcp://127.0.0.1:1883 --devices 8 --rate 20 --duration 5m"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every message was acknowledged",
            "1:some messages were not acknowledged, or the run failed",
            "2:invalid options",
            "3:the broker is unreachable"})
final class RunCommand implements Callable<Integer> {

    static final int EXIT_INCOMPLETE = 1;
    static final int EXIT_UNREACHABLE = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--scenario", paramLabel = "FILE",
            description = "A scenario file (config/scenarios/*.yml) to play; the counter-fleet options are then ignored.")
    java.nio.file.Path scenario;

    @Option(names = "--target", paramLabel = "NAME=URI",
            description = "With --scenario: send the scenario's target NAME to URI instead (mqtt://, tcp://, udp://, http://);"
                    + " its topic, framing and content type are kept. Repeatable.")
    Map<String, String> targets = new LinkedHashMap<>();

    @Option(names = "--speed", paramLabel = "X",
            description = "With --scenario: simulated seconds per real second (default: the file's speed).")
    Double speed;

    @Option(names = "--start", paramLabel = "INSTANT",
            description = "With --scenario: the simulated start, e.g. 2026-11-26T00:00:00Z; with --seed, the same bytes every run.")
    String start;

    @Option(names = "--capture", paramLabel = "FILE",
            description = "With --scenario: write every frame sent to FILE (JSON lines) for 'replay'.")
    java.nio.file.Path capture;

    @Option(names = "--broker", paramLabel = "URI", defaultValue = "tcp://127.0.0.1:1883", description = "MQTT broker to publish to.")
    String broker;

    @Option(names = "--devices", paramLabel = "N", defaultValue = "8", description = "Number of counters in the fleet.")
    int devices;

    @Option(names = "--rate", paramLabel = "MSG/S", defaultValue = "20", description = "Messages per second for the whole fleet.")
    double rate;

    @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "60s", converter = DurationConverter.class,
            description = "How long to send: 500ms, 30s, 5m, 1h.")
    Duration duration;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the models (default 1, or the scenario's); same seed, same counts.")
    Long seed;

    @Option(names = "--site", paramLabel = "SITE", defaultValue = "ras-ajdir", description = "The crossing, the second topic level.")
    String site;

    @Option(names = "--device-prefix", paramLabel = "PREFIX", defaultValue = "cnt", description = "Device ids are PREFIX-01, PREFIX-02, ...")
    String devicePrefix;

    @Option(names = "--topic-prefix", paramLabel = "PREFIX", defaultValue = "crossing",
            description = "Topics are PREFIX/<site>/counter/<device>.")
    String topicPrefix;

    @Option(names = "--qos", paramLabel = "QOS", defaultValue = "1", description = "MQTT QoS of every message: 0, 1 or 2.")
    int qos;

    @Option(names = "--client-id", paramLabel = "ID", description = "MQTT client id (default: generated).")
    String clientId;

    @Option(names = "--surge-device", paramLabel = "DEVICE",
            description = "A device whose counts surge (a queue) during the surge window; none by default.")
    String surgeDevice;

    @Option(names = "--surge-from", paramLabel = "DURATION", defaultValue = "20s", converter = DurationConverter.class,
            description = "Start of the surge window, from the start of sending.")
    Duration surgeFrom;

    @Option(names = "--surge-to", paramLabel = "DURATION", defaultValue = "40s", converter = DurationConverter.class,
            description = "End of the surge window.")
    Duration surgeTo;

    @Option(names = "--json", description = "Print the summary as one JSON object on stdout, as the last line.")
    boolean json;

    @Override
    public Integer call() throws InterruptedException {
        if (scenario != null) {
            return ScenarioReport.play(spec, scenario, targets, speed, start, seed, json, capture);
        }
        CounterFleet.Options options = options();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        err.printf(Locale.ROOT, "publishing %d messages from %d devices to %s at %s msg/s for %s%n",
                options.plannedMessages(), devices, broker, number(rate), human(duration));
        err.flush();

        CounterFleet fleet = new CounterFleet();
        CountDownLatch finished = new CountDownLatch(1);
        Thread stopOnSignal = new Thread(() -> {
            fleet.stop();
            try {
                finished.await(CounterFleet.ACK_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "limes-simulator-stop");
        Runtime.getRuntime().addShutdownHook(stopOnSignal);
        FleetResult result;
        try {
            result = fleet.run(options, Clock.systemUTC(), progress -> printProgress(err, progress));
        } catch (IOException e) {
            err.println("limes-simulator: " + e.getMessage());
            return EXIT_UNREACHABLE;
        } catch (RuntimeException e) {
            err.println("limes-simulator: run failed: " + e.getMessage());
            return EXIT_INCOMPLETE;
        } finally {
            finished.countDown();
            removeHook(stopOnSignal);
        }

        PrintWriter summary = json ? err : out;
        summary.printf(Locale.ROOT, "sent %d, acknowledged %d, failed %d in %s (%s msg/s)%s%n",
                result.sent(), result.acknowledged(), result.failed(), human(result.elapsed()),
                number(result.ratePerSecond()), fleet.isStopped() ? ", stopped early" : "");
        summary.flush();
        if (json) {
            out.println(toJson(result, fleet.isStopped()));
            out.flush();
        }
        if (!result.complete()) {
            err.printf("limes-simulator: %d of %d messages were not acknowledged%n", result.failed(), result.sent());
            err.flush();
            return EXIT_INCOMPLETE;
        }
        return 0;
    }

    private CounterFleet.Options options() {
        CommandLine cmd = spec.commandLine();
        if (devices < 1 || devices > 9999) {
            throw new CommandLine.ParameterException(cmd, "--devices must be 1..9999, got " + devices);
        }
        if (!(rate > 0) || Double.isInfinite(rate)) {
            throw new CommandLine.ParameterException(cmd, "--rate must be above 0, got " + number(rate));
        }
        if (duration.isZero()) {
            throw new CommandLine.ParameterException(cmd, "--duration must be above 0");
        }
        if (qos < 0 || qos > 2) {
            throw new CommandLine.ParameterException(cmd, "--qos must be 0, 1 or 2, got " + qos);
        }
        if (surgeDevice != null && surgeTo.compareTo(surgeFrom) <= 0) {
            throw new CommandLine.ParameterException(cmd, "--surge-to (" + human(surgeTo)
                    + ") must be after --surge-from (" + human(surgeFrom) + ")");
        }
        if (surgeDevice != null && surgeFrom.compareTo(duration) >= 0) {
            throw new CommandLine.ParameterException(cmd, "--surge-from (" + human(surgeFrom)
                    + ") must be before the end of --duration (" + human(duration) + ")");
        }
        try {
            return new CounterFleet.Options(broker, devices, rate, duration, seed == null ? 1 : seed, site, devicePrefix, topicPrefix,
                    qos, surgeDevice, surgeFrom, surgeTo, clientId);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, e.getMessage(), e);
        }
    }

    private static void printProgress(PrintWriter err, FleetProgress p) {
        err.printf(Locale.ROOT, "[%s] sent %d, acknowledged %d, errors %d, %s msg/s, %s left%n",
                human(p.elapsed()), p.sent(), p.acknowledged(), p.failed(), number(p.ratePerSecond()),
                human(p.remaining()));
        err.flush();
    }

    private static String toJson(FleetResult result, boolean stopped) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("sent", result.sent());
        summary.put("acknowledged", result.acknowledged());
        summary.put("failed", result.failed());
        summary.put("elapsed_ms", result.elapsed().toMillis());
        summary.put("rate_per_s", Math.round(result.ratePerSecond() * 100) / 100.0);
        summary.put("stopped_early", stopped);
        try {
            return new ObjectMapper().writeValueAsString(summary);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the JSON summary", e);
        }
    }

    private static String human(Duration d) {
        long millis = d.toMillis();
        if (millis < 1_000) {
            return millis + "ms";
        }
        if (millis < 60_000) {
            return String.format(Locale.ROOT, "%.1fs", millis / 1000.0);
        }
        return String.format(Locale.ROOT, "%dm%02ds", millis / 60_000, millis / 1000 % 60);
    }

    private static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15
                ? Long.toString((long) v)
                : String.format(Locale.ROOT, "%.1f", v);
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down; the hook is running or has run.
        }
    }
}
