package org.limes.gateway.cluster;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Kafka cluster inside the test JVM: KRaft brokers and controllers from Kafka's
 * own test kit ({@link KafkaClusterTestKit}), no Docker, no child process. For the cluster-mode
 * ITs (and, through the gateway's test jar, the simulator's).
 *
 * <p>By default three brokers and one separate controller: the controller quorum then
 * survives when brokers are stopped, so a test can take two of three brokers away and see the
 * producer refused (not enough in-sync replicas) rather than a cluster without a controller.
 * Ephemeral ports, a temporary directory deleted by {@link #close}, small buffers (the log
 * cleaner's dedupe buffer is 128 MiB per broker by default) and a single network thread each,
 * so three brokers fit a small test heap on a 2-core machine.
 *
 * <p>Use with try-with-resources, or through {@link ClusterKafkaExtension} (a JUnit 5 extension
 * that also writes a gateway's {@code cluster:} section and closes the gateways after each test);
 * not thread-safe (one test class owns it).
 */
public final class ClusterKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterKafka.class);

    private final KafkaClusterTestKit kit;
    private final long startMillis;

    private ClusterKafka(KafkaClusterTestKit kit, long startMillis) {
        this.kit = kit;
        this.startMillis = startMillis;
    }

    /** Three brokers and one separate controller, started and ready. */
    public static ClusterKafka start() throws Exception {
        return start(3, 1, false);
    }

    /**
     * Starts a cluster and waits until every broker is ready.
     *
     * @param combined true: each node is broker and controller (then {@code controllers} is ignored)
     */
    public static ClusterKafka start(int brokers, int controllers, boolean combined) throws Exception {
        long t0 = System.nanoTime();
        TestKitNodes nodes = new TestKitNodes.Builder()
                .setCombined(combined)
                .setNumBrokerNodes(brokers)
                .setNumControllerNodes(combined ? brokers : controllers)
                .build();
        KafkaClusterTestKit kit = new KafkaClusterTestKit.Builder(nodes)
                // The internal topics as a production cluster of three has them.
                .setConfigProp("offsets.topic.replication.factor", String.valueOf(Math.min(3, brokers)))
                .setConfigProp("transaction.state.log.replication.factor", String.valueOf(Math.min(3, brokers)))
                .setConfigProp("transaction.state.log.min.isr", String.valueOf(Math.min(2, brokers)))
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                // Failover in seconds, not minutes: a dead instance's open transaction is aborted
                // soon after its transaction.timeout.ms (the check runs every 10 s by default).
                .setConfigProp("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000")
                // Small: three brokers in one test JVM.
                .setConfigProp("log.cleaner.dedupe.buffer.size", "2097152")
                .setConfigProp("num.network.threads", "1")
                .setConfigProp("num.io.threads", "2")
                .setConfigProp("num.recovery.threads.per.data.dir", "1")
                .setConfigProp("background.threads", "2")
                .setConfigProp("log.cleaner.threads", "1")
                .build();
        try {
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
        } catch (Exception | Error e) {
            kit.close();
            throw e;
        }
        ClusterKafka cluster = new ClusterKafka(kit, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        LOG.info("in-JVM Kafka: {} brokers{} ready in {} ms at {}", brokers,
                combined ? " (combined controllers)" : ", " + controllers + " controller(s)", cluster.startMillis,
                kit.bootstrapServers());
        return cluster;
    }

    /** {@code host:port,...} of the brokers, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return kit.bootstrapServers();
    }

    /** How long {@link #start} took, format to ready brokers. */
    public long startMillis() {
        return startMillis;
    }

    /** The broker ids. */
    public Set<Integer> brokerIds() {
        return kit.brokers().keySet();
    }

    /** An admin client on the cluster; the caller closes it. */
    public Admin admin() {
        return kit.admin();
    }

    /**
     * The instance (by name) each partition of {@code topic} is assigned to in {@code group}, read
     * from the members' client ids ({@code limes-<crossing>-<instance>-…}); a partition not assigned
     * (a rebalance running) is absent.
     */
    public Map<Integer, String> owners(String group, String topic, List<String> instances)
            throws ExecutionException, InterruptedException {
        Map<Integer, String> out = new HashMap<>();
        try (Admin admin = admin()) {
            ConsumerGroupDescription g = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
            for (MemberDescription m : g.members()) {
                for (TopicPartition tp : m.assignment().topicPartitions()) {
                    if (tp.topic().equals(topic)) {
                        for (String n : instances) {
                            if (m.clientId().contains("-" + n + "-")) {
                                out.put(tp.partition(), n);
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    /** Creates a topic and waits for it. */
    public void createTopic(String name, int partitions, short replication, Map<String, String> configs)
            throws ExecutionException, InterruptedException {
        try (Admin admin = admin()) {
            admin.createTopics(Set.of(new NewTopic(name, partitions, replication).configs(configs))).all().get();
        }
    }

    /** Stops one broker (a controlled shutdown) and waits for it to be down. */
    public void stopBroker(int id) {
        kit.brokers().get(id).shutdown();
        kit.brokers().get(id).awaitShutdown();
    }

    /** Starts a stopped broker again with its data. */
    public void restartBroker(int id) {
        kit.restartBroker(id, Map.of());
    }

    /** Stops every node and deletes the cluster's directory. */
    @Override
    public void close() {
        try {
            kit.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping the in-JVM Kafka cluster", e);
        } catch (Exception e) {
            throw new IllegalStateException("stopping the in-JVM Kafka cluster failed", e);
        }
    }
}
