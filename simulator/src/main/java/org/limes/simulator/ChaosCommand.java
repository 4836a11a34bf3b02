package org.limes.simulator;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.limes.simulator.chaos.ChaosProxy;
import org.limes.simulator.chaos.ChaosSchedule;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code limes-simulator chaos}: a TCP proxy between the gateway and a destination that
 * cuts, delays, throttles or resets the link on a schedule. Point the gateway's centre
 * (or store) at the proxy's port to rehearse an outage.
 */
@Command(
        name = "chaos",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        showDefaultValues = true,
        sortOptions = false,
        description = {"A TCP proxy between the gateway and a destination that cuts, delays, throttles or resets the"
            + " link on a schedule, to rehearse a centre outage.",
            "",
            "Phases: pass DURATION | cut DURATION | delay_ms=N DURATION | throttle_bytes_per_s=N DURATION | reset",
            "Example: chaos --listen 127.0.0.1:18830 --to tripoli-broker:1883 --schedule 'pass 30s, cut 20s, pass'"})
final class ChaosCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:18830",
            description = "Where the proxy listens (point the gateway here).")
    String listen;

    @Option(names = "--to", paramLabel = "HOST:PORT", required = true, description = "The real destination.")
    String to;

    @Option(names = "--schedule", paramLabel = "PHASES", defaultValue = "pass",
            description = "Comma-separated phases, played in order; the last lasts until Ctrl-C unless --repeat.")
    String schedule;

    @Option(names = "--repeat", description = "Start the schedule over after its last phase.")
    boolean repeat;

    @Option(names = "--duration", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Stop after this long (default: at the end of a finite schedule, else on Ctrl-C).")
    Duration duration;

    @Override
    public Integer call() throws InterruptedException {
        CommandLine cmd = spec.commandLine();
        PrintWriter err = cmd.getErr();
        ChaosSchedule parsed;
        try {
            parsed = ChaosSchedule.parse(schedule, repeat);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, "--schedule: " + e.getMessage(), e);
        }
        String[] l = hostPort(cmd, "--listen", listen);
        String[] d = hostPort(cmd, "--to", to);
        CountDownLatch done = new CountDownLatch(1);
        Thread onSignal = new Thread(done::countDown, "limes-chaos-stop");
        Runtime.getRuntime().addShutdownHook(onSignal);
        ChaosProxy started;
        try {
            started = ChaosProxy.start(l[0], Integer.parseInt(l[1]), d[0], Integer.parseInt(d[1]));
        } catch (RuntimeException e) {
            err.println("limes-simulator: cannot listen on " + listen + ": " + e.getMessage());
            Runtime.getRuntime().removeShutdownHook(onSignal);
            return ScenarioReport.EXIT_UNREACHABLE;
        }
        try (ChaosProxy proxy = started) {
            err.printf(Locale.ROOT, "chaos proxy on %s:%d → %s%n", l[0], proxy.port(), to);
            proxy.onPhase(p -> {
                err.printf(Locale.ROOT, "phase %s (accepted %d, refused %d, relayed %d bytes)%n", p, proxy.accepted(),
                        proxy.refused(), proxy.bytesRelayed());
                err.flush();
            });
            proxy.play(parsed);
            Duration runFor = duration != null ? duration : repeat ? null : ChaosProxy.length(parsed);
            if (runFor == null) {
                done.await();
            } else {
                done.await(runFor.toMillis(), TimeUnit.MILLISECONDS);
            }
            err.printf(Locale.ROOT, "accepted %d, refused %d, relayed %d bytes%n", proxy.accepted(), proxy.refused(),
                    proxy.bytesRelayed());
            err.flush();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(onSignal);
            } catch (IllegalStateException e) {
                // The JVM is already shutting down.
            }
        }
        return 0;
    }

    private static String[] hostPort(CommandLine cmd, String option, String value) {
        int colon = value.lastIndexOf(':');
        if (colon <= 0) {
            throw new CommandLine.ParameterException(cmd, option + " must be HOST:PORT, got '" + value + "'");
        }
        String port = value.substring(colon + 1);
        try {
            int p = Integer.parseInt(port);
            if (p < 0 || p > 65535) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            throw new CommandLine.ParameterException(cmd, option + " port must be 0..65535, got '" + port + "'");
        }
        return new String[] {value.substring(0, colon), port};
    }
}
