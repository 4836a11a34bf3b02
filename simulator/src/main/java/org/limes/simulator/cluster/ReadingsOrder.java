package org.limes.simulator.cluster;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The order in which the store is fed: the rules' readings topic ({@code limes.<crossing>.readings},
 * one line of line protocol per stored reading, keyed by device) read back from the beginning
 * as the store's consumer group reads it ({@code read_committed}, partition by partition, so
 * each device's readings in the order the store receives them). A reading whose timestamp lies
 * before the previous reading of the same device is out of the device's order; the same
 * timestamp again is a copy (at-least-once across a failover), counted apart, not a violation.
 *
 * <p>One use per instance; not thread-safe.
 */
final class ReadingsOrder {

    /** What the topic held. */
    record Result(long records, long violations, long copies, boolean complete) {
    }

    private ReadingsOrder() {
    }

    static Result read(String bootstrap, String topic, Duration timeout) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Long> last = new HashMap<>();
        long records = 0;
        long violations = 0;
        long copies = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo p : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
                partitions.add(new TopicPartition(topic, p.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            while (!reached(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    return new Result(records, violations, copies, false);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    for (String line : new String(r.value(), StandardCharsets.UTF_8).split("\n")) {
                        if (line.isBlank()) {
                            continue;
                        }
                        String device = tag(line, "device");
                        long ts = timestamp(line);
                        if (device == null || ts == Long.MIN_VALUE) {
                            continue;
                        }
                        records++;
                        Long before = last.get(device);
                        if (before != null && ts < before) {
                            violations++;
                        } else if (before != null && ts == before) {
                            copies++;
                        }
                        if (before == null || ts > before) {
                            last.put(device, ts);
                        }
                    }
                }
            }
        }
        return new Result(records, violations, copies, true);
    }

    private static boolean reached(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** The value of tag {@code key} in a line's series key (before its first space); null if absent. */
    static String tag(String line, String key) {
        int space = line.indexOf(' ');
        String series = space < 0 ? line : line.substring(0, space);
        String needle = "," + key + "=";
        int at = series.indexOf(needle);
        if (at < 0) {
            return null;
        }
        int from = at + needle.length();
        int to = series.indexOf(',', from);
        return series.substring(from, to < 0 ? series.length() : to);
    }

    /** The timestamp a line ends with; {@code Long.MIN_VALUE} when it has none. */
    static long timestamp(String line) {
        String s = line.strip();
        int space = s.lastIndexOf(' ');
        try {
            return Long.parseLong(s.substring(space + 1));
        } catch (NumberFormatException e) {
            return Long.MIN_VALUE;
        }
    }
}
