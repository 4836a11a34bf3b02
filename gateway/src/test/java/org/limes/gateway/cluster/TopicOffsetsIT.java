package org.limes.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.limes.gateway.rules.TestClock;

/**
 * {@link TopicOffsets} against a real three-broker cluster: the end a read_committed consumer can
 * reach (an open transaction's records not yet, a committed one's marker included), the group's
 * committed offset, one answer kept for a second, and a cluster it cannot reach (unknown, counted,
 * not asked again at every tick).
 */
class TopicOffsetsIT {

    @RegisterExtension
    static final ClusterKafkaExtension kafka = new ClusterKafkaExtension();

    private final TestClock clock = new TestClock(Instant.parse("2026-12-06T12:00:00Z"));
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void endsAndCommittedOffsetsAsAReadCommittedConsumerSeesThem() throws Exception {
        kafka.cluster().createTopic("offsets-t", 2, (short) 3, Map.of());
        try (Admin admin = kafka.cluster().admin();
                KafkaProducer<String, String> plain = producer(null);
                KafkaProducer<String, String> tx = producer("offsets-tx")) {
            for (int i = 0; i < 5; i++) {
                plain.send(new ProducerRecord<>("offsets-t", 0, "k", "v" + i)).get();
            }
            admin.alterConsumerGroupOffsets("offsets-g", Map.of(new TopicPartition("offsets-t", 0),
                    new OffsetAndMetadata(3))).all().get();
            tx.initTransactions();
            tx.beginTransaction();
            tx.send(new ProducerRecord<>("offsets-t", 1, "k", "committed")).get();
            tx.commitTransaction();
            tx.beginTransaction();
            tx.send(new ProducerRecord<>("offsets-t", 1, "k", "open")).get();
            tx.flush();

            TopicOffsets offsets = new TopicOffsets(admin, "offsets-g", Map.of("offsets-t", 2),
                    new ClusterFlowMetrics(registry), clock);
            PartitionTime.Position p0 = offsets.partition("offsets-t", 0).position();
            assertThat(p0).isEqualTo(new PartitionTime.Position(5, 3, clock.millis()));
            PartitionTime.Position p1 = offsets.partition("offsets-t", 1).position();
            assertThat(p1.end()).as("record 0 and its commit marker; the open transaction's record not yet")
                    .isEqualTo(2);
            assertThat(p1.committed()).as("nothing committed by the group").isEqualTo(-1);

            plain.send(new ProducerRecord<>("offsets-t", 0, "k", "v5")).get();
            clock.advance(Duration.ofMillis(TopicOffsets.REFRESH_MS - 1));
            assertThat(offsets.partition("offsets-t", 0).position().end()).as("the answer kept for a second")
                    .isEqualTo(5);
            clock.advance(Duration.ofMillis(1));
            assertThat(offsets.partition("offsets-t", 0).position())
                    .isEqualTo(new PartitionTime.Position(6, 3, clock.millis()));
            tx.abortTransaction();
        }
        assertThat(registry.find("limes.errors").counters()).isEmpty();
    }

    @Test
    void aClusterItCannotReachLeavesTheOffsetsUnknownCountedAndNotAskedAtEveryTick() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + port,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 1_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 1_500))) {
            TopicOffsets offsets = new TopicOffsets(admin, "g", Map.of("t", 2), new ClusterFlowMetrics(registry),
                    clock);
            assertThat(offsets.partition("t", 0).position()).isNull();
            assertThat(errors()).isEqualTo(1.0);
            clock.advance(Duration.ofMillis(TopicOffsets.RETRY_MS - 1));
            assertThat(offsets.partition("t", 1).position()).isNull();
            assertThat(errors()).as("not asked again before the retry").isEqualTo(1.0);
            clock.advance(Duration.ofMillis(1));
            assertThat(offsets.partition("t", 1).position()).isNull();
            assertThat(errors()).isEqualTo(2.0);
        }
    }

    private double errors() {
        return registry.get("limes.errors").tag("error_type", "offsets_unknown").counter().count();
    }

    private static KafkaProducer<String, String> producer(String transactionalId) {
        Map<String, Object> config = new java.util.HashMap<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"));
        if (transactionalId != null) {
            config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        }
        return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    }
}
