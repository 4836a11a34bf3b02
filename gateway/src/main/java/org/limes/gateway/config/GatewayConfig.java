package org.limes.gateway.config;

import java.util.List;
import org.limes.gateway.cluster.ClusterConfig;
import org.limes.gateway.http.AdminConfig;
import org.limes.gateway.outbox.OutboxConfig;
import org.limes.gateway.picture.PictureConfig;
import org.limes.gateway.pipeline.InventoryConfig;
import org.limes.gateway.pipeline.LimitsConfig;
import org.limes.gateway.pipeline.PipelineConfig;
import org.limes.gateway.rules.RuleConfig;
import org.limes.gateway.sink.centre.CentreConfig;
import org.limes.gateway.sink.centre.MqttCentreConfig;
import org.limes.gateway.sink.influx.StoreConfig;
import org.limes.gateway.source.SourceConfig;
import org.limes.gateway.source.mqtt.MqttSourceConfig;

/**
 * The whole gateway configuration, one YAML file. Every section is a record beside the
 * component it configures; defaults and checks live in their compact constructors, the
 * checks against other sections in each record's {@code check(CheckContext)}, which
 * {@link ConfigLoader} runs with the record's path.
 *
 * @param name      the gateway's name (default limes)
 * @param dataDir   where outboxes and embedded services keep their files (default ./data)
 * @param mqtt      the device broker
 * @param store     the time-series store
 * @param admin     the admin HTTP port
 * @param sources   ingestion sources
 * @param inventory the known devices
 * @param rules     alert rules (when {@code rules_file} is not used)
 * @param rulesFile a YAML list of rules, watched and reloaded; relative to this file's folder
 * @param centres   alert destinations
 * @param outbox    durable queue limits
 * @param pipeline  hot-path threading
 * @param limits    what one reading may hold and how fast one device may report
 * @param pictures  what happens to the pictures of camera reads (dropped by default)
 * @param cluster   cluster mode on Apache Kafka; null (absent): one process, the default
 */
public record GatewayConfig(String name, String dataDir, MqttConfig mqtt, StoreConfig store, AdminConfig admin,
        List<SourceConfig> sources, InventoryConfig inventory, List<RuleConfig> rules, String rulesFile,
        List<CentreConfig> centres, OutboxConfig outbox, PipelineConfig pipeline, LimitsConfig limits,
        PictureConfig pictures, ClusterConfig cluster) {

    public GatewayConfig {
        name = name == null ? "limes" : Require.identifier("name", name);
        dataDir = dataDir == null ? "./data" : Require.nonBlank("data_dir", dataDir);
        mqtt = mqtt == null ? MqttConfig.defaults() : mqtt;
        store = store == null ? new StoreConfig(null, null, null, null, null, null, null, null, null, null, null, null,
                null, null)
                : store;
        admin = admin == null ? AdminConfig.defaults() : admin;
        String gateway = name;
        // Defaulted MQTT client ids carry the gateway's name: crossings share centres' brokers.
        sources = sources == null ? List.of() : List.copyOf(sources.stream()
                .map(s -> s instanceof MqttSourceConfig m ? m.inGateway(gateway) : s).toList());
        inventory = inventory == null ? new InventoryConfig(null, null, null) : inventory;
        rules = rules == null ? List.of() : List.copyOf(rules);
        if (rulesFile != null) {
            Require.nonBlank("rules_file", rulesFile);
        }
        centres = centres == null ? List.of() : List.copyOf(centres.stream()
                .map(c -> c instanceof MqttCentreConfig m ? m.inGateway(gateway) : c).toList());
        outbox = outbox == null ? OutboxConfig.defaults() : outbox;
        pipeline = pipeline == null ? PipelineConfig.defaults() : pipeline;
        limits = limits == null ? LimitsConfig.defaults() : limits;
        pictures = pictures == null ? PictureConfig.defaults() : pictures;
    }

    /** This configuration with the rules read from its {@code rules_file}, which is now {@code resolvedFile}. */
    public GatewayConfig withRules(List<RuleConfig> loaded, String resolvedFile) {
        return new GatewayConfig(name, dataDir, mqtt, store, admin, sources, inventory, loaded, resolvedFile, centres,
                outbox, pipeline, limits, pictures, cluster);
    }
}
