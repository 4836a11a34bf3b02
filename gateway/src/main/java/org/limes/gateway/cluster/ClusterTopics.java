package org.limes.gateway.cluster;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the crossing's topics when they are missing — the frames topic and the rules' output
 * topics — with {@code frames_partitions} partitions, {@code replication_factor} copies and
 * {@code min.insync.replicas}, and tells how many partitions a topic has. Stateless; each call
 * opens and closes its own admin client (start-up only).
 */
final class ClusterTopics {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterTopics.class);

    /**
     * How long start-up waits for the cluster to create or describe a topic, at least: a cluster
     * busy electing leaders or loaded answers late, and a start that gives up leaves the instance
     * down. {@code produce_timeout_ms} is how long a device waits, a different budget.
     */
    static final int START_TIMEOUT_MS = 30_000;

    private ClusterTopics() {
    }

    /** An Admin client of the crossing's cluster, with the start-up timeouts (its caller closes it). */
    static Admin admin(ClusterConfig config) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrap(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Math.max(START_TIMEOUT_MS, config.produceTimeoutMs()),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, KafkaFrames.requestTimeoutMs(config.produceTimeoutMs())));
    }

    /**
     * Creates {@code topic} when missing and returns its partition count.
     *
     * @throws IllegalStateException when the cluster cannot be reached or the topic not made
     */
    static int ensure(ClusterConfig config, String topic) {
        int timeoutMs = Math.max(START_TIMEOUT_MS, config.produceTimeoutMs());
        try (Admin admin = admin(config)) {
            try {
                admin.createTopics(Set.of(new NewTopic(topic, config.framesPartitions(),
                        config.replicationFactor().shortValue()).configs(Map.of("min.insync.replicas",
                        Integer.toString(config.minInsyncReplicas()))))).all()
                        .get(timeoutMs, TimeUnit.MILLISECONDS);
                LOG.info("cluster: created {} ({} partitions, replication {}, min.insync.replicas {})", topic,
                        config.framesPartitions(), config.replicationFactor(), config.minInsyncReplicas());
                return config.framesPartitions();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
                TopicDescription d = describe(admin, topic, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs));
                if (d.partitions().size() != config.framesPartitions()) {
                    LOG.warn("cluster: {} exists with {} partitions, not the {} of cluster.frames_partitions; it is "
                            + "used as it is", topic, d.partitions().size(), config.framesPartitions());
                }
                return d.partitions().size();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("cluster: interrupted while creating " + topic, e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("cluster: could not create or find " + topic + " on "
                    + config.bootstrap() + ": " + cause, cause);
        }
    }

    /**
     * Describes a topic another instance has just created: until the brokers have its metadata
     * they answer "unknown topic" (instances of a crossing starting together race to create
     * it), so that answer is asked again, every 200 ms, until {@code deadline} (nanoTime).
     */
    private static TopicDescription describe(Admin admin, String topic, long deadline)
            throws ExecutionException, InterruptedException, TimeoutException {
        while (true) {
            try {
                return admin.describeTopics(Set.of(topic)).allTopicNames()
                        .get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS).get(topic);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
                TimeUnit.MILLISECONDS.sleep(200);
            }
        }
    }
}
