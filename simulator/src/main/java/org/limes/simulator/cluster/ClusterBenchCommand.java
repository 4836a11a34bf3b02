package org.limes.simulator.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.limes.simulator.DurationConverter;
import org.limes.simulator.bench.ChildProcesses;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code limes-simulator cluster-bench}: the one-command rehearsal of cluster mode (#16) — see
 * {@link ClusterBenchRun}; progress on stderr, the result as one JSON object on the last line of
 * stdout ({@code --json}) or pretty-printed.
 */
@Command(
        name = "cluster-bench",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        sortOptions = false,
        description = {
            "Rehearse cluster mode on this machine: a 3-node Kafka (KRaft, child JVMs), three gateway instances "
                    + "in cluster mode (child JVMs), one shared store (QuestDB, child JVM), two recording centres "
                    + "(webhooks in this JVM) and a fleet of counters with alerts; measures CPU per frame with one "
                    + "and three instances, kills one instance (SIGKILL) mid-run and checks that nothing "
                    + "acknowledged was lost, nothing stored twice, nothing out of order and every expected alert "
                    + "reached both centres. Removes everything it started, also when interrupted."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:lost 0, duplicate_rows 0, order_violations 0 and every expected alert at both centres",
            "1:a check failed or the run could not complete (the JSON or the message says what)",
            "2:invalid options"})
public final class ClusterBenchCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--devices", paramLabel = "N", defaultValue = "300",
            description = "Counters in the fleet (one in ten alerts), spread over the three instances.")
    int devices;

    @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "20s", converter = DurationConverter.class,
            description = "Length of the three-instance and the one-instance phases (at least 10s); the failover "
                    + "phase lasts at least as long as its wave of surges needs.")
    Duration duration;

    @Option(names = "--warmup", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
            description = "Load through the three instances before anything is measured (0s: none), so the CPU "
                    + "figures are of compiled code.")
    Duration warmup;

    @Option(names = "--rate", paramLabel = "FRAMES_PER_S", defaultValue = "500",
            description = "Readings per second from the whole fleet, paced, in every phase.")
    double rate;

    @Option(names = "--hold", paramLabel = "SECONDS", defaultValue = "5",
            description = "The threshold rule's hold (for), 2..30 s: the failover kill comes one second before it ends.")
    int hold;

    @Option(names = "--json", description = "Print the result as one JSON object on the last line.")
    boolean json;

    @Option(names = "--work-dir", paramLabel = "DIR",
            description = "Where the nodes', gateways' and store's files and logs go (default: a temporary folder, "
                    + "removed afterwards).")
    Path workDir;

    @Option(names = "--gateway-jar", paramLabel = "PATH", defaultValue = "gateway/target/limes-gateway.jar",
            description = "The gateway's runnable jar, relative to the working directory.")
    Path gatewayJar;

    @Option(names = "--gateway-java-option", paramLabel = "OPTION",
            description = "A JVM option for every gateway instance; repeatable.")
    List<String> gatewayJavaOptions = new ArrayList<>();

    @Option(names = "--kafka-java-option", paramLabel = "OPTION",
            description = "A JVM option for every Kafka node; repeatable (default: -Xmx512m).")
    List<String> kafkaJavaOptions = new ArrayList<>();

    @Option(names = "--store-java-option", paramLabel = "OPTION",
            description = "A JVM option for the store; repeatable.")
    List<String> storeJavaOptions = new ArrayList<>();

    @Option(names = "--stall-timeout", paramLabel = "DURATION", defaultValue = "60s",
            converter = DurationConverter.class,
            description = "Draining fails when the store and the devices' answers stop moving for this long.")
    Duration stall;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Seed of the counter model.")
    long seed;

    @Override
    public Integer call() throws Exception {
        validate();
        boolean temporary = workDir == null;
        Path dir = temporary ? Files.createTempDirectory("limes-cluster-bench") : Files.createDirectories(workDir);
        if (temporary) {
            ChildProcesses.deleteAtExit(dir);
        }
        PrintWriter out = spec.commandLine().getOut();
        try {
            List<String> kafkaOptions = kafkaJavaOptions.isEmpty() ? List.of("-Xmx512m") : List.copyOf(kafkaJavaOptions);
            ClusterBenchRun.Result result = new ClusterBenchRun(new ClusterBenchRun.Settings(devices, duration, warmup, rate,
                    hold, dir.toAbsolutePath(), gatewayJar, List.copyOf(gatewayJavaOptions), kafkaOptions,
                    List.copyOf(storeJavaOptions), stall, seed), System.err).run();
            // Everything the run started is stopped by now: say so, from the operating system's view.
            long left = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).count();
            result.json().put("children_left", left);
            ObjectMapper mapper = new ObjectMapper();
            out.println(json ? mapper.writeValueAsString(result.json())
                    : mapper.writerWithDefaultPrettyPrinter().writeValueAsString(result.json()));
            out.flush();
            return result.ok() && left == 0 ? 0 : 1;
        } catch (IllegalStateException e) {
            spec.commandLine().getErr().println("cluster-bench failed: " + e.getMessage());
            return 1;
        } finally {
            if (temporary) {
                ChildProcesses.deleteTree(dir);
                ChildProcesses.keep(dir);
            }
        }
    }

    private void validate() {
        if (devices < 10 || devices > 10_000) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--devices must be 10..10000, got " + devices);
        }
        if (duration.compareTo(Duration.ofSeconds(10)) < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--duration must be at least 10s (the first wave of alerts needs it), got " + duration);
        }
        if (warmup.isNegative()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--warmup must be 0s or above, got " + warmup);
        }
        if (!(rate >= 10 && rate <= 100_000)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--rate must be 10..100000, got " + rate);
        }
        if (hold < 2 || hold > 30) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--hold must be 2..30, got " + hold);
        }
        if (stall.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--stall-timeout must be at least 1s, got " + stall);
        }
        if (!Files.isRegularFile(gatewayJar)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--gateway-jar: no file at "
                    + gatewayJar.toAbsolutePath() + "; build it (mvn -B -q -DskipTests package) or give its path");
        }
    }
}
