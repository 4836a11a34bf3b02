package org.limes.gateway.cluster;

import java.util.List;
import org.limes.gateway.config.CheckContext;
import org.limes.gateway.config.MqttConfig;
import org.limes.gateway.config.Require;
import org.limes.gateway.source.SourceConfig;
import org.limes.gateway.source.mqtt.MqttSourceConfig;

/**
 * {@code cluster:} — opt-in cluster mode on Apache Kafka (absent: one process, as always).
 * The sources hand each frame to the crossing's frames topic and acknowledge the device only
 * once the cluster has it ({@link KafkaFrames}); see the cluster README for the contract.
 *
 * <p>The defaults aim at failover within 15 s: Kafka's own defaults (45 s consumer sessions,
 * one-minute transactions) would let a dead instance hold its devices for most of a minute.
 *
 * @param bootstrapServers     {@code host:port} of some of the cluster's brokers (required)
 * @param crossing             the crossing every instance of this cluster serves; names its topics,
 *                             {@code limes.<crossing>.frames} (required)
 * @param framesPartitions     partitions of the frames topic when the gateway creates it: the most
 *                             instances that can share the crossing's devices (default 12)
 * @param replicationFactor    copies of every partition (default 3)
 * @param minInsyncReplicas    copies that must have a frame before it is acknowledged (default 2;
 *                             at most {@code replication_factor})
 * @param produceTimeoutMs     how long a frame may wait for the cluster before the device is
 *                             refused (the producer's {@code delivery.timeout.ms}; default 10 s,
 *                             below the in-broker ingest's 60 s PUBACK limit)
 * @param sessionTimeoutMs     how long a silent instance keeps its partitions before another takes
 *                             them over (consumers' {@code session.timeout.ms}; default 6 s, the
 *                             brokers' default minimum)
 * @param transactionTimeoutMs how long a dead instance's open transaction may block its successor
 *                             ({@code transaction.timeout.ms}; default 10 s)
 * @param maxPendingFrames     frames handed to the producer and not yet acknowledged by the cluster,
 *                             at most; beyond it sources wait or pause reading (default 10,000)
 * @param commitIntervalMs     how often the rules commit their transaction (Streams'
 *                             {@code commit.interval.ms}; default 500, not Streams' 100 under
 *                             exactly-once): an alert reaches the sinks only once committed, and each
 *                             commit costs the brokers a marker in every partition it wrote; measured
 *                             in the cluster README's "What a commit costs"
 */
public record ClusterConfig(List<String> bootstrapServers, String crossing, Integer framesPartitions,
        Integer replicationFactor, Integer minInsyncReplicas, Integer produceTimeoutMs, Integer sessionTimeoutMs,
        Integer transactionTimeoutMs, Integer maxPendingFrames, Integer commitIntervalMs) {

    public ClusterConfig {
        Require.present("bootstrap_servers", bootstrapServers);
        if (bootstrapServers.isEmpty()) {
            throw new IllegalArgumentException("bootstrap_servers must name at least one broker as host:port");
        }
        for (int i = 0; i < bootstrapServers.size(); i++) {
            hostPort("bootstrap_servers[" + i + "]", bootstrapServers.get(i));
        }
        bootstrapServers = List.copyOf(bootstrapServers);
        crossing = Require.identifier("crossing", crossing);
        framesPartitions = (int) Require.range("frames_partitions", framesPartitions, 12, 1, 10_000);
        replicationFactor = (int) Require.range("replication_factor", replicationFactor, 3, 1, Short.MAX_VALUE);
        minInsyncReplicas = (int) Require.range("min_insync_replicas", minInsyncReplicas, Math.min(2,
                replicationFactor), 1, replicationFactor);
        produceTimeoutMs = (int) Require.range("produce_timeout_ms", produceTimeoutMs, 10_000, 1_000, 50_000);
        sessionTimeoutMs = (int) Require.range("session_timeout_ms", sessionTimeoutMs, 6_000, 1_000, 300_000);
        transactionTimeoutMs = (int) Require.range("transaction_timeout_ms", transactionTimeoutMs, 10_000, 1_000,
                900_000);
        maxPendingFrames = (int) Require.range("max_pending_frames", maxPendingFrames, 10_000, 1, 1_000_000);
        commitIntervalMs = (int) Require.range("commit_interval_ms", commitIntervalMs, 500, 10, 5_000);
    }

    /** The topic the sources produce frames to. */
    public String framesTopic() {
        return "limes." + crossing + ".frames";
    }

    /** The rules' output for the store: each stored reading as a line of line protocol, keyed by device. */
    public String readingsTopic() {
        return "limes." + crossing + ".readings";
    }

    /** The rules' alert transitions (canonical alert JSON), keyed by device. */
    public String alertsTopic() {
        return "limes." + crossing + ".alerts";
    }

    /**
     * Reads of listed plates, keyed by lane (site and lane), from each camera's frames owner to
     * the lane's passage owner: the watchlist's cross-camera passages in one place per lane.
     */
    public String passagesTopic() {
        return "limes." + crossing + ".passages";
    }

    /** The Kafka Streams application id of the crossing's rules (names its group and internal topics). */
    public String rulesApplicationId() {
        return "limes-" + crossing + "-rules";
    }

    /** The consumer group that feeds destination {@code destination} (the store, or a centre). */
    public String sinkGroup(String destination) {
        return "limes-" + crossing + "-sink-" + destination;
    }

    /** {@code bootstrap.servers} as Kafka's clients take it. */
    public String bootstrap() {
        return String.join(",", bootstrapServers);
    }

    /**
     * The checks against the sources: an MQTT source must ingest inside the gateway's embedded
     * broker, whose asynchronous PUBACK can carry a refusal; an MQTT client's manual
     * acknowledgement (an external broker, or {@code ingest: client}) cannot refuse a message,
     * so in cluster mode a frame the cluster did not take would hold every later acknowledgement.
     */
    public void check(CheckContext ctx, List<SourceConfig> sources) {
        for (int i = 0; i < sources.size(); i++) {
            if (sources.get(i) instanceof MqttSourceConfig m) {
                boolean own = m.broker() == null || MqttConfig.EMBEDDED.equals(m.broker());
                if (!own || !ctx.mqtt().embedded() || !m.inBroker()) {
                    throw ctx.fail("", "is set, and sources[" + i + "] ('" + m.name() + "') takes MQTT through a "
                            + "client: cluster mode takes MQTT only inside the embedded broker (mqtt.broker: embedded, "
                            + "no ingest: client), whose PUBACK can refuse a frame the cluster did not take");
                }
            }
        }
    }

    private static void hostPort(String key, String value) {
        Require.nonBlank(key, value);
        int colon = value.lastIndexOf(':');
        String port = colon < 0 ? "" : value.substring(colon + 1);
        boolean ok = colon > 0 && !port.isEmpty() && port.length() <= 5 && port.chars().allMatch(Character::isDigit)
                && Integer.parseInt(port) >= 1 && Integer.parseInt(port) <= 65535
                && value.substring(0, colon).chars().noneMatch(c -> c == ',' || c == '/' || Character.isWhitespace(c));
        if (!ok) {
            throw new IllegalArgumentException(key + " must be host:port with a port 1..65535, got '" + value + "'");
        }
    }
}
