package org.limes.simulator.cluster;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;

/**
 * Which instance runs the rules for which device, asked of Kafka itself: the members of the
 * rules application's consumer group ({@code limes-<crossing>-rules}) with their assigned
 * frames partitions (each member's client id carries its instance's name:
 * {@code limes-<crossing>-<instance>-rules-StreamThread-n-consumer}), and a device's partition
 * as the producer's default partitioner picks it for its key (murmur2 of the device id).
 *
 * <p>Not from the alerts' {@code gateway} field: a centre receives that field from the instance
 * that relayed the alert (its {@code format: json} encodes with its own name), which in cluster
 * mode need not be the one that raised it.
 */
final class RulesOwners {

    private RulesOwners() {
    }

    /** The frames partition of {@code device}: the producer's default partitioner on its key. */
    static int partition(String device, int partitions) {
        return Utils.toPositive(Utils.murmur2(device.getBytes(java.nio.charset.StandardCharsets.UTF_8))) % partitions;
    }

    /**
     * Frames partition → the instance (one of {@code instances}) whose rules own it now; a
     * partition no member holds is absent.
     */
    static Map<Integer, String> owners(String bootstrap, String group, String topic, List<String> instances)
            throws InterruptedException {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        Map<Integer, String> owners = new HashMap<>();
        try (Admin admin = Admin.create(props)) {
            ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).all()
                    .get(20, TimeUnit.SECONDS).get(group);
            for (MemberDescription m : d.members()) {
                String instance = instanceOf(m.clientId(), instances);
                if (instance == null) {
                    continue;
                }
                for (TopicPartition tp : m.assignment().topicPartitions()) {
                    if (tp.topic().equals(topic)) {
                        owners.put(tp.partition(), instance);
                    }
                }
            }
        } catch (ExecutionException | TimeoutException e) {
            // unknown: the caller reports it
        }
        return owners;
    }

    /** The instance whose name a member's client id carries ({@code -<name>-rules-}); null if none. */
    static String instanceOf(String clientId, List<String> instances) {
        for (String name : instances) {
            if (clientId.contains("-" + name + "-rules-")) {
                return name;
            }
        }
        return null;
    }
}
