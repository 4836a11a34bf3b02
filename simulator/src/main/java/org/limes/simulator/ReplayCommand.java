package org.limes.simulator;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.limes.simulator.replay.CapturedFrame;
import org.limes.simulator.transport.FrameSender;
import org.limes.simulator.transport.TargetConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code limes-simulator replay FILE}: sends the frames of a capture file (written by
 * {@code run --capture}) again, with their original spacing divided by {@code --speed}.
 * The file is streamed, so a capture of any size replays in constant memory; a line that
 * is not a captured frame is counted, reported with its line number, and skipped.
 */
@Command(
        name = "replay",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        showDefaultValues = true,
        sortOptions = false,
        description = {"Re-send captured frames (from 'run --capture') with their original spacing, or faster.",
            "",
            "Example: replay fault.jsonl --target tcp://127.0.0.1:5020 --speed 10"})
final class ReplayCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The capture file: one JSON object per line.")
    Path file;

    @Option(names = "--target", paramLabel = "URI", required = true,
            description = "Where to send: mqtt://, tcp://, udp:// or http:// host:port[/path].")
    String target;

    @Option(names = "--speed", paramLabel = "X", defaultValue = "1",
            description = "Spacing divided by X; 0 sends as fast as the target takes them.")
    double speed;

    @Option(names = "--site", paramLabel = "SITE", defaultValue = "ras-ajdir", description = "The crossing, in MQTT topics.")
    String site;

    @Option(names = "--json", description = "Print the summary as one JSON object on stdout.")
    boolean json;

    @Override
    public Integer call() throws InterruptedException {
        CommandLine cmd = spec.commandLine();
        PrintWriter err = cmd.getErr();
        if (speed < 0 || Double.isNaN(speed)) {
            throw new CommandLine.ParameterException(cmd, "--speed must be 0 or above, got " + speed);
        }
        TargetConfig t;
        try {
            t = TargetConfig.parse(target);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, "--target: " + e.getMessage(), e);
        }
        AtomicLong delivered = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long sent = 0;
        long skipped = 0;
        long begin = System.nanoTime();
        try (FrameSender sender = FrameSender.open(t, "limes-sim-replay-" + ProcessHandle.current().pid(), site);
                BufferedReader in = Files.newBufferedReader(file)) {
            String line;
            long lineNo = 0;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                CapturedFrame f;
                try {
                    f = CapturedFrame.parse(line);
                } catch (IllegalArgumentException e) {
                    if (skipped++ < 10) {
                        err.printf("%s:%d: skipped: %s%n", file, lineNo, e.getMessage());
                    }
                    continue;
                }
                if (speed > 0) {
                    long due = begin + (long) (TimeUnit.MILLISECONDS.toNanos(f.atMs()) / speed);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                }
                sent++;
                sender.send(f.device(), f.kind(), f.frame()).whenComplete((ok, e) -> {
                    if (e == null) {
                        delivered.incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                    }
                });
            }
            sender.awaitIdle(Duration.ofSeconds(15));
        } catch (IOException e) {
            err.println("limes-simulator: " + e.getMessage());
            return ScenarioReport.EXIT_UNREACHABLE;
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - begin);
        PrintWriter summary = json ? err : cmd.getOut();
        summary.printf(Locale.ROOT, "replayed %d, delivered %d, failed %d, skipped lines %d in %s%n", sent,
                delivered.get(), failed.get(), skipped, ScenarioReport.human(elapsed));
        summary.flush();
        if (json) {
            cmd.getOut().printf(Locale.ROOT, "{\"sent\":%d,\"delivered\":%d,\"failed\":%d,\"skipped_lines\":%d,"
                    + "\"elapsed_ms\":%d}%n", sent, delivered.get(), failed.get(), skipped, elapsed.toMillis());
            cmd.getOut().flush();
        }
        return failed.get() == 0 && delivered.get() == sent ? 0 : ScenarioReport.EXIT_INCOMPLETE;
    }
}
