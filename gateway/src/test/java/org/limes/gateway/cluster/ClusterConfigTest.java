package org.limes.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.limes.drivers.Drivers;
import org.limes.gateway.config.ConfigException;
import org.limes.gateway.config.ConfigLoader;
import org.limes.gateway.config.GatewayConfig;

/** {@code cluster:} through the real loader: defaults, and each bad value named with its path. */
class ClusterConfigTest {

    private static final ConfigLoader LOADER = new ConfigLoader(Drivers.load());

    private static GatewayConfig parse(String yaml) {
        return LOADER.parse("test.yml", yaml);
    }

    @Test
    void absentIsSingleProcessMode() {
        assertThat(parse("name: gw\n").cluster()).isNull();
    }

    @Test
    void defaultsAimAtFastFailover() {
        ClusterConfig c = parse("""
                cluster:
                  bootstrap_servers: [kafka-1:9092, "10.0.0.2:9092"]
                  crossing: ras-ajdir
                """).cluster();
        assertThat(c.bootstrap()).isEqualTo("kafka-1:9092,10.0.0.2:9092");
        assertThat(c.framesTopic()).isEqualTo("limes.ras-ajdir.frames");
        assertThat(c.framesPartitions()).isEqualTo(12);
        assertThat(c.replicationFactor()).isEqualTo(3);
        assertThat(c.minInsyncReplicas()).isEqualTo(2);
        assertThat(c.produceTimeoutMs()).isEqualTo(10_000);
        assertThat(c.sessionTimeoutMs()).isEqualTo(6_000);
        assertThat(c.transactionTimeoutMs()).isEqualTo(10_000);
        assertThat(c.maxPendingFrames()).isEqualTo(10_000);
        assertThat(c.commitIntervalMs()).isEqualTo(500);
        assertThat(KafkaFrames.requestTimeoutMs(c.produceTimeoutMs()))
                .as("delivery.timeout.ms must cover linger.ms + request.timeout.ms").isLessThanOrEqualTo(10_000 - KafkaFrames.LINGER_MS);
    }

    @Test
    void aSingleBrokerClusterDefaultsToOneInsyncReplica() {
        ClusterConfig c = parse("""
                cluster: {bootstrap_servers: ["localhost:9092"], crossing: lab, replication_factor: 1}
                """).cluster();
        assertThat(c.minInsyncReplicas()).isEqualTo(1);
    }

    static Stream<Arguments> bad() {
        return Stream.of(
                Arguments.of("cluster: {crossing: x}", "test.yml: cluster.bootstrap_servers is required"),
                Arguments.of("cluster: {bootstrap_servers: [], crossing: x}",
                        "test.yml: cluster.bootstrap_servers must name at least one broker"),
                Arguments.of("cluster: {bootstrap_servers: [kafka], crossing: x}",
                        "test.yml: cluster.bootstrap_servers[0] must be host:port with a port 1..65535, got 'kafka'"),
                Arguments.of("cluster: {bootstrap_servers: [\"k:1\", \"k:70000\"], crossing: x}",
                        "test.yml: cluster.bootstrap_servers[1] must be host:port"),
                Arguments.of("cluster: {bootstrap_servers: [\"k:1\"]}", "test.yml: cluster.crossing is required"),
                Arguments.of("cluster: {bootstrap_servers: [\"k:1\"], crossing: \"a b\"}",
                        "test.yml: cluster.crossing must be 1-64 letters"),
                Arguments.of("cluster: {bootstrap_servers: [\"k:1\"], crossing: x, min_insync_replicas: 4}",
                        "test.yml: cluster.min_insync_replicas must be 1..3, got 4"),
                Arguments.of("cluster: {bootstrap_servers: [\"k:1\"], crossing: x, frames_partitions: 0}",
                        "test.yml: cluster.frames_partitions must be 1..10000, got 0"),
                Arguments.of("cluster: {bootstrap_servers: [\"k:1\"], crossing: x, produce_timeout_ms: 60000}",
                        "test.yml: cluster.produce_timeout_ms must be 1000..50000, got 60000"),
                Arguments.of("cluster: {bootstrap_servers: [\"k:1\"], crossing: x, session_timeout_ms: 10}",
                        "test.yml: cluster.session_timeout_ms must be 1000..300000, got 10"),
                Arguments.of("cluster: {bootstrap_servers: [\"k:1\"], crossing: x, transaction_timeout_ms: 0}",
                        "test.yml: cluster.transaction_timeout_ms must be 1000..900000, got 0"),
                Arguments.of("cluster: {bootstrap_servers: [\"k:1\"], crossing: x, commit_interval_ms: 6000}",
                        "test.yml: cluster.commit_interval_ms must be 10..5000, got 6000"),
                Arguments.of("cluster: {bootstrap_servers: [\"k:1\"], crossing: x, partitions: 3}",
                        "test.yml: cluster.partitions"));
    }

    @Test
    void theStreamsApplicationGetsTheTimeoutsAndTheCommitInterval() {
        ClusterConfig c = parse("""
                cluster:
                  bootstrap_servers: [kafka-1:9092]
                  crossing: ras-ajdir
                  session_timeout_ms: 7000
                  transaction_timeout_ms: 12000
                  commit_interval_ms: 250
                """).cluster();
        Properties p = ClusterRules.properties(c, "gw-1", Path.of("state"));
        assertThat(p.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)).isEqualTo(250);
        assertThat(p.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
        assertThat(p.get(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG))).isEqualTo(7000);
        assertThat(p.get(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG))).isEqualTo(12000);
        // Its outputs are visible only once committed: they may linger until then.
        assertThat(p.get(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG))).isEqualTo(250);
    }

    @ParameterizedTest
    @MethodSource
    void bad(String yaml, String message) {
        assertThatThrownBy(() -> parse(yaml)).isInstanceOf(ConfigException.class).hasMessageStartingWith(message);
    }

    @Test
    void anMqttClientSourceIsRefusedInClusterMode() {
        String yaml = """
                sources:
                  - name: devices
                    type: mqtt
                    ingest: client
                    topics: [{filter: "crossing/#", driver: counter-json}]
                cluster: {bootstrap_servers: ["k:1"], crossing: x}
                """;
        assertThatThrownBy(() -> parse(yaml)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("test.yml: cluster is set, and sources[0] ('devices') takes MQTT through a "
                        + "client");
    }

    @Test
    void inBrokerMqttAndHttpSourcesAreTakenInClusterMode() {
        GatewayConfig c = parse("""
                sources:
                  - name: devices
                    type: mqtt
                    topics: [{filter: "crossing/#", driver: counter-json}]
                  - {type: http, name: ingest, port: 0, drivers: [{driver: counter-json}]}
                cluster: {bootstrap_servers: ["k:1"], crossing: x}
                """);
        assertThat(c.cluster().crossing()).isEqualTo("x");
    }
}
