package org.limes.simulator.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.limes.simulator.bench.ChildProcesses;

/**
 * A real Kafka cluster for the rehearsal: three KRaft nodes, each a combined broker and
 * controller in a child JVM of its own running Kafka's production entry points — its storage
 * formatted by {@code kafka.tools.StorageTool format} (static quorum: the three voters named in
 * every node's {@code controller.quorum.voters}), then {@code kafka.Kafka server.properties}.
 * Both run from this JVM's own class path, which holds {@code org.apache.kafka:kafka_2.13}.
 *
 * <p>Ports are free loopback ports picked at start, data under the given folder. The brokers are
 * set for fast failover as the cluster README asks: replication factor 3 and
 * {@code min.insync.replicas} 2 for every topic (the internal ones included), a timed-out
 * transaction aborted within a second ({@code transaction.abort.timed.out.transaction.cleanup.interval.ms}),
 * the consumer protocol's session timeout lowered to the gateways' 6 s, no initial rebalance delay.
 *
 * <p>Every node is registered with {@link ChildProcesses} until {@link #close}, so none outlives
 * the bench. Threading: one caller at a time.
 */
final class KafkaNodes implements AutoCloseable {

    /** Nodes in the cluster, each broker and controller. */
    static final int NODES = 3;

    private static final Duration FORMAT_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_GRACE = Duration.ofSeconds(15);

    private final List<Process> processes;
    private final List<Integer> brokerPorts;
    private final List<Path> logs;

    private KafkaNodes(List<Process> processes, List<Integer> brokerPorts, List<Path> logs) {
        this.processes = processes;
        this.brokerPorts = brokerPorts;
        this.logs = logs;
    }

    /**
     * Formats and starts the three nodes and waits until all three brokers are registered.
     *
     * @param javaOptions JVM options of every node, e.g. {@code -Xmx512m}
     * @throws IllegalStateException when a node does not format or start, quoting its log
     */
    static KafkaNodes start(Path dir, List<String> javaOptions, Duration timeout)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        List<Integer> brokerPorts = new ArrayList<>();
        List<Integer> controllerPorts = new ArrayList<>();
        for (int i = 0; i < NODES; i++) {
            brokerPorts.add(ClusterBenchRun.freePort());
            controllerPorts.add(ClusterBenchRun.freePort());
        }
        StringBuilder voters = new StringBuilder();
        for (int i = 0; i < NODES; i++) {
            voters.append(i == 0 ? "" : ",").append(i + 1).append("@127.0.0.1:").append(controllerPorts.get(i));
        }
        String clusterId = Uuid.randomUuid().toString();
        List<Path> configs = new ArrayList<>();
        for (int i = 0; i < NODES; i++) {
            Path nodeDir = Files.createDirectories(dir.resolve("node-" + (i + 1)));
            Path config = nodeDir.resolve("server.properties");
            Files.writeString(config, serverProperties(i + 1, brokerPorts.get(i), controllerPorts.get(i),
                    voters.toString(), nodeDir.resolve("data")), StandardCharsets.UTF_8);
            configs.add(config);
        }
        // Format all three at once: each is a JVM start of a few seconds on a busy machine.
        List<Process> formats = new ArrayList<>();
        List<Path> formatLogs = new ArrayList<>();
        try {
            for (int i = 0; i < NODES; i++) {
                Path log = configs.get(i).resolveSibling("format.log");
                formatLogs.add(log);
                formats.add(ChildProcesses.start(new ProcessBuilder(ChildProcesses.javaCommand(javaOptions,
                        "kafka.tools.StorageTool", List.of("format", "--cluster-id", clusterId, "--config",
                        configs.get(i).toString())))
                        .redirectErrorStream(true).redirectOutput(log.toFile())));
            }
            for (int i = 0; i < NODES; i++) {
                Process p = formats.get(i);
                if (!p.waitFor(FORMAT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new IllegalStateException("Kafka node " + (i + 1) + " storage not formatted within "
                            + FORMAT_TIMEOUT.toSeconds() + " s: " + ChildProcesses.tail(formatLogs.get(i)));
                }
                if (p.exitValue() != 0) {
                    throw new IllegalStateException("Kafka node " + (i + 1) + " storage format failed (exit "
                            + p.exitValue() + "): " + ChildProcesses.tail(formatLogs.get(i)));
                }
            }
        } finally {
            for (Process p : formats) {
                p.destroyForcibly();
                ChildProcesses.forget(p);
            }
        }
        List<Process> processes = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        KafkaNodes nodes = new KafkaNodes(processes, brokerPorts, logs);
        try {
            for (int i = 0; i < NODES; i++) {
                Path log = configs.get(i).resolveSibling("kafka.log");
                logs.add(log);
                processes.add(ChildProcesses.start(new ProcessBuilder(ChildProcesses.javaCommand(javaOptions, "kafka.Kafka",
                        List.of(configs.get(i).toString()))).redirectErrorStream(true).redirectOutput(log.toFile())));
            }
            nodes.awaitBrokers(timeout);
            return nodes;
        } catch (IOException | RuntimeException | InterruptedException e) {
            nodes.close();
            throw e;
        }
    }

    /** The {@code server.properties} of node {@code id}: combined broker and controller on loopback. */
    static String serverProperties(int id, int brokerPort, int controllerPort, String voters, Path dataDir) {
        return """
                # Written by limes-simulator cluster-bench: node %1$d of a 3-node KRaft cluster.
                process.roles=broker,controller
                node.id=%1$d
                controller.quorum.voters=%4$s
                listeners=PLAINTEXT://127.0.0.1:%2$d,CONTROLLER://127.0.0.1:%3$d
                advertised.listeners=PLAINTEXT://127.0.0.1:%2$d
                controller.listener.names=CONTROLLER
                inter.broker.listener.name=PLAINTEXT
                listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
                log.dirs=%5$s
                num.partitions=1
                # Every topic is made by whoever owns it (the gateways' ClusterTopics, Kafka Streams), never by a
                # consumer's metadata request: with auto-creation a sink consumer of one instance can create the
                # readings topic with one partition before another instance creates it with twelve.
                auto.create.topics.enable=false
                default.replication.factor=3
                min.insync.replicas=2
                offsets.topic.replication.factor=3
                offsets.topic.num.partitions=12
                transaction.state.log.replication.factor=3
                transaction.state.log.min.isr=2
                transaction.state.log.num.partitions=12
                share.coordinator.state.topic.replication.factor=3
                share.coordinator.state.topic.min.isr=2
                # Failover within seconds, as the cluster README asks (Kafka's defaults hold a dead member's
                # partitions and its open transaction for much longer).
                group.initial.rebalance.delay.ms=0
                group.min.session.timeout.ms=1000
                group.consumer.min.session.timeout.ms=1000
                group.consumer.session.timeout.ms=6000
                transaction.abort.timed.out.transaction.cleanup.interval.ms=1000
                # A small machine shared by three brokers, three gateways and the store.
                num.network.threads=2
                num.io.threads=2
                num.replica.fetchers=1
                background.threads=2
                log.cleaner.threads=1
                """.formatted(id, brokerPort, controllerPort, voters, dataDir.toString().replace("\\", "\\\\"));
    }

    private void awaitBrokers(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        // The listeners first, so the admin client does not log a warning per refused connection.
        for (int i = 0; i < NODES; i++) {
            while (!ChildProcesses.listening(brokerPorts.get(i))) {
                if (!processes.get(i).isAlive()) {
                    throw new IllegalStateException("Kafka node " + (i + 1) + " exited during start-up (exit "
                            + processes.get(i).exitValue() + "): " + ChildProcesses.tail(logs.get(i)));
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Kafka node " + (i + 1) + " did not listen within "
                            + timeout.toSeconds() + " s; see " + logs.get(i));
                }
                TimeUnit.MILLISECONDS.sleep(200);
            }
        }
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
        try (Admin admin = Admin.create(props)) {
            while (true) {
                for (int i = 0; i < NODES; i++) {
                    if (!processes.get(i).isAlive()) {
                        throw new IllegalStateException("Kafka node " + (i + 1) + " exited during start-up (exit "
                                + processes.get(i).exitValue() + "): " + ChildProcesses.tail(logs.get(i)));
                    }
                }
                try {
                    int brokers = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size();
                    if (brokers == NODES) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    // not up yet
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the Kafka cluster did not register " + NODES + " brokers within "
                            + timeout.toSeconds() + " s; see " + logs.get(0));
                }
                TimeUnit.MILLISECONDS.sleep(500);
            }
        }
    }

    /** {@code bootstrap.servers}: every broker. */
    String bootstrap() {
        return String.join(",", bootstrapList());
    }

    /** Every broker as {@code host:port}. */
    List<String> bootstrapList() {
        List<String> list = new ArrayList<>();
        for (int port : brokerPorts) {
            list.add("127.0.0.1:" + port);
        }
        return list;
    }

    /** The nodes' process ids, for their CPU time. */
    List<Long> pids() {
        return processes.stream().map(Process::pid).toList();
    }

    /** Whether every node still runs. */
    boolean allAlive() {
        return processes.stream().allMatch(Process::isAlive);
    }

    /** Stops every node: SIGTERM to all, then SIGKILL to those still running after a grace. */
    @Override
    public void close() {
        // The last broker's controlled shutdown waits for a quorum that is gone: it is the one killed.
        ChildProcesses.stop(processes, STOP_GRACE);
    }
}
