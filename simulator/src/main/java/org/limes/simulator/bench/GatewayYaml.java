package org.limes.simulator.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.limes.simulator.device.counter.CounterModel;

/**
 * The configuration file of a gateway the benches start ({@code bench}'s one gateway,
 * {@code cluster-bench}'s instances): the same devices, source, surge rule and outbox for both, the
 * broker, store, centres and the {@code cluster:} section as each bench chooses. Written through
 * Jackson, so paths and URLs are quoted as YAML needs; every key is the gateway's own (its loader
 * rejects unknown ones, and the benches' tests parse what this writes with it).
 *
 * <p>Every device is a counter at {@link BenchLoad#SITE}, publishing on {@link BenchLoad#TOPIC_FILTER}
 * in the {@code counter-json} format; the surge rule raises above 40 vehicles and clears below 20,
 * what {@link CounterModel}'s surges cross.
 *
 * <p>Threading: one thread builds it; {@link #yaml} may be called more than once.
 */
public final class GatewayYaml {

    private static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .build();
    private static final String LOOPBACK = "127.0.0.1";

    private final String writtenBy;
    private final String name;
    private final Path dataDir;
    private final int adminPort;
    private final ArrayNode devices = YAML.createArrayNode();
    private final ArrayNode rules = YAML.createArrayNode();
    private final ArrayNode centres = YAML.createArrayNode();
    private ObjectNode mqtt;
    private ObjectNode store;
    private ObjectNode sourceClient;
    private ObjectNode pipeline;
    private ObjectNode cluster;

    /**
     * @param writtenBy what wrote it, for the file's first line ({@code limes-simulator bench})
     * @param name      the gateway's {@code name}
     * @param adminPort its admin HTTP server's port ({@code /metrics}), on loopback
     */
    public GatewayYaml(String writtenBy, String name, Path dataDir, int adminPort) {
        this.writtenBy = writtenBy;
        this.name = name;
        this.dataDir = dataDir;
        this.adminPort = adminPort;
    }

    /** Its own embedded broker on loopback {@code port}, the devices' publishes taken in inside it. */
    public GatewayYaml embeddedBroker(int port) {
        mqtt = YAML.createObjectNode().put("broker", "embedded").put("host", LOOPBACK).put("port", port);
        return this;
    }

    /** An external broker, e.g. {@code tcp://127.0.0.1:1883}. */
    public GatewayYaml externalBroker(String uri) {
        mqtt = YAML.createObjectNode().put("broker", uri);
        return this;
    }

    /** The embedded store (QuestDB in the gateway's JVM), its HTTP server on loopback {@code httpPort}. */
    public GatewayYaml embeddedStore(int httpPort) {
        store = YAML.createObjectNode().put("kind", "embedded").put("host", LOOPBACK).put("http_port", httpPort)
                .put("bucket", "limes").put("batch_size", 5000);
        return this;
    }

    /** An InfluxDB 2.x server (or QuestDB written as one) at {@code url}, its token in {@code tokenFile}. */
    public GatewayYaml influxStore(String url, Path tokenFile) {
        store = YAML.createObjectNode().put("kind", "influxdb").put("url", url).put("org", "limes")
                .put("bucket", "limes").put("token_file", tokenFile.toAbsolutePath().toString()).put("batch_size", 5000);
        return this;
    }

    /** The MQTT source's client id and inflight window on an external broker. */
    public GatewayYaml sourceClient(String clientId, int maxInflight) {
        sourceClient = YAML.createObjectNode().put("client_id", clientId).put("max_inflight", maxInflight);
        return this;
    }

    /** {@code others} (a probe, a primer), then every device of {@code fleet}, in the inventory. */
    public GatewayYaml devices(CounterModel fleet, String... others) {
        for (String id : others) {
            device(id);
        }
        for (int d = 1; d <= fleet.devices(); d++) {
            device(fleet.deviceId(d));
        }
        return this;
    }

    private void device(String id) {
        devices.addObject().put("id", id).put("site", BenchLoad.SITE).put("class", "counter");
    }

    /** The surge rule: a threshold on {@code count_total}, raised above 40 and cleared below 20 at once. */
    public GatewayYaml surgeRule(String id) {
        surge(id);
        return this;
    }

    /** The surge rule, raised only once above 40 for {@code holdS} seconds; cleared below 20 at once. */
    public GatewayYaml surgeRule(String id, int holdS) {
        surge(id).put("for", holdS + "s").put("clear_for", "0s");
        return this;
    }

    private ObjectNode surge(String id) {
        ObjectNode rule = rules.addObject().put("id", id).put("type", "threshold").put("kind", "vehicle_count")
                .put("field", "count_total").put("raise_above", 40).put("clear_below", 20);
        rule.put("severity", "warning");
        return rule;
    }

    /** A deadman rule on every device of the inventory. */
    public GatewayYaml deadmanRule(String id) {
        rules.addObject().put("id", id).put("type", "deadman").put("severity", "critical");
        return this;
    }

    /** A centre the gateway publishes its alerts to as JSON on {@code topic} of {@code broker}. */
    public GatewayYaml mqttCentre(String centre, String broker, String topic) {
        centres.addObject().put("name", centre).put("type", "mqtt").put("broker", broker).put("topic", topic)
                .put("format", "json");
        return this;
    }

    /** A centre the gateway posts its alerts to over plain HTTP, retried quickly. */
    public GatewayYaml webhookCentre(String centre, String url) {
        centres.addObject().put("name", centre).put("type", "webhook").put("url", url)
                .put("allow_insecure_http", true).put("retry_initial_ms", 50).put("retry_max_ms", 1000);
        return this;
    }

    /** The pipeline's shards and each shard's queue. */
    public GatewayYaml pipeline(int shards, int queueCapacity) {
        pipeline = YAML.createObjectNode().put("shards", shards).put("queue_capacity", queueCapacity);
        return this;
    }

    /**
     * Cluster mode on {@code bootstrap} for {@code crossing}: every topic replicated three times with
     * two in sync, and the failover settings of the cluster README (a 6 s session, 10 s for a produce
     * and a transaction), then {@code settings} over them: a number as a number, {@code true} and
     * {@code false} as booleans, anything else as a string (the gateway checks each at start).
     */
    public GatewayYaml cluster(List<String> bootstrap, String crossing, int framesPartitions,
            Map<String, String> settings) {
        cluster = YAML.createObjectNode();
        bootstrap.forEach(cluster.putArray("bootstrap_servers")::add);
        cluster.put("crossing", crossing).put("frames_partitions", framesPartitions).put("replication_factor", 3)
                .put("min_insync_replicas", 2).put("produce_timeout_ms", 10_000).put("session_timeout_ms", 6000)
                .put("transaction_timeout_ms", 10_000);
        settings.forEach((key, value) -> {
            if (value.matches("-?\\d{1,18}")) {
                cluster.put(key, Long.parseLong(value));
            } else if (value.equals("true") || value.equals("false")) {
                cluster.put(key, Boolean.parseBoolean(value));
            } else {
                cluster.put(key, value);
            }
        });
        return this;
    }

    /**
     * The file's text.
     *
     * @throws IllegalStateException when no broker or no store was chosen
     */
    public String yaml() {
        if (mqtt == null || store == null) {
            throw new IllegalStateException("a gateway configuration needs a broker and a store");
        }
        ObjectNode root = YAML.createObjectNode();
        root.put("name", name);
        root.put("data_dir", dataDir.toString());
        root.set("mqtt", mqtt);
        root.set("store", store);
        root.putObject("admin").put("host", LOOPBACK).put("port", adminPort);
        ObjectNode source = root.putArray("sources").addObject().put("name", "devices").put("type", "mqtt");
        if (sourceClient != null) {
            source.setAll(sourceClient);
        }
        source.putArray("topics").addObject().put("filter", BenchLoad.TOPIC_FILTER).put("driver", "counter-json");
        ObjectNode inventory = root.putObject("inventory").put("unknown_devices", "reject");
        inventory.putObject("classes").putObject("counter").put("expected_interval", "1h");
        inventory.set("devices", devices);
        root.set("rules", rules);
        root.set("centres", centres);
        root.putObject("outbox").put("sync_interval_ms", 5);
        if (pipeline != null) {
            root.set("pipeline", pipeline);
        }
        if (cluster != null) {
            root.set("cluster", cluster);
        }
        try {
            return "# Written by " + writtenBy + ".\n" + YAML.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
