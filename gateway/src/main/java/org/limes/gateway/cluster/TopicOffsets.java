package org.limes.gateway.cluster;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the partitions of the rules application's input topics (frames, passages) stand in Kafka,
 * for {@link PartitionTime}: each partition's last stable offset and the application's committed
 * offset, asked at every tick. One Admin request pair answers every partition of every input topic
 * and is kept for {@link #REFRESH_MS}, so the tasks ask Kafka at most once a {@link #REFRESH_MS}
 * between them (a few milliseconds of the stream thread's on a healthy cluster).
 *
 * <p>A failed or slow request (at most {@link #TIMEOUT_MS}; the stream thread waits for it) leaves
 * the offsets unknown for {@link #RETRY_MS}: the partitions are then judged by their silence
 * alone, and the stream thread is not held up at every tick. Failures are counted
 * ({@code limes.errors{component=cluster,stage=processing,error_type=offsets_unknown}}) and logged
 * at most once a minute. The cached map holds one entry per partition of the input topics (bounded
 * by their partition counts). Thread-safe: Streams' threads share it.
 */
final class TopicOffsets {

    private static final Logger LOG = LoggerFactory.getLogger(TopicOffsets.class);
    static final long REFRESH_MS = 1_000;
    static final long TIMEOUT_MS = 2_000;
    static final long RETRY_MS = 10_000;
    private static final long LOG_EVERY_MS = 60_000;

    private final Admin admin;
    private final String group;
    private final Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    private final ClusterFlowMetrics metrics;
    private final Clock clock;
    private Map<TopicPartition, PartitionTime.Position> known = Map.of();
    private long nextFetchMs = Long.MIN_VALUE;
    private long loggedMs = Long.MIN_VALUE;

    /**
     * @param admin      the rules application's Admin client (closed by its owner)
     * @param group      the application's consumer group (its application id)
     * @param partitions the input topics and their partition counts
     */
    TopicOffsets(Admin admin, String group, Map<String, Integer> partitions, ClusterFlowMetrics metrics, Clock clock) {
        this.admin = admin;
        this.group = group;
        partitions.forEach((topic, n) -> {
            for (int p = 0; p < n; p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
        });
        this.metrics = metrics;
        this.clock = clock;
    }

    /** The offsets of one partition, as {@link PartitionTime} asks for them. */
    PartitionTime.Offsets partition(String topic, int partition) {
        TopicPartition tp = new TopicPartition(topic, partition);
        return () -> get(tp);
    }

    private synchronized PartitionTime.Position get(TopicPartition partition) {
        long now = clock.millis();
        if (now >= nextFetchMs) {
            known = fetch(now);
            nextFetchMs = now + (known.isEmpty() ? RETRY_MS : REFRESH_MS);
        }
        return known.get(partition);
    }

    private Map<TopicPartition, PartitionTime.Position> fetch(long asOfMs) {
        try {
            // The committed offsets first: asked before the ends, they can only be behind them, never ahead.
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(Map.of(group,
                    new ListConsumerGroupOffsetsSpec().topicPartitions(latest.keySet())))
                    .partitionsToOffsetAndMetadata(group).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            // Read committed: the end a read_committed consumer can reach (an open transaction's records are not yet).
            var ends = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                    .get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            Map<TopicPartition, PartitionTime.Position> out = new HashMap<>();
            ends.forEach((tp, info) -> {
                OffsetAndMetadata c = committed.get(tp);
                out.put(tp, new PartitionTime.Position(info.offset(), c == null ? -1 : c.offset(),
                        asOfMs));
            });
            return out;
        } catch (ExecutionException | TimeoutException e) {
            failed(e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failed(e);
        }
        return Map.of();
    }

    private void failed(Throwable e) {
        metrics.error("processing", "offsets_unknown");
        long now = clock.millis();
        if (now - loggedMs >= LOG_EVERY_MS) {
            loggedMs = now;
            LOG.warn("cluster rules: the offsets of the input topics cannot be read ({}); for {} ms their "
                    + "partitions' ticks take their lag as unchanged", e.toString(), RETRY_MS);
        }
    }
}
