package org.limes.simulator.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.limes.simulator.DurationConverter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code limes-simulator bench}: measures the broker's limit, the gateway's throughput on the
 * same load and alert latency meanwhile (see {@link BenchRun}); progress on stderr, a summary
 * or ({@code --json}) one JSON object as the last line of stdout.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        sortOptions = false,
        description = {
            "Measure the broker's own limit, the gateway's throughput into its store on the same load, "
                    + "alert latency in that flood and under a paced load, and each process's CPU per "
                    + "message, in one run. Starts the broker (HiveMQ CE in-process, or Mosquitto "
                    + "on a free port) and the gateway as a child JVM, and with --store external QuestDB in a "
                    + "child JVM of its own; removes everything it started, also when interrupted."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every message the broker accepted was delivered and stored; every alert arrived",
            "1:something was lost, stalled or failed (the JSON says what)",
            "2:invalid options"})
public final class BenchCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--broker", paramLabel = "KIND", defaultValue = "embedded",
            description = "embedded (HiveMQ CE in this process) or mosquitto (a child process).")
    String broker;

    @Option(names = "--store", paramLabel = "KIND", defaultValue = "embedded",
            description = "embedded (QuestDB inside the gateway's JVM, as the gateway ships) or external "
                    + "(QuestDB in a child JVM of its own, which the gateway writes to as InfluxDB; "
                    + "its CPU is reported apart as store_cpu_us_per_msg).")
    String store;

    @Option(names = "--messages", paramLabel = "N", defaultValue = "200000", description = "Load messages per phase.")
    int messages;

    @Option(names = "--devices", paramLabel = "N", defaultValue = "10000",
            description = "Devices in the load and in the gateway's inventory.")
    int devices;

    @Option(names = "--qos", paramLabel = "QOS", defaultValue = "1", description = "QoS of the load messages: 0 or 1.")
    int qos;

    @Option(names = "--rate", paramLabel = "MSGS_PER_S", defaultValue = "0",
            description = "Rate of the paced phase, which measures alert latency below the gateway's limit; "
                    + "0: 80 %% of the gateway's rate in the flood.")
    double rate;

    @Option(names = "--paced-duration", paramLabel = "DURATION", defaultValue = "20s",
            converter = DurationConverter.class,
            description = "How long the paced phase publishes; 0s skips it.")
    Duration pacedFor;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "20000",
            description = "Messages sent through the gateway, and stored, before the flood is measured, so the "
                    + "figures are of compiled code, not of the JIT at work; 0 measures from a cold start.")
    int warmup;

    @Option(names = "--publishers", paramLabel = "N", defaultValue = "4",
            description = "Publisher connections, each on its own thread, so the broker and not one client limits.")
    int publishers;

    @Option(names = "--subscribers", paramLabel = "N", defaultValue = "2",
            description = "Subscriber connections of the limit phase (one shared subscription when above 1).")
    int subscribers;

    @Option(names = "--window", paramLabel = "N", defaultValue = "65535",
            description = "Most messages in flight per publisher connection, 1..65535; the broker's Receive Maximum "
                    + "lowers it.")
    int window;

    @Option(names = "--client-threads", paramLabel = "N", defaultValue = "1",
            description = "Event-loop threads serving the load clients' connections.")
    int clientThreads;

    @Option(names = "--json", description = "Print the result as one JSON object on the last line.")
    boolean json;

    @Option(names = "--gateway-jar", paramLabel = "PATH", defaultValue = "gateway/target/limes-gateway.jar",
            description = "The gateway's runnable jar, relative to the working directory.")
    Path gatewayJar;

    @Option(names = "--gateway-java-option", paramLabel = "OPTION",
            description = "A JVM option for the gateway, e.g. -Xmx256m or -XX:StartFlightRecording=filename=gw.jfr; repeatable.")
    List<String> gatewayJavaOptions = new ArrayList<>();

    @Option(names = "--store-java-option", paramLabel = "OPTION",
            description = "A JVM option for the external store, e.g. -Xmx256m; repeatable.")
    List<String> storeJavaOptions = new ArrayList<>();

    @Option(names = "--mosquitto", paramLabel = "PATH", defaultValue = "/usr/sbin/mosquitto",
            description = "The Mosquitto executable (Debian package mosquitto).")
    Path mosquitto;

    @Option(names = "--stall-timeout", paramLabel = "DURATION", defaultValue = "30s", converter = DurationConverter.class,
            description = "A phase fails when nothing moves for this long.")
    Duration stall;

    @Option(names = "--probe-gap", paramLabel = "DURATION", defaultValue = "20ms", converter = DurationConverter.class,
            description = "Pause between alert probes.")
    Duration probeGap;

    @Option(names = "--work-dir", paramLabel = "DIR",
            description = "Where the broker's and gateway's files go (default: a temporary folder, removed afterwards).")
    Path workDir;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Seed of the counter model.")
    long seed;

    @Override
    public Integer call() throws Exception {
        validate();
        boolean temporary = workDir == null;
        Path dir = temporary ? Files.createTempDirectory("limes-bench") : Files.createDirectories(workDir);
        if (temporary) {
            // Also removed, after the child processes are stopped, when this JVM is interrupted.
            ChildProcesses.deleteAtExit(dir);
        }
        PrintWriter out = spec.commandLine().getOut();
        try {
            BenchReport report = new BenchRun(new BenchRun.Settings(broker, mosquitto, messages, devices, qos,
                    gatewayJar, List.copyOf(gatewayJavaOptions), stall, probeGap, dir, seed, rate, pacedFor, publishers,
                    subscribers, store, List.copyOf(storeJavaOptions), warmup, window, clientThreads), System.err).run();
            ObjectMapper mapper = new ObjectMapper();
            if (json) {
                out.println(mapper.writeValueAsString(report.toJson(mapper)));
            } else {
                out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(report.toJson(mapper)));
            }
            out.flush();
            return report.lossless() ? 0 : 1;
        } catch (IllegalStateException e) {
            spec.commandLine().getErr().println("bench failed: " + e.getMessage());
            return 1;
        } finally {
            if (temporary) {
                ChildProcesses.deleteTree(dir);
                ChildProcesses.keep(dir);
            }
        }
    }

    private void validate() {
        if (!broker.equals("embedded") && !broker.equals("mosquitto")) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--broker must be embedded or mosquitto, got '" + broker + "'");
        }
        if (!store.equals("embedded") && !store.equals("external")) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--store must be embedded or external, got '" + store + "'");
        }
        if (messages < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--messages must be at least 1, got " + messages);
        }
        if (devices < 1 || devices > 100_000) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--devices must be 1..100000, got " + devices);
        }
        if (qos < 0 || qos > 1) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--qos must be 0 or 1 (the bench's load clients send QoS 0 and 1), got " + qos);
        }
        if (!Files.isRegularFile(gatewayJar)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--gateway-jar: no file at "
                    + gatewayJar.toAbsolutePath() + "; build it (mvn -B -q -DskipTests package) or give its path");
        }
        if (broker.equals("mosquitto") && !Files.isExecutable(mosquitto)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--mosquitto: no executable at " + mosquitto
                    + "; install the Debian package (apt-get install -y mosquitto) or give its path");
        }
        if (warmup < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--warmup must be 0 or above, got " + warmup);
        }
        if (rate < 0 || Double.isNaN(rate)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--rate must be 0 or above, got " + rate);
        }
        if (pacedFor.isNegative()) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--paced-duration must be 0s or above, got " + pacedFor);
        }
        if (publishers < 1 || publishers > 64) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--publishers must be 1..64, got " + publishers);
        }
        if (subscribers < 1 || subscribers > 64) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--subscribers must be 1..64, got " + subscribers);
        }
        if (window < 1 || window > 65_535) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--window must be 1..65535, got " + window);
        }
        if (clientThreads < 1 || clientThreads > 16) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--client-threads must be 1..16, got " + clientThreads);
        }
        if (stall.isZero() || stall.isNegative()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--stall-timeout must be above 0, got " + stall);
        }
    }
}
