package org.limes.gateway.cluster;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.limes.gateway.outbox.DestinationQueue;
import org.limes.gateway.outbox.OutboxRecord;
import org.limes.gateway.pipeline.Routing;
import org.limes.gateway.privacy.PlatePseudonymiser;
import org.limes.gateway.ratelimit.LogLimiter;
import org.limes.gateway.rules.Alert;
import org.limes.gateway.rules.AlertJson;
import org.limes.gateway.rules.AlertLine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster mode's side of one destination (the store, or a centre): a member of the destination's
 * consumer group ({@code limes-<crossing>-sink-<destination>}) over the rules' output topics,
 * feeding the destination's own sink through this instance's outbox queue for it, and committing
 * a record's offset only once that sink has had the destination's acknowledgement for it.
 *
 * <pre>
 * alerts topic ───┐  (readings topic: the store only)
 *                 ▼  read_committed: only what a committed rules transaction wrote
 *     routing + plates as in single mode, encoded as the destination takes it
 *                 ▼
 *     DestinationQueue ──► today's sink (InfluxSink, CentreSink, WebhookSink, …) ──► destination
 *                 │                                                      acknowledged
 *                 ▼  record's seq below the queue's acknowledged seq
 *     commit offset + 1 (per partition, the acknowledged prefix only)
 * </pre>
 *
 * The queue keeps today's contract: alerts drain before readings, readings at the drain rate,
 * records no retry can deliver set aside. Each partition's committed offset only passes records
 * the destination acknowledged (or that its routing does not take), so when this instance dies its
 * successor in the group reads again from there: at-least-once, the copies absorbed by the
 * centres' {@code event_id} and the store's idempotent writes.
 *
 * <p>Bounded: at most {@code maxInFlight} records consumed and not yet acknowledged; beyond it the
 * consumer pauses its partitions (the destination is slow or away) and resumes below half — so
 * the outbox under it holds a window, never the backlog, and never reaches its eviction of old
 * readings (which would otherwise commit readings the store never had).
 *
 * <p>Threading: one thread of its own ({@code limes-cluster-sink-<destination>}), the consumer's
 * only user; {@link #close} from any thread.
 */
public final class SinkRelay implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SinkRelay.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final String destination;
    private final String alertsTopic;
    private final List<String> topics;
    private final DestinationQueue queue;
    private final Routing routing;
    private final PlatePseudonymiser plates;
    private final boolean store;
    private final int maxInFlight;
    private final ClusterFlowMetrics metrics;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<TopicPartition, ArrayDeque<long[]>> pending = new HashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final LogLimiter badLog = new LogLimiter(TimeUnit.MINUTES.toNanos(1), 100);
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * @param store       true: the store (alerts as line protocol, and the readings topic); false: a
     *                    centre (alerts as canonical JSON)
     * @param plates      pseudonymises the plates of what it receives; null: plain plates
     * @param maxInFlight records consumed and not yet acknowledged by the destination, at most
     */
    SinkRelay(ClusterConfig config, String instance, DestinationQueue queue, boolean store, Routing routing,
            PlatePseudonymiser plates, int maxInFlight, ClusterFlowMetrics metrics) {
        this.destination = queue.destination();
        this.alertsTopic = config.alertsTopic();
        this.topics = store ? List.of(config.alertsTopic(), config.readingsTopic()) : List.of(config.alertsTopic());
        this.queue = queue;
        this.store = store;
        this.routing = routing;
        this.plates = plates;
        this.maxInFlight = maxInFlight;
        this.metrics = metrics;
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrap());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, config.sinkGroup(destination));
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "limes-" + config.crossing() + "-" + instance + "-sink-" + destination);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // Only what a committed rules transaction wrote: an aborted zombie's outputs never reach a destination.
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // The topics are created as configured (start): a broker that creates topics on first use
        // would otherwise make them with its defaults, one partition and one copy.
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, config.sessionTimeoutMs());
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Math.max(100, config.sessionTimeoutMs() / 3));
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.max(1, Math.min(500, maxInFlight)));
        this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        metrics.destination(destination, inFlight::get);
        this.thread = new Thread(this::loop, "limes-cluster-sink-" + destination);
        this.thread.setDaemon(true);
    }

    /** Records consumed for one destination and not yet acknowledged by it, at most (per instance). */
    public static final int MAX_IN_FLIGHT = 10_000;

    /**
     * Creates the rules' output topics when missing (as {@link ClusterTopics} makes them, never
     * left to a broker's auto-creation), joins the destination's consumer group and starts relaying.
     *
     * @param store true for the store (alerts and readings), false for a centre (alerts)
     */
    public static SinkRelay start(ClusterConfig config, String instance, DestinationQueue queue, boolean store,
            Routing routing, PlatePseudonymiser plates, MeterRegistry registry) {
        // Before the consumer subscribes: the rules' output topics with their partitions, copies and min ISR.
        ClusterTopics.ensure(config, config.readingsTopic());
        ClusterTopics.ensure(config, config.alertsTopic());
        SinkRelay relay = new SinkRelay(config, instance, queue, store, routing, plates, MAX_IN_FLIGHT,
                new ClusterFlowMetrics(registry));
        relay.thread.start();
        LOG.info("cluster mode: {} is fed by consumer group {} over {}", relay.destination,
                config.sinkGroup(relay.destination), relay.topics);
        return relay;
    }

    private void loop() {
        try {
            consumer.subscribe(topics, new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    commitAcknowledged();
                    forget(partitions);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    forget(partitions);
                }
            });
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                    relay(r);
                }
                commitAcknowledged();
                if (inFlight.get() >= maxInFlight) {
                    consumer.pause(consumer.assignment());
                } else if (inFlight.get() < maxInFlight / 2 && !consumer.paused().isEmpty()) {
                    consumer.resume(consumer.paused());
                }
            }
        } catch (WakeupException e) {
            // close()
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            metrics.error("sending", "relay_failure");
            LOG.error("cluster sink {}: the relay stopped; this instance no longer feeds {} (the group's other "
                    + "members take its partitions over)", destination, destination, e);
        } finally {
            try {
                commitAcknowledged();
            } catch (RuntimeException e) {
                LOG.debug("cluster sink {}: last commit failed: {}", destination, e.toString());
            }
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** Hands one record to the destination's queue (or marks it done when its routing does not take it). */
    private void relay(ConsumerRecord<byte[], byte[]> r) throws InterruptedException {
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        ArrayDeque<long[]> q = pending.computeIfAbsent(tp, k -> new ArrayDeque<>());
        long type;
        long seq;
        if (!alertsTopic.equals(r.topic())) {
            type = OutboxRecord.READING;
            seq = queue.append(OutboxRecord.READING, r.value());
        } else {
            byte[] payload = alertPayload(r);
            type = OutboxRecord.ALERT;
            seq = payload == null ? -1 : queue.append(OutboxRecord.ALERT, payload);
        }
        if (seq >= 0) {
            inFlight.incrementAndGet();
        }
        q.add(new long[] {r.offset(), type, seq});
    }

    /** The alert as this destination takes it, or null when its routing does not take it (or it is unreadable). */
    private byte[] alertPayload(ConsumerRecord<byte[], byte[]> r) {
        Alert a;
        try {
            a = AlertJson.decode(r.value());
        } catch (IOException e) {
            metrics.error("sending", "unreadable_alert");
            if (badLog.allow(r.topic(), "unreadable", System.nanoTime())) {
                LOG.error("cluster sink {}: skipped an alert record that cannot be read ({}, partition {}, offset "
                        + "{}): {}", destination, r.topic(), r.partition(), r.offset(), e.getMessage());
            }
            return null;
        }
        if (!routing.accepts(a)) {
            return null;
        }
        Alert out = plates == null ? a : plates.apply(a);
        if (store) {
            return AlertLine.encode(out);
        }
        // The rules' JSON as it is (byte for byte what single mode sends), unless plates change it.
        return plates == null ? r.value() : AlertJson.encode(out, emitter(r));
    }

    private static String emitter(ConsumerRecord<byte[], byte[]> r) {
        Header h = r.headers().lastHeader(RulesProcessor.INSTANCE_HEADER);
        return h == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** Commits, per partition, the offsets past the prefix of records the destination acknowledged. */
    private void commitAcknowledged() {
        long alertsAcked = queue.alerts().acknowledgedSeq();
        long readingsAcked = queue.readings().acknowledgedSeq();
        Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
        int done = 0;
        for (Map.Entry<TopicPartition, ArrayDeque<long[]>> e : pending.entrySet()) {
            ArrayDeque<long[]> q = e.getValue();
            long last = -1;
            while (!q.isEmpty()) {
                long[] head = q.peek();
                long acked = head[1] == OutboxRecord.ALERT ? alertsAcked : readingsAcked;
                if (head[2] >= 0 && head[2] >= acked) {
                    break;
                }
                q.poll();
                last = head[0];
                if (head[2] >= 0) {
                    inFlight.decrementAndGet();
                }
                done++;
            }
            if (last >= 0) {
                commits.put(e.getKey(), new OffsetAndMetadata(last + 1));
            }
        }
        if (commits.isEmpty()) {
            return;
        }
        try {
            consumer.commitSync(commits);
            metrics.committed(destination, done);
        } catch (WakeupException e) {
            throw e;
        } catch (KafkaException e) {
            // A rebalance took the partitions: their new owner reads again from the last commit (copies, never gaps).
            metrics.error("sending", "commit_failed");
            LOG.warn("cluster sink {}: committing offsets failed ({}); the records are delivered again by the "
                    + "partitions' next owner", destination, e.toString());
        }
    }

    private void forget(Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            ArrayDeque<long[]> q = pending.remove(tp);
            if (q != null) {
                for (long[] entry : q) {
                    if (entry[2] >= 0) {
                        inFlight.decrementAndGet();
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
