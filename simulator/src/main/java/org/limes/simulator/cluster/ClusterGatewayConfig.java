package org.limes.simulator.cluster;

import java.nio.file.Path;
import java.util.List;
import org.limes.simulator.bench.BenchLoad;
import org.limes.simulator.bench.GatewayProcess;
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
     */
    static String yaml(String name, Path dataDir, int mqttPort, int adminPort, String storeUrl, Path storeToken,
            List<String[]> centres, List<String> bootstrap, CounterModel fleet, String primer, int holdS) {
        StringBuilder y = new StringBuilder();
        y.append("# Written by limes-simulator cluster-bench: one instance of crossing ").append(CROSSING).append('\n');
        y.append("name: ").append(name).append('\n');
        y.append("data_dir: ").append(quoted(dataDir.toString())).append('\n');
        y.append("""
                mqtt:
                  broker: embedded
                  host: 127.0.0.1
                  port: %d
                """.formatted(mqttPort));
        y.append(GatewayProcess.influxStore(storeUrl, storeToken));
        y.append("""
                admin:
                  host: 127.0.0.1
                  port: %d
                sources:
                  - name: devices
                    type: mqtt
                    topics:
                      - filter: "%s"
                        driver: counter-json
                inventory:
                  unknown_devices: reject
                  classes:
                    counter: {expected_interval: 1h}
                  devices:
                """.formatted(adminPort, BenchLoad.TOPIC_FILTER));
        y.append("    - {id: ").append(primer).append(", site: ").append(BenchLoad.SITE).append(", class: counter}\n");
        for (int d = 1; d <= fleet.devices(); d++) {
            y.append("    - {id: ").append(fleet.deviceId(d)).append(", site: ").append(BenchLoad.SITE)
                    .append(", class: counter}\n");
        }
        y.append("""
                rules:
                  - id: %s
                    type: threshold
                    kind: vehicle_count
                    field: count_total
                    raise_above: 40
                    clear_below: 20
                    for: %ds
                    clear_for: 0s
                    severity: warning
                centres:
                """.formatted(RULE, holdS));
        for (String[] c : centres) {
            y.append("  - {name: ").append(c[0]).append(", type: webhook, url: ").append(quoted(c[1]))
                    .append(", allow_insecure_http: true, retry_initial_ms: 50, retry_max_ms: 1000}\n");
        }
        y.append("""
                outbox:
                  sync_interval_ms: 5
                cluster:
                  bootstrap_servers: [%s]
                  crossing: %s
                  frames_partitions: %d
                  replication_factor: 3
                  min_insync_replicas: 2
                  produce_timeout_ms: 10000
                  session_timeout_ms: 6000
                  transaction_timeout_ms: 10000
                """.formatted(String.join(", ", bootstrap), CROSSING, PARTITIONS));
        return y.toString();
    }

    private static String quoted(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
