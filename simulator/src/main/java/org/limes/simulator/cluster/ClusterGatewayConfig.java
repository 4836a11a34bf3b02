package org.limes.simulator.cluster;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.limes.simulator.bench.GatewayYaml;
import org.limes.simulator.device.counter.CounterModel;

/**
 * The configuration of one gateway instance of the rehearsal's crossing: the same file for every
 * instance but {@code name}, the ports and the data folder, as the cluster README asks. Its own
 * embedded broker (in-broker ingest) on {@code mqttPort}, the shared external store (QuestDB
 * written as InfluxDB), the two recording centres as webhooks, every device of the fleet and
 * the primer in the inventory, one threshold rule with a hold, and the {@code cluster:} section
 * on the three Kafka nodes with the failover settings of the cluster README.
 */
final class ClusterGatewayConfig {

    /** The crossing: names the topics, the groups and every alert id. */
    static final String CROSSING = "ras-ajdir";
    /** The rule every alert of the rehearsal comes from. */
    static final String RULE = "queue-surge";
    /** Partitions of the frames topic: four per instance. */
    static final int PARTITIONS = 12;

    private ClusterGatewayConfig() {
    }

    /**
     * @param name       the instance's name ({@code gateway} in its alerts)
     * @param storeToken the store's token file (QuestDB ignores it; the gateway requires one)
     * @param centres    name → webhook URL, in order
     * @param holdS      the threshold's hold ({@code for}), seconds
     * @param settings   keys of the {@code cluster:} section over the rehearsal's (cluster-bench's
     *                   {@code --cluster-setting})
     */
    static String yaml(String name, Path dataDir, int mqttPort, int adminPort, String storeUrl, Path storeToken,
            List<String[]> centres, List<String> bootstrap, CounterModel fleet, String primer, int holdS,
            Map<String, String> settings) {
        GatewayYaml config = new GatewayYaml("limes-simulator cluster-bench: one instance of crossing " + CROSSING, name,
                dataDir, adminPort)
                .embeddedBroker(mqttPort)
                .influxStore(storeUrl, storeToken)
                .devices(fleet, primer)
                .surgeRule(RULE, holdS)
                .cluster(bootstrap, CROSSING, PARTITIONS, settings);
        for (String[] c : centres) {
            config.webhookCentre(c[0], c[1]);
        }
        return config.yaml();
    }
}
