package org.limes.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The in-JVM cluster is a real one: a topic replicated three times with
 * {@code min.insync.replicas=2}, written by an idempotent {@code acks=all} producer and read
 * back whole and in order per key. Reports the start-up time and the JVM's resident memory.
 */
class ClusterKafkaIT {

    @Test
    void replicatedTopicRoundTrip() throws Exception {
        long rssBefore = rssKb();
        try (ClusterKafka kafka = ClusterKafka.start()) {
            long rssAfter = rssKb();
            System.out.printf("ClusterKafkaIT: 3 brokers + 1 controller started in %d ms; JVM RSS %d MiB before, "
                    + "%d MiB after%n", kafka.startMillis(), rssBefore / 1024, rssAfter / 1024);
            assertThat(kafka.brokerIds()).hasSize(3);

            kafka.createTopic("smoke", 4, (short) 3, Map.of("min.insync.replicas", "2"));
            try (Admin admin = kafka.admin()) {
                TopicDescription d = admin.describeTopics(List.of("smoke")).allTopicNames().get().get("smoke");
                assertThat(d.partitions()).hasSize(4)
                        .allSatisfy(p -> assertThat(p.replicas()).hasSize(3));
                String minIsr = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, "smoke")))
                        .all().get().values().iterator().next().get("min.insync.replicas").value();
                assertThat(minIsr).isEqualTo("2");
            }

            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(),
                    new StringSerializer())) {
                for (int i = 0; i < 1000; i++) {
                    sent.add(producer.send(new ProducerRecord<>("smoke", "device-" + (i % 10), Integer.toString(i))));
                }
                producer.flush();
                for (Future<RecordMetadata> f : sent) {
                    assertThat(f.get().hasOffset()).isTrue();
                }
            }

            Properties c = new Properties();
            c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            c.put(ConsumerConfig.GROUP_ID_CONFIG, "smoke-reader");
            c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            Map<String, List<Integer>> byKey = new HashMap<>();
            int total = 0;
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                    new StringDeserializer())) {
                consumer.subscribe(List.of("smoke"));
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (total < 1000 && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                        byKey.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(Integer.parseInt(r.value()));
                        total++;
                    }
                }
            }
            assertThat(total).isEqualTo(1000);
            assertThat(byKey).hasSize(10);
            byKey.forEach((k, values) -> assertThat(values).as(k).hasSize(100).isSorted());
        }
    }

    /** This JVM's resident set, from /proc (0 where there is none). */
    static long rssKb() throws Exception {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return 0;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }
}
