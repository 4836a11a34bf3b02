package org.limes.gateway.cluster;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.limes.drivers.Frame;
import org.limes.gateway.pipeline.FrameLog;
import org.limes.gateway.ratelimit.LogLimiter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster mode's ingest: the {@link FrameLog} on the crossing's frames topic. Each admitted
 * frame is produced once per device it holds readings of, keyed by the device id, its value a
 * {@link FrameRecord}; the device is acknowledged only when the cluster acknowledged every copy.
 *
 * <p>The producer is idempotent with {@code acks=all}: a frame is acknowledged once
 * {@code min.insync.replicas} brokers have it, retried without duplicates or reordering within
 * a partition, and failed after {@code produce_timeout_ms} (then the device is refused and may
 * publish it again). At most {@code max_pending_frames} frames wait for the cluster; beyond it
 * {@link #append} waits or answers null (the source pauses), so a slow cluster stops ingestion
 * instead of filling memory.
 *
 * <p>{@link #start} creates the topic when it is missing (partitions, replication factor and
 * {@code min.insync.replicas} from {@link ClusterConfig}) and fails when the cluster cannot be
 * reached. Thread-safe; futures complete on the producer's I/O thread. {@link #close} waits
 * for the frames in flight (at most the produce timeout).
 */
public final class KafkaFrames implements FrameLog, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaFrames.class);

    /**
     * How long the producer waits to fill a request ({@code linger.ms}); the request timeout is
     * derived from it ({@link #requestTimeoutMs}: Kafka refuses a producer whose delivery timeout
     * does not cover both). 10 ms was measured in cluster-bench (2026-12-07): the frames producer's
     * CPU per frame fell by about a quarter with one instance at 475 frames/s and not at all with
     * three at ~143 each (a request per broker still carried about one frame), so each device's
     * acknowledgement does not wait the 8 ms more.
     */
    static final int LINGER_MS = 2;

    private final ClusterConfig config;
    private final String topic;
    private final Semaphore room;
    private final AtomicInteger pending = new AtomicInteger();
    private final ClusterMetrics metrics;
    private final LogLimiter refusedLog = new LogLimiter(TimeUnit.MINUTES.toNanos(1), 1_000);
    private final Producer<byte[], byte[]> producer;
    private final byte[] instance;
    private final byte[] digest;

    private KafkaFrames(ClusterConfig config, String instance, String digest, MeterRegistry registry) {
        this.config = config;
        this.instance = instance.getBytes(StandardCharsets.UTF_8);
        this.digest = digest.getBytes(StandardCharsets.UTF_8);
        Gauge.builder("limes.cluster.config", () -> 1).description("This instance's decoding config digest "
                + "(tag digest); instances of a crossing should all show the same").tag("digest", digest)
                .strongReference(true).register(registry);
        this.topic = config.framesTopic();
        this.room = new Semaphore(config.maxPendingFrames());
        this.metrics = new ClusterMetrics(registry, pending::get);
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrap(),
                ProducerConfig.CLIENT_ID_CONFIG, "limes-" + config.crossing() + "-" + instance + "-frames",
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                // Idempotence keeps order within a partition with up to 5 requests in flight.
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5,
                ProducerConfig.LINGER_MS_CONFIG, LINGER_MS,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, config.produceTimeoutMs(),
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, requestTimeoutMs(config.produceTimeoutMs()),
                // send() waits for metadata or buffer room at most this long, then the frame is refused.
                ProducerConfig.MAX_BLOCK_MS_CONFIG, config.produceTimeoutMs()),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * Connects, creates the frames topic when it is missing, and returns the running log.
     *
     * @param instance this gateway's name, in the producer's client id (logs, quotas) and each record's
     *                 {@code limes-instance} header
     * @param digest   this instance's {@link ConfigDigest}, each record's {@value ConfigDigest#HEADER} header
     * @throws IllegalStateException when the cluster cannot be reached or the topic not made
     */
    public static KafkaFrames start(ClusterConfig config, String instance, String digest, MeterRegistry registry) {
        ClusterTopics.ensure(config, config.framesTopic());
        KafkaFrames frames = new KafkaFrames(config, instance, digest, registry);
        try {
            // Fetch the topic's metadata now, so the first device does not wait for it.
            frames.producer.partitionsFor(frames.topic);
        } catch (RuntimeException e) {
            frames.producer.close();
            throw new IllegalStateException("cluster: no metadata for " + frames.topic + " from "
                    + config.bootstrap() + ": " + e.getMessage(), e);
        }
        LOG.info("cluster mode: frames go to {} on {} (acks=all, idempotent, refused after {} ms); config digest {} "
                + "(every instance of the crossing should log the same)", frames.topic, config.bootstrap(),
                config.produceTimeoutMs(), digest);
        return frames;
    }

    @Override
    public CompletableFuture<Void> append(Frame frame, String driver, Set<String> devices, boolean wait)
            throws InterruptedException {
        if (wait) {
            room.acquire();
        } else if (!room.tryAcquire()) {
            return null;
        }
        pending.incrementAndGet();
        CompletableFuture<Void> done = new CompletableFuture<>();
        done.whenComplete((ok, e) -> {
            pending.decrementAndGet();
            room.release();
            if (e == null) {
                metrics.produced();
            } else {
                refused(frame, e);
            }
        });
        byte[] value;
        try {
            value = new FrameRecord(frame, driver).encode();
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
            return done;
        }
        AtomicInteger left = new AtomicInteger(devices.size());
        for (String device : devices) {
            try {
                RecordHeaders headers = new RecordHeaders();
                headers.add(RulesProcessor.INSTANCE_HEADER, instance);
                headers.add(ConfigDigest.HEADER, digest);
                producer.send(new ProducerRecord<>(topic, null, device.getBytes(StandardCharsets.UTF_8), value,
                        headers),
                        (metadata, e) -> {
                            if (e != null) {
                                done.completeExceptionally(e);
                            } else if (left.decrementAndGet() == 0) {
                                done.complete(null);
                            }
                        });
            } catch (RuntimeException e) {
                // Closed, or no metadata or buffer room within max.block.ms.
                done.completeExceptionally(e);
                break;
            }
        }
        return done;
    }

    private void refused(Frame frame, Throwable e) {
        String type = e.getClass().getSimpleName();
        metrics.refused(type);
        if (refusedLog.allow(frame.source(), type, System.nanoTime())) {
            LOG.warn("cluster: {} did not take a frame from {} ({}): {}; the device is refused and may send it "
                    + "again (counted in limes.dropped{reason=cluster_refused}, logged once a minute per source and "
                    + "error)", topic, frame.source(), type, e.getMessage());
        }
    }

    /** Frames handed to the producer and not yet answered. */
    public int pending() {
        return pending.get();
    }

    @Override
    public void close() {
        producer.close(java.time.Duration.ofMillis(config.produceTimeoutMs()));
    }

    /** A request may take the produce timeout less the linger, and 30 s (Kafka's default) at most. */
    static int requestTimeoutMs(int produceTimeoutMs) {
        return Math.min(30_000, produceTimeoutMs - LINGER_MS);
    }
}
