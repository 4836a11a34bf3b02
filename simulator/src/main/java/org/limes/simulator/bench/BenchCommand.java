package org.limes.simulator.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.limes.simulator.DurationConverter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
            description = "Messages per warm-up round, sent through the gateway and stored before the flood is "
                    + "measured, so the figures are of compiled code, not of the JIT at work; 0 measures from a "
                    + "cold start.")
    int warmup;

    @Option(names = "--warmup-rounds", paramLabel = "N", defaultValue = "10",
            description = "Most warm-up rounds; the warm-up ends sooner once the JIT has settled "
                    + "(--warmup-jit-share).")
    int warmupRounds;

    @Option(names = "--warmup-jit-share", paramLabel = "SHARE", defaultValue = "0.1",
            description = "The warm-up ends after a round in which the gateway's JIT compiler threads spent at most "
                    + "this share of its CPU (0..1).")
    double warmupJitShare;

    @Option(names = "--publishers", paramLabel = "N", defaultValue = "64",
            description = "Publisher connections, each on its own thread, so the broker and not one client limits; "
                    + "each device always on the same one.")
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

    @Option(names = "--mosquitto", paramLabel = "PATH", defaultValue = "/usr/sbin/mosquitto",
            description = "The Mosquitto executable (Debian package mosquitto).")
    Path mosquitto;

    @Option(names = "--stall-timeout", paramLabel = "DURATION", defaultValue = "30s", converter = DurationConverter.class,
            description = "A phase fails when nothing moves for this long.")
    Duration stall;

    @Option(names = "--probe-gap", paramLabel = "DURATION", defaultValue = "20ms", converter = DurationConverter.class,
            description = "Pause between alert probes.")
    Duration probeGap;

    @Mixin
    BenchOptions shared;

    @Override
    public Integer call() throws Exception {
        validate();
        try (BenchOptions.WorkDir dir = shared.workDir("limes-bench")) {
            BenchReport report = new BenchRun(new BenchRun.Settings(broker, mosquitto, messages, devices, qos,
                    shared.gatewayJar(), shared.gatewayJavaOptions(), stall, probeGap, dir.path(), shared.seed(), rate,
                    pacedFor, publishers, subscribers, store, shared.storeJavaOptions(), warmup, warmupRounds,
                    warmupJitShare, window, clientThreads),
                    shared.progress()).run();
            shared.print(report.toJson(new ObjectMapper()));
            return report.lossless() ? 0 : 1;
        } catch (IllegalStateException e) {
            return shared.failed(e);
        }
    }

    private void validate() {
        if (!broker.equals("embedded") && !broker.equals("mosquitto")) {
            throw shared.usage("--broker must be embedded or mosquitto, got '" + broker + "'");
        }
        if (!store.equals("embedded") && !store.equals("external")) {
            throw shared.usage("--store must be embedded or external, got '" + store + "'");
        }
        if (messages < 1) {
            throw shared.usage("--messages must be at least 1, got " + messages);
        }
        if (devices < 1 || devices > 100_000) {
            throw shared.usage("--devices must be 1..100000, got " + devices);
        }
        if (qos < 0 || qos > 1) {
            throw shared.usage("--qos must be 0 or 1 (the bench's load clients send QoS 0 and 1), got " + qos);
        }
        if (broker.equals("mosquitto") && !Files.isExecutable(mosquitto)) {
            throw shared.usage("--mosquitto: no executable at " + mosquitto
                    + "; install the Debian package (apt-get install -y mosquitto) or give its path");
        }
        if (warmup < 0) {
            throw shared.usage("--warmup must be 0 or above, got " + warmup);
        }
        if (warmupRounds < 1 || warmupRounds > 100) {
            throw shared.usage("--warmup-rounds must be 1..100, got " + warmupRounds);
        }
        if (!(warmupJitShare >= 0 && warmupJitShare <= 1)) {
            throw shared.usage("--warmup-jit-share must be 0..1, got " + warmupJitShare);
        }
        if (rate < 0 || Double.isNaN(rate)) {
            throw shared.usage("--rate must be 0 or above, got " + rate);
        }
        if (pacedFor.isNegative()) {
            throw shared.usage("--paced-duration must be 0s or above, got " + pacedFor);
        }
        if (publishers < 1 || publishers > 64) {
            throw shared.usage("--publishers must be 1..64, got " + publishers);
        }
        if (subscribers < 1 || subscribers > 64) {
            throw shared.usage("--subscribers must be 1..64, got " + subscribers);
        }
        if (window < 1 || window > 65_535) {
            throw shared.usage("--window must be 1..65535, got " + window);
        }
        if (clientThreads < 1 || clientThreads > 16) {
            throw shared.usage("--client-threads must be 1..16, got " + clientThreads);
        }
        if (stall.isZero() || stall.isNegative()) {
            throw shared.usage("--stall-timeout must be above 0, got " + stall);
        }
        shared.validate();
    }
}
