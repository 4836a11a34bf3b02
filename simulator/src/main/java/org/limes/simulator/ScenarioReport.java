package org.limes.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.limes.simulator.replay.CapturedFrame;
import org.limes.simulator.scenario.Scenario;
import org.limes.simulator.scenario.ScenarioProgress;
import org.limes.simulator.scenario.ScenarioResult;
import org.limes.simulator.scenario.ScenarioException;
import org.limes.simulator.scenario.ScenarioLoader;
import org.limes.simulator.scenario.ScenarioRunner;
import org.limes.simulator.transport.TargetConfig;
import picocli.CommandLine;

/**
 * Runs a scenario for a command (`run --scenario`, `fleet`): live progress on stderr, the
 * summary at the end on stdout (or one JSON object with {@code --json}), Ctrl-C stops early
 * and still prints the summary, and an optional capture file for {@code replay}.
 */
final class ScenarioReport {

    static final int EXIT_INCOMPLETE = 1;
    static final int EXIT_UNREACHABLE = 3;

    private ScenarioReport() {
    }

    /** Loads a scenario file, applies the command-line overrides, and runs it. */
    static int play(CommandLine.Model.CommandSpec spec, Path file, Map<String, String> targetUris, Double speed,
            String start, Long seed, boolean json, Path capture) throws InterruptedException {
        CommandLine cmd = spec.commandLine();
        Scenario scenario;
        try {
            scenario = new ScenarioLoader().load(file);
        } catch (ScenarioException e) {
            throw new CommandLine.ParameterException(cmd, e.getMessage(), e);
        }
        Map<String, TargetConfig> targets = new TreeMap<>(scenario.targets());
        for (Map.Entry<String, String> t : targetUris.entrySet()) {
            TargetConfig old = targets.get(t.getKey());
            if (old == null) {
                throw new CommandLine.ParameterException(cmd, "--target " + t.getKey() + ": the scenario has no "
                        + "such target; it has " + targets.keySet());
            }
            try {
                TargetConfig given =
                        TargetConfig.parse(t.getValue());
                targets.put(t.getKey(), new TargetConfig(given.type(), given.uri(),
                        given.type().equals("mqtt") ? old.topic() : null, old.qos(),
                        given.type().equals("tcp") ? old.framing() : null, old.contentType()));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cmd, "--target " + t.getKey() + ": " + e.getMessage(), e);
            }
        }
        try {
            scenario = scenario.with(targets, speed == null ? scenario.speed() : speed, start, seed);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, e.getMessage(), e);
        }
        return execute(scenario, cmd.getOut(), cmd.getErr(), json, capture);
    }

    static int execute(Scenario scenario, PrintWriter out, PrintWriter err, boolean json, Path capture)
            throws InterruptedException {
        err.printf(Locale.ROOT, "scenario %s: %d devices, %s simulated at %sx (%s real)%n", scenario.name(),
                scenario.deviceIds().size(), human(scenario.simulatedDuration()), number(scenario.speed()),
                human(scenario.realDuration()));
        err.flush();
        ScenarioRunner runner = new ScenarioRunner(scenario, Clock.systemUTC());
        CountDownLatch finished = new CountDownLatch(1);
        Thread stopOnSignal = new Thread(() -> {
            runner.stop();
            try {
                finished.await(ScenarioRunner.DRAIN_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "limes-simulator-stop");
        Runtime.getRuntime().addShutdownHook(stopOnSignal);
        ScenarioResult result;
        try (BufferedWriter captureFile = capture == null ? null : Files.newBufferedWriter(capture)) {
            Consumer<CapturedFrame> captured = captureFile == null ? null : f -> {
                try {
                    captureFile.write(f.toJsonLine());
                    captureFile.newLine();
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write the capture file " + capture, e);
                }
            };
            result = runner.run(p -> printProgress(err, p), captured);
        } catch (IOException | UncheckedIOException e) {
            err.println("limes-simulator: " + e.getMessage());
            return EXIT_UNREACHABLE;
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(stopOnSignal);
            } catch (IllegalStateException e) {
                // The JVM is already shutting down; the hook is running or has run.
            }
        }
        PrintWriter summary = json ? err : out;
        summary.printf(Locale.ROOT, "sent %d (malformed on purpose %d), delivered %d, failed %d, held back %d, "
                + "in %s (%s frames/s)%s%n", result.sent(), result.malformed(), result.delivered(), result.failed(),
                result.suppressed(), human(result.elapsed()), number(result.ratePerSecond()),
                result.stoppedEarly() ? ", stopped early" : "");
        summary.printf(Locale.ROOT, "good readings by kind: %s%n", result.goodReadingsByKind());
        summary.flush();
        if (json) {
            out.println(toJson(result));
            out.flush();
        }
        return result.complete() ? 0 : EXIT_INCOMPLETE;
    }

    static void printProgress(PrintWriter err, ScenarioProgress p) {
        err.printf(Locale.ROOT, "[%s] sent %d, delivered %d, errors %d, %s frames/s, %s left%n",
                human(p.elapsed()), p.sent(), p.delivered(), p.failed(), number(p.ratePerSecond()),
                human(p.remaining()));
        err.flush();
    }

    static String toJson(ScenarioResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scenario", r.scenario());
        m.put("sent", r.sent());
        m.put("delivered", r.delivered());
        m.put("failed", r.failed());
        m.put("malformed", r.malformed());
        m.put("held_back", r.suppressed());
        m.put("buffer_dropped", r.bufferDropped());
        m.put("good_readings_by_kind", r.goodReadingsByKind());
        m.put("elapsed_ms", r.elapsed().toMillis());
        m.put("rate_per_s", Math.round(r.ratePerSecond() * 100) / 100.0);
        m.put("stopped_early", r.stoppedEarly());
        try {
            return new ObjectMapper().writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the JSON summary", e);
        }
    }

    static String human(Duration d) {
        long millis = d.toMillis();
        if (millis < 1_000) {
            return millis + "ms";
        }
        if (millis < 60_000) {
            return String.format(Locale.ROOT, "%.1fs", millis / 1000.0);
        }
        if (millis < 3_600_000) {
            return String.format(Locale.ROOT, "%dm%02ds", millis / 60_000, millis / 1000 % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", millis / 3_600_000, millis / 60_000 % 60);
    }

    static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }
}
