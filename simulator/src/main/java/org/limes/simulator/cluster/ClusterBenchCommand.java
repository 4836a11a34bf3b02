package org.limes.simulator.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.concurrent.Callable;
import org.limes.simulator.DurationConverter;
import org.limes.simulator.bench.BenchOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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

    @Option(names = "--devices", paramLabel = "N", defaultValue = "300",
            description = "Counters in the fleet (one in ten alerts), spread over the three instances.")
    int devices;

    @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "20s", converter = DurationConverter.class,
            description = "Length of the three-instance and the one-instance phases (at least 10s); the failover "
                    + "phase lasts at least as long as its wave of surges needs.")
    Duration duration;

    @Option(names = "--warmup", paramLabel = "DURATION", defaultValue = "60s", converter = DurationConverter.class,
            description = "Load through the three instances before anything is measured (0s: none), so the CPU "
                    + "figures are of compiled code (with 5s the JIT was 40 %% of the instances' CPU).")
    Duration warmup;

    @Option(names = "--rate", paramLabel = "FRAMES_PER_S", defaultValue = "500",
            description = "Readings per second from the whole fleet, paced, in every phase.")
    double rate;

    @Option(names = "--hold", paramLabel = "SECONDS", defaultValue = "5",
            description = "The threshold rule's hold (for), 2..30 s: the failover kill comes one second before it ends.")
    int hold;

    @Option(names = "--kafka-java-option", paramLabel = "OPTION",
            description = "A JVM option for every Kafka node; repeatable (default: -Xmx512m).")
    List<String> kafkaJavaOptions = new ArrayList<>();

    @Option(names = "--cluster-setting", paramLabel = "KEY=VALUE",
            description = "A key of every instance's cluster: section, over the rehearsal's (session_timeout_ms=6000, "
                    + "transaction_timeout_ms=10000, produce_timeout_ms=10000, …); repeatable. The rehearsal's "
                    + "own keys (bootstrap_servers, crossing, frames_partitions) are refused; a bad value makes the "
                    + "gateways refuse to start, naming it.")
    Map<String, String> clusterSettings = new LinkedHashMap<>();

    /** The keys the rehearsal's own checks rest on: the brokers, the topics' names and the partition count. */
    private static final Set<String> OWN_KEYS = Set.of("bootstrap_servers", "crossing", "frames_partitions");
    private static final Pattern KEY = Pattern.compile("[a-z][a-z0-9_]{0,63}");

    @Option(names = "--stall-timeout", paramLabel = "DURATION", defaultValue = "60s",
            converter = DurationConverter.class,
            description = "Draining fails when the store and the devices' answers stop moving for this long.")
    Duration stall;

    @Mixin
    BenchOptions shared;

    @Override
    public Integer call() throws Exception {
        validate();
        try (BenchOptions.WorkDir dir = shared.workDir("limes-cluster-bench")) {
            List<String> kafkaOptions = kafkaJavaOptions.isEmpty() ? List.of("-Xmx512m") : List.copyOf(kafkaJavaOptions);
            ClusterBenchRun.Result result = new ClusterBenchRun(new ClusterBenchRun.Settings(devices, duration, warmup, rate,
                    hold, dir.path(), shared.gatewayJar(), shared.gatewayJavaOptions(), kafkaOptions,
                    shared.storeJavaOptions(), stall, shared.seed(), Map.copyOf(clusterSettings)), System.err).run();
            // Everything the run started is stopped by now: say so, from the operating system's view.
            long left = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).count();
            result.json().put("children_left", left);
            shared.print(result.json());
            return result.ok() && left == 0 ? 0 : 1;
        } catch (IllegalStateException e) {
            return shared.failed(e);
        }
    }

    private void validate() {
        if (devices < 10 || devices > 10_000) {
            throw shared.usage("--devices must be 10..10000, got " + devices);
        }
        if (duration.compareTo(Duration.ofSeconds(10)) < 0) {
            throw shared.usage("--duration must be at least 10s (the first wave of alerts needs it), got " + duration);
        }
        if (warmup.isNegative()) {
            throw shared.usage("--warmup must be 0s or above, got " + warmup);
        }
        if (!(rate >= 10 && rate <= 100_000)) {
            throw shared.usage("--rate must be 10..100000, got " + rate);
        }
        if (hold < 2 || hold > 30) {
            throw shared.usage("--hold must be 2..30, got " + hold);
        }
        for (String key : clusterSettings.keySet()) {
            if (!KEY.matcher(key).matches()) {
                throw shared.usage("--cluster-setting " + key + ": a key of the cluster: section is lower case, "
                        + "digits and _ (session_timeout_ms=6000)");
            }
            if (OWN_KEYS.contains(key)) {
                throw shared.usage("--cluster-setting " + key + " is the rehearsal's own; it cannot be set");
            }
        }
        if (stall.compareTo(Duration.ofSeconds(1)) < 0) {
            throw shared.usage("--stall-timeout must be at least 1s, got " + stall);
        }
        shared.validate();
    }
}
