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

    private ClusterTopics() {
    }

    /**
     * Creates {@code topic} when missing and returns its partition count.
     *
     * @throws IllegalStateException when the cluster cannot be reached or the topic not made
     */
    static int ensure(ClusterConfig config, String topic) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrap(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, config.produceTimeoutMs(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, KafkaFrames.requestTimeoutMs(config.produceTimeoutMs())))) {
            try {
                admin.createTopics(Set.of(new NewTopic(topic, config.framesPartitions(),
                        config.replicationFactor().shortValue()).configs(Map.of("min.insync.replicas",
                        Integer.toString(config.minInsyncReplicas()))))).all()
                        .get(config.produceTimeoutMs(), TimeUnit.MILLISECONDS);
                LOG.info("cluster: created {} ({} partitions, replication {}, min.insync.replicas {})", topic,
                        config.framesPartitions(), config.replicationFactor(), config.minInsyncReplicas());
                return config.framesPartitions();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
                TopicDescription d = admin.describeTopics(Set.of(topic)).allTopicNames()
                        .get(config.produceTimeoutMs(), TimeUnit.MILLISECONDS).get(topic);
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
}
