package org.limes.simulator.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where the gateway's CPU goes, by the role of its threads: each live thread of the gateway's
 * JVM ({@code /proc/<pid>/task/<tid>/stat}) is put in one role by its name ({@code comm}, the
 * first 15 bytes of the Java thread's name) and the roles' CPU times are summed. Two readings,
 * before and after a phase, give what each role spent in it ({@link #minus}).
 *
 * <p>The roles, in the order the report lists them: the MQTT clients' three kinds of thread
 * (Paho's receiver parses packets, its sender writes the PUBACKs and publishes, its callback
 * thread runs the MQTT source: decoding and admission; an MQTT centre's client has the same
 * three, named alike, and counts with them), the embedded broker (HiveMQ), the pipeline's shards (rules, the
 * outbox appends), in cluster mode the rules' Kafka Streams threads (named after the crossing's
 * rules application, {@code limes-<crossing>-…}, which the caller names) and the Kafka clients'
 * own threads ({@code kafka-producer-network-thread}, {@code kafka-admin-client-thread},
 * {@code kafka-coordinator-heartbeat-thread}), the outboxes' group commit (fsync, then the acknowledgements), the store's
 * sink and the other sinks (in cluster mode, the sink relays), the embedded store (QuestDB), the garbage collector, the JIT
 * compiler and everything else.
 *
 * <p>Threads that ended within the interval are missing from the later reading, so the roles
 * can sum to less than the process's own figure; never to more.
 */
public final class GatewayThreads {

    /** The roles, in report order. */
    public static final List<String> ROLES = List.of("mqtt_receive", "mqtt_send", "mqtt_callback", "broker", "pipeline",
            "cluster_rules", "kafka_clients", "outbox_commit", "sink_store", "sinks_other", "store", "gc", "jit",
            "other");

    /** HiveMQ CE's thread names (its event loops, extension executor, persistence). */
    private static final List<String> BROKER = List.of("hivemq", "embedded-hivemq", "extension-", "single-writer",
            "scheduled-persi", "payload-persist", "global-traffic", "Exodus", "rocksdb");

    /** QuestDB's worker pools (shared network, query and write pools, WAL apply, its logger, exports). */
    private static final List<String> STORE = List.of("questdb", "wal-apply", "shared-network", "shared-write",
            "shared-query", "logging_", "export_");

    private GatewayThreads() {
    }

    private static boolean startsWithAny(String comm, List<String> prefixes) {
        for (String p : prefixes) {
            if (comm.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    /** The role of a thread by its {@code comm} name (at most 15 bytes of the Java name). */
    static String role(String comm) {
        return role(comm, null);
    }

    /**
     * {@link #role(String)}, with the threads whose {@code comm} starts with
     * {@code rulesPrefix} (a cluster's Kafka Streams threads) as {@code cluster_rules}; null for none.
     */
    static String role(String comm, String rulesPrefix) {
        if (rulesPrefix != null && comm.startsWith(rulesPrefix)) {
            return "cluster_rules";
        }
        if (comm.startsWith("kafka-")) {
            return "kafka_clients";
        }
        if (comm.startsWith("MQTT Rec")) {
            return "mqtt_receive";
        }
        if (comm.startsWith("MQTT Snd") || comm.startsWith("MQTT Ping")) {
            return "mqtt_send";
        }
        if (comm.startsWith("MQTT Call")) {
            return "mqtt_callback";
        }
        if (startsWithAny(comm, BROKER)) {
            return "broker";
        }
        if (comm.startsWith("limes-pipeline")) {
            return "pipeline";
        }
        if (comm.startsWith("limes-outbox-co")) {
            return "outbox_commit";
        }
        if (comm.startsWith("limes-sink-stor")) {
            return "sink_store";
        }
        if (comm.startsWith("limes-sink-") || comm.startsWith("limes-cluster-s") || comm.startsWith("OkHttp")
                || comm.startsWith("Okio")) {
            return "sinks_other";
        }
        if (startsWithAny(comm, STORE)) {
            return "store";
        }
        if (ProcStat.isGcThread(comm)) {
            return "gc";
        }
        if (comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre") || comm.equals("Sweeper thread")) {
            return "jit";
        }
        return "other";
    }

    /** CPU time per role of the live threads of {@code pid}, µs, every role present; null when unreadable. */
    static Map<String, Long> cpuMicros(long pid) {
        return cpuMicros(pid, null);
    }

    /** {@link #cpuMicros(long)} with a cluster's rules threads apart ({@link #role(String, String)}). */
    public static Map<String, Long> cpuMicros(long pid, String rulesPrefix) {
        Map<String, Long> ticks = zero();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                try {
                    ProcStat.Stat stat = ProcStat.parse(Files.readString(task.resolve("stat"),
                            StandardCharsets.US_ASCII));
                    ticks.merge(role(stat.comm(), rulesPrefix), stat.cpuTicks(), Long::sum);
                } catch (IOException e) {
                    // the thread ended between listing and reading
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        ticks.replaceAll((role, t) -> ProcStat.ticksToMicros(t));
        return ticks;
    }

    /**
     * What each role spent between two readings; a role whose later reading is below the
     * earlier one (its threads ended) counts 0. Null when either reading is null.
     */
    public static Map<String, Long> minus(Map<String, Long> after, Map<String, Long> before) {
        if (after == null || before == null) {
            return null;
        }
        Map<String, Long> out = zero();
        out.replaceAll((role, zero) -> Math.max(0, after.getOrDefault(role, 0L) - before.getOrDefault(role, 0L)));
        return out;
    }

    /** {@code role}'s share of all the roles' CPU in a reading or an interval; -1 when null or nothing was spent. */
    static double share(Map<String, Long> roles, String role) {
        if (roles == null) {
            return -1;
        }
        long all = 0;
        for (long micros : roles.values()) {
            all += micros;
        }
        return all <= 0 ? -1 : (double) roles.getOrDefault(role, 0L) / all;
    }

    /**
     * Each role's CPU per unit (message, frame), µs, in the readings' order; -1 for every role
     * when there were no units.
     */
    public static Map<String, Double> perUnit(Map<String, Long> micros, long units) {
        Map<String, Double> out = new LinkedHashMap<>();
        micros.forEach((role, us) -> out.put(role, units <= 0 ? -1 : (double) us / units));
        return out;
    }

    /**
     * The roles that show at {@code decimals} places (those that round to more than 0), as
     * {@code role 1.2, role 3.4}: the progress output of both benches.
     */
    public static String describe(Map<String, Double> perUnit, int decimals) {
        double shown = 0.5 / Math.pow(10, decimals);
        StringBuilder out = new StringBuilder();
        perUnit.forEach((role, us) -> {
            if (us >= shown) {
                out.append(out.length() == 0 ? "" : ", ")
                        .append(String.format(Locale.ROOT, "%s %." + decimals + "f", role, us));
            }
        });
        return out.toString();
    }

    /**
     * A thread's name as {@code /proc} shows it ({@code comm}): its first 15 bytes (the names here
     * are ASCII), so that a prefix can be matched against it.
     */
    public static String comm(String threadName) {
        return threadName.length() <= 15 ? threadName : threadName.substring(0, 15);
    }

    /** Every role at 0, in {@link #ROLES} order: a sum to add readings to. */
    public static Map<String, Long> zero() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String role : ROLES) {
            m.put(role, 0L);
        }
        return m;
    }
}
