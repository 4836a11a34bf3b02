package org.limes.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.TaskMigratedException;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.drivers.Drivers;
import org.limes.drivers.Frame;
import org.limes.gateway.config.GatewayConfig;
import org.limes.gateway.pipeline.Inventory;
import org.limes.gateway.pipeline.Routing;
import org.limes.gateway.rules.RuleMetrics;

/**
 * The rules' processor driven by hand (Kafka's {@link MockProcessorContext}, no broker): what it
 * does with an exception that is not a rule's. When Streams fences the task's producer (a
 * rebalance moved the partition, or the transaction was aborted), its next send throws a
 * {@link TaskMigratedException} from {@code forward}; the processor must throw it on, so that
 * Streams aborts the transaction and the partition's owner processes the frame again, and must
 * not count the frame as skipped, which would report a loss that did not happen.
 */
class RulesProcessorTest {

    private static final String DEVICE = "cnt-01";
    private static final int PARTITIONS = 4;

    @TempDir
    Path dir;

    private SimpleMeterRegistry registry;
    private RulesProcessor processor;
    private Context<byte[], byte[]> context;

    /** A context whose forwards can be made to fail as a fenced task's do. */
    private static final class Context<K, V> extends MockProcessorContext<K, V> {
        RuntimeException failForwards;

        Context(Properties config, TaskId task, java.io.File stateDir) {
            super(config, task, stateDir);
        }

        @Override
        public <K1 extends K, V1 extends V> void forward(Record<K1, V1> record, String childName) {
            if (failForwards != null) {
                throw failForwards;
            }
            super.forward(record, childName);
        }
    }

    @BeforeEach
    void setUp() {
        Drivers drivers = Drivers.load();
        GatewayConfig config = ClusterKafkaExtension.holdConfig(drivers, "rp-gw", dir.resolve("data"), "");
        registry = new SimpleMeterRegistry();
        ClusterRules.Setup setup = ClusterRules.setup("ras-ajdir", "a", PARTITIONS, new Inventory(config.inventory()),
                config.limits(), config.rules(), new RuleMetrics(registry), drivers, config.sources(), Routing.ALL,
                null, new ClusterFlowMetrics(registry), p -> PartitionTime.Offsets.UNKNOWN,
                p -> PartitionTime.Offsets.UNKNOWN);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "limes-ras-ajdir-rules");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9");
        context = new Context<>(props, new TaskId(0, RulesProcessor.partitionOf(DEVICE, PARTITIONS)),
                dir.resolve("state").toFile());
        KeyValueStore<String, byte[]> store = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(RulesProcessor.STORE), Serdes.String(), Serdes.ByteArray())
                .withLoggingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        processor = new RulesProcessor(setup, Clock.systemUTC());
        processor.init(context);
    }

    private Record<byte[], byte[]> frame(int n, int cars) {
        Frame f = new Frame(ClusterKafkaExtension.frame(DEVICE, n, cars).getBytes(StandardCharsets.UTF_8), "ingest",
                "/ingest/counter-json", Instant.now());
        context.setRecordMetadata("limes.ras-ajdir.frames", context.taskId().partition(), n);
        return new Record<>(DEVICE.getBytes(StandardCharsets.UTF_8), new FrameRecord(f, "counter-json").encode(),
                System.currentTimeMillis());
    }

    private double errors(String type) {
        Counter c = registry.find("limes.errors").tag("component", "cluster").tag("error_type", type).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void aFrameGoesToTheReadingsTopic() {
        processor.process(frame(0, 12));

        assertThat(context.forwarded(RulesProcessor.READINGS_SINK)).hasSize(1);
        assertThat(errors("rule_failure")).isZero();
    }

    @Test
    void aFencedTasksExceptionIsThrownOnAndNotCountedAsASkippedFrame() {
        processor.process(frame(0, 12));
        context.failForwards = new TaskMigratedException("fenced: the producer's epoch is old");

        assertThatThrownBy(() -> processor.process(frame(1, 13)))
                .as("Streams must see it, to abort the transaction and hand the frame to the partition's owner")
                .isInstanceOf(TaskMigratedException.class);
        assertThat(errors("rule_failure")).as("the frame is not skipped: it is processed again").isZero();
    }
}
