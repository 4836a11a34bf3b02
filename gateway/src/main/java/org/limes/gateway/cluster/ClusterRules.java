package org.limes.gateway.cluster;

import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.IntFunction;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.state.Stores;
import org.limes.drivers.Drivers;
import org.limes.gateway.pipeline.Inventory;
import org.limes.gateway.pipeline.LimitsConfig;
import org.limes.gateway.pipeline.StoreGuard;
import org.limes.gateway.pipeline.Routing;
import org.limes.gateway.privacy.PlatePseudonymiser;
import org.limes.gateway.rules.PassageTable;
import org.limes.gateway.rules.RuleConfig;
import org.limes.gateway.rules.RuleContext;
import org.limes.gateway.rules.RuleMetrics;
import org.limes.gateway.rules.WatchlistRuleConfig;
import org.limes.gateway.source.SourceConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster mode's rules: a Kafka Streams application ({@code limes-<crossing>-rules}) over the
 * frames topic, one {@link RulesProcessor} per partition, writing stored readings to
 * {@code limes.<crossing>.readings} and alert transitions to {@code limes.<crossing>.alerts}.
 * Every instance of the crossing runs it with the same application id; Kafka gives each
 * partition — and so each device — to one of them, moves it when an instance leaves or dies, and
 * keeps a warm copy of each partition's rule state on another instance (one standby replica).
 *
 * <pre>
 * frames topic ──► RulesProcessor (per partition) ──► readings topic  (line protocol, key device)
 *                     │   ▲ state store "device-rules"      └──────► alerts topic (alert JSON, key device)
 *                     ▼   │ (in memory, changelog topic, 1 standby)
 *              limes-&lt;crossing&gt;-rules-device-rules-changelog
 *
 * frames ──► RulesProcessor ──► passages topic (reads of listed plates, key site/lane)
 * passages topic ──► PassageProcessor (per partition: one owner per lane) ──► alerts topic
 *                       state store "passages" (open passages, changelog, 1 standby)
 * </pre>
 *
 * <p>The settings that decide failover: {@code exactly_once_v2} (a zombie is fenced by the
 * transaction coordinator; its open transaction is aborted), the consumers' session timeout
 * ({@code session_timeout_ms}) and the producers' {@code transaction.timeout.ms}
 * ({@code transaction_timeout_ms}); see the cluster README. The state store is in memory (the
 * state is small: one record per device) and restored from its changelog when a task moves.
 *
 * <p>{@link #start} creates the output topics when missing and starts the application; it does
 * not wait for the first rebalance. {@link #close} leaves the group, so the successor takes the
 * partitions over at once instead of after the session timeout. Thread-safe.
 */
public final class ClusterRules implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterRules.class);

    /**
     * What every task's processor shares (read-only, or thread-safe).
     *
     * @param crossing    the crossing: the gateway name in every alert id
     * @param instance    this gateway's name: the emitting instance, a field of each alert
     * @param partitions  partitions of the frames topic
     * @param storeGuard  the store checks of single mode's admission, run again on the owner
     * @param sources     this instance's sources: each record is decoded with its source's driver and options
     * @param storePlates null: the store gets plain plates
     * @param rules       every rule of the config (the passage owners build the watchlist rules from it)
     * @param deviceRules the rules a device's owner runs: all but the watchlist rules, whose
     *                    passages are kept by the lane's owner ({@link PassageProcessor})
     * @param watchlists  the watchlist rules: a read of a plate one of them lists goes to its lane's owner
     * @param assignments the partitions of both topics whose processors run here now
     * @param framesOffsets   where a frames partition stands in Kafka (a partition behind?)
     * @param passagesOffsets the same for a passages partition (both answered by one {@link TopicOffsets})
     */
    record Setup(String crossing, String instance, int partitions, Inventory inventory, LimitsConfig limits,
            StoreGuard storeGuard, List<RuleConfig> rules, List<RuleConfig> deviceRules,
            List<WatchlistRuleConfig> watchlists,
            RuleContext ruleContext, Drivers drivers, List<SourceConfig> sources, Routing storeRouting,
            PlatePseudonymiser storePlates, ClusterFlowMetrics metrics, Assignments assignments,
            IntFunction<PartitionTime.Offsets> framesOffsets,
            IntFunction<PartitionTime.Offsets> passagesOffsets) {
    }

    private final KafkaStreams streams;
    private final Admin admin;

    private ClusterRules(KafkaStreams streams, Admin admin) {
        this.streams = streams;
        this.admin = admin;
    }

    /**
     * Starts the crossing's rules on this instance.
     *
     * @param instance   this gateway's name (client id, the {@code gateway} field of its alerts)
     * @param stateDir   where Kafka Streams keeps its local files ({@code <data_dir>/streams})
     * @param sources    the config's sources, the same on every instance: which driver and options decode a record
     * @param storeRouting what the store receives; its plates pseudonymised by {@code storePlates} (null: plain)
     */
    public static ClusterRules start(ClusterConfig config, String instance, Path stateDir, Inventory inventory,
            LimitsConfig limits, List<RuleConfig> rules, RuleMetrics ruleMetrics, Drivers drivers,
            List<SourceConfig> sources, Routing storeRouting,
            PlatePseudonymiser storePlates, MeterRegistry registry, Clock clock) {
        int partitions = ClusterTopics.ensure(config, config.framesTopic());
        ClusterTopics.ensure(config, config.readingsTopic());
        ClusterTopics.ensure(config, config.alertsTopic());
        int passagePartitions = ClusterTopics.ensure(config, config.passagesTopic());
        Admin admin = ClusterTopics.admin(config);
        ClusterFlowMetrics metrics = new ClusterFlowMetrics(registry);
        TopicOffsets offsets = new TopicOffsets(admin, config.rulesApplicationId(),
                Map.of(config.framesTopic(), partitions, config.passagesTopic(), passagePartitions), metrics, clock);
        Setup setup = setup(config.crossing(), instance, partitions, inventory, limits, rules, ruleMetrics, drivers,
                sources, storeRouting, storePlates, metrics, p -> offsets.partition(config.framesTopic(), p),
                p -> offsets.partition(config.passagesTopic(), p));
        setup.metrics().partitionsGauge(setup.assignments()::framesOwned);
        setup.metrics().passagesGauge(setup.assignments()::passagesOwned);
        Topology topology = new Topology();
        topology.addSource("frames", new ByteArrayDeserializer(), new ByteArrayDeserializer(), config.framesTopic());
        topology.addProcessor("rules", () -> new RulesProcessor(setup, clock), "frames");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(RulesProcessor.STORE),
                Serdes.String(), Serdes.ByteArray()), "rules");
        topology.addSink(RulesProcessor.READINGS_SINK, config.readingsTopic(), new ByteArraySerializer(),
                new ByteArraySerializer(), "rules");
        topology.addSink(RulesProcessor.ALERTS_SINK, config.alertsTopic(), new ByteArraySerializer(),
                new ByteArraySerializer(), "rules");
        topology.addSink(RulesProcessor.PASSAGES_SINK, config.passagesTopic(), new ByteArraySerializer(),
                new ByteArraySerializer(), "rules");
        // The lanes' passage owners: a sub-topology of its own over the passages topic.
        topology.addSource("passages", new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                config.passagesTopic());
        topology.addProcessor("watchlist", () -> new PassageProcessor(setup, clock), "passages");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(PassageProcessor.STORE),
                Serdes.String(), Serdes.ByteArray()), "watchlist");
        topology.addSink(PassageProcessor.ALERTS_SINK, config.alertsTopic(), new ByteArraySerializer(),
                new ByteArraySerializer(), "watchlist");

        KafkaStreams streams = new KafkaStreams(topology, properties(config, instance, stateDir));
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("cluster rules: a stream thread failed; it is replaced and its tasks start again from the "
                    + "last commit", e);
            setup.metrics().error("processing", "stream_thread");
            return StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        // One line per settled rebalance, not one per task: a broker outage can move them all.
        streams.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.RUNNING) {
                LOG.info("cluster rules: rebalance settled: {}", setup.assignments().settled());
            }
        });
        try {
            streams.start();
        } catch (RuntimeException e) {
            admin.close(Duration.ZERO);
            throw e;
        }
        LOG.info("cluster mode: rules run as Kafka Streams application {} over {} ({} partitions, exactly_once_v2, "
                + "1 standby replica)", config.rulesApplicationId(), config.framesTopic(), partitions);
        return new ClusterRules(streams, admin);
    }

    /**
     * What every processor of this instance shares: the config's rules split into the device rules
     * and the watchlists (those run at the lanes' owners, so the device rules' passage table stays empty).
     */
    static Setup setup(String crossing, String instance, int partitions, Inventory inventory, LimitsConfig limits,
            List<RuleConfig> rules, RuleMetrics ruleMetrics, Drivers drivers, List<SourceConfig> sources,
            Routing storeRouting, PlatePseudonymiser storePlates, ClusterFlowMetrics metrics,
            IntFunction<PartitionTime.Offsets> framesOffsets, IntFunction<PartitionTime.Offsets> passagesOffsets) {
        List<RuleConfig> deviceRules = new ArrayList<>();
        List<WatchlistRuleConfig> watchlists = new ArrayList<>();
        for (RuleConfig r : rules) {
            if (r instanceof WatchlistRuleConfig w) {
                watchlists.add(w);
            } else {
                deviceRules.add(r);
            }
        }
        return new Setup(crossing, instance, partitions, inventory, limits,
                new StoreGuard(StoreGuard.MAX_FIELD_TYPES), List.copyOf(rules), List.copyOf(deviceRules),
                List.copyOf(watchlists), new RuleContext(new PassageTable(), ruleMetrics), drivers,
                List.copyOf(sources), storeRouting, storePlates, metrics, new Assignments(), framesOffsets,
                passagesOffsets);
    }

    static Properties properties(ClusterConfig config, String instance, Path stateDir) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.rulesApplicationId());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrap());
        p.put(StreamsConfig.CLIENT_ID_CONFIG, "limes-" + config.crossing() + "-" + instance + "-rules");
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.commitIntervalMs());
        // What the rules write becomes visible to the sinks (read_committed) only at the commit, which
        // sends whatever still lingers: lingering up to the interval costs no latency, and each instance
        // then sends a commit's records in a few requests instead of one every 100 ms (Streams' linger).
        p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), config.commitIntervalMs());
        p.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, 1);
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, config.replicationFactor());
        p.put(StreamsConfig.topicPrefix("min.insync.replicas"), Integer.toString(config.minInsyncReplicas()));
        // A dead instance's partitions move after this long (Kafka's 45 s default would hold them most of a minute).
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), config.sessionTimeoutMs());
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG),
                Math.max(100, config.sessionTimeoutMs() / 3));
        // A dead instance's open transaction blocks its successor's reads until the broker aborts it.
        p.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), config.transactionTimeoutMs());
        return p;
    }

    /** True once the application runs (every task assigned and restored), false before and after. */
    public boolean running() {
        return streams.state() == KafkaStreams.State.RUNNING;
    }

    /**
     * Stops without leaving the group, as an instance that died would (its last transaction still
     * commits): the others take its partitions over only after the session timeout. For the
     * failover rehearsal.
     */
    void halt() {
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP)
                .withTimeout(Duration.ofSeconds(15)));
        admin.close(Duration.ofSeconds(5));
    }

    /** Stops the application, leaving the group so the partitions move at once. */
    @Override
    public void close() {
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(15)));
        admin.close(Duration.ofSeconds(5));
    }
}
