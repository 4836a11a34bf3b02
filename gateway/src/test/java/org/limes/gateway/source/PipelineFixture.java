package org.limes.gateway.source;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.limes.drivers.Drivers;
import org.limes.drivers.Reading;
import org.limes.gateway.outbox.Outbox;
import org.limes.gateway.outbox.OutboxCommitter;
import org.limes.gateway.outbox.OutboxLimits;
import org.limes.gateway.outbox.OutboxMetrics;
import org.limes.gateway.outbox.OutboxRecord;
import org.limes.gateway.pipeline.DeviceConfig;
import org.limes.gateway.pipeline.Inventory;
import org.limes.gateway.pipeline.InventoryConfig;
import org.limes.gateway.pipeline.Pipeline;
import org.limes.gateway.pipeline.PipelineConfig;
import org.limes.gateway.pipeline.PipelineMetrics;
import org.limes.gateway.rules.Alert;
import org.limes.gateway.rules.Rule;

/**
 * A real pipeline in front of a real on-disk store outbox, for source tests. Its one rule
 * can be told to hold every reading until released, which stalls the shards and fills
 * their queues: the pipeline-full condition a source must push back on.
 */
public final class PipelineFixture implements AutoCloseable {

    public final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    public final Drivers drivers = Drivers.load();
    public final Inventory inventory;
    public final Pipeline pipeline;
    private final OutboxCommitter committer;
    private final Outbox store;
    private final long firstSeq;
    private volatile CountDownLatch gate = new CountDownLatch(0);

    public PipelineFixture(Path dir, int queueCapacity) throws Exception {
        committer = new OutboxCommitter(2);
        store = Outbox.open("store", dir.resolve("store"), OutboxLimits.defaults(),
                new OutboxMetrics(registry, "store"));
        committer.register(store);
        committer.start();
        firstSeq = store.durableSeq();
        List<DeviceConfig> devices = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            devices.add(new DeviceConfig("cnt-0" + i, "ras-ajdir", "counter", Integer.toString(i), null, Map.of()));
        }
        inventory = new Inventory(new InventoryConfig("accept", "ras-ajdir", devices));
        Rule holding = new Rule() {
            @Override
            public String id() {
                return "hold";
            }

            @Override
            public void evaluate(Reading reading, List<Alert> out) {
                try {
                    gate.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        pipeline = new Pipeline("test-gw", new PipelineConfig(1, queueCapacity), inventory,
                () -> List.of(holding), store, List.of(), committer, new PipelineMetrics(registry));
        pipeline.start();
    }

    /** From now on every reading waits in its shard until {@link #release()}. */
    public void stall() {
        gate = new CountDownLatch(1);
    }

    public void release() {
        gate.countDown();
    }

    /** Readings durable in the store outbox. */
    public long stored() {
        return store.durableSeq() - firstSeq;
    }

    /** The durable line-protocol lines, in order. */
    public List<String> storedLines() throws Exception {
        List<String> lines = new ArrayList<>();
        List<OutboxRecord> batch;
        store.rewind();
        while (!(batch = store.poll(10_000, 1 << 24, 50, TimeUnit.MILLISECONDS)).isEmpty()) {
            for (OutboxRecord r : batch) {
                lines.add(new String(r.payload(), StandardCharsets.UTF_8));
            }
        }
        return lines;
    }

    /** A counter's count, 0 when it was never registered. */
    public double count(String name, String... tags) {
        Counter c = registry.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    /** One counter-json frame of a device; {@code n} makes each frame's time distinct. */
    public static String counterJson(String device, int n) {
        Instant t = Instant.parse("2026-11-26T06:00:00Z").plusSeconds(n);
        return "{\"device\":\"" + device + "\",\"time\":\"" + t + "\",\"lane\":\"1\",\"direction\":\"inbound\","
                + "\"interval_s\":60,\"counts\":{\"car\":" + (n % 50) + ",\"truck\":1}}";
    }

    @Override
    public void close() {
        release();
        pipeline.close();
        committer.close();
    }
}
