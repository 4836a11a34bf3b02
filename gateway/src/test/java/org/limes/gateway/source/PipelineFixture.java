package org.limes.gateway.source;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.limes.drivers.Drivers;
import org.limes.gateway.outbox.Outbox;
import org.limes.gateway.outbox.OutboxCommitter;
import org.limes.gateway.outbox.OutboxLimits;
import org.limes.gateway.outbox.OutboxMetrics;
import org.limes.gateway.outbox.OutboxRecord;
import org.limes.gateway.outbox.DestinationQueue;
import org.limes.gateway.pipeline.Destination;
import org.limes.gateway.pipeline.DeviceConfig;
import org.limes.gateway.pipeline.Inventory;
import org.limes.gateway.pipeline.InventoryConfig;
import org.limes.gateway.pipeline.Pipeline;
import org.limes.gateway.pipeline.PipelineConfig;
import org.limes.gateway.pipeline.LimitsConfig;
import org.limes.gateway.pipeline.PipelineMetrics;
import org.limes.gateway.pipeline.Routing;
import org.limes.gateway.rules.AlertStateStore;
import org.limes.gateway.rules.RuleMetrics;

/**
 * A real pipeline in front of a real on-disk store outbox, for source tests. Its group
 * commit can be held: the outbox's small write buffer fills, the shards wait on it and
 * their queues fill — the pipeline-full condition a source must push back on.
 */
public final class PipelineFixture implements AutoCloseable {

    /** The store outbox's write buffer: small, so a held commit stops the shards after a few frames. */
    static final int BUFFER_BYTES = 2048;

    public final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    public final Drivers drivers = Drivers.load();
    public final Inventory inventory;
    public final Pipeline pipeline;
    private final OutboxCommitter committer;
    private final Outbox store;
    private final long firstSeq;

    public PipelineFixture(Path dir, int queueCapacity) throws Exception {
        this(dir, queueCapacity, "accept", 1_000_000);
    }

    /**
     * As above, with {@code inventory.unknown_devices} and the per-device reading rate given:
     * the inventory holds {@code cnt-01}..{@code cnt-04}.
     */
    public PipelineFixture(Path dir, int queueCapacity, String unknownDevices, int maxReadingsPerSecond)
            throws Exception {
        committer = new OutboxCommitter(2);
        store = Outbox.open("store/readings", dir.resolve("store"), new OutboxLimits(64L << 20, 1L << 20, BUFFER_BYTES,
                1024), new OutboxMetrics(registry, "store", "reading"));
        Outbox alerts = Outbox.open("store/alerts", dir.resolve("store-alerts"), OutboxLimits.defaults(),
                new OutboxMetrics(registry, "store", "alert"));
        committer.register(store);
        committer.register(alerts);
        committer.start();
        firstSeq = store.durableSeq();
        List<DeviceConfig> devices = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            devices.add(new DeviceConfig("cnt-0" + i, "ras-ajdir", "counter", Integer.toString(i), null, Map.of(), null));
        }
        inventory = new Inventory(new InventoryConfig(unknownDevices, "ras-ajdir", devices));
        RuleMetrics ruleMetrics = new RuleMetrics(registry);
        pipeline = Pipeline.builder().gateway("test-gw").config(new PipelineConfig(1, queueCapacity))
                .limits(new LimitsConfig(null, null, null, maxReadingsPerSecond)).inventory(inventory)
                .clock(Clock.systemUTC())
                .alertState(new AlertStateStore(dir.resolve("alert-state"), "test-gw", ruleMetrics))
                .ruleMetrics(ruleMetrics).store(new Destination(new DestinationQueue("store", alerts, store, 0),
                        Routing.ALL))
                .committer(committer).metrics(new PipelineMetrics(registry)).build();
        pipeline.start();
    }

    /** From now on nothing becomes durable and the pipeline soon stops taking frames, until {@link #release()}. */
    public void stall() {
        committer.hold();
    }

    public void release() {
        committer.resume();
    }

    /**
     * How many more frames than its queues the pipeline can take in while stalled: those in
     * the outbox's write buffer (a counter-json reading is above 100 bytes) and the one each
     * shard holds while it waits.
     */
    public int stallSlack() {
        return BUFFER_BYTES / 100 + 1;
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
