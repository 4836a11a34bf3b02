package org.limes.simulator.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.limes.drivers.Drivers;
import org.limes.gateway.cluster.ClusterConfig;
import org.limes.gateway.config.ConfigLoader;
import org.limes.gateway.config.GatewayConfig;
import org.limes.gateway.rules.ThresholdRuleConfig;
import org.limes.gateway.sink.centre.WebhookCentreConfig;
import org.limes.simulator.device.counter.CounterModel;

class ClusterGatewayConfigTest {

    @Test
    void anInstanceConfigurationIsOneTheGatewayAcceptsInClusterMode() {
        CounterModel fleet = new CounterModel(1, "cnt", 300);

        String yaml = ClusterGatewayConfig.yaml("limes-b", Path.of("/tmp/x y/data"), 18830, 18081,
                "http://127.0.0.1:9000", Path.of("/tmp/x y/store.token"),
                List.of(new String[] {"tripoli", "http://127.0.0.1:7001/alerts"},
                        new String[] {"benghazi", "http://127.0.0.1:7002/alerts"}),
                List.of("127.0.0.1:9092", "127.0.0.1:9093", "127.0.0.1:9094"), fleet, "primer-01", 5,
                Map.of());
        GatewayConfig config = new ConfigLoader(Drivers.load()).parse("limes-b.yml", yaml);

        assertThat(config.name()).isEqualTo("limes-b");
        ClusterConfig cluster = config.cluster();
        assertThat(cluster.crossing()).isEqualTo(ClusterGatewayConfig.CROSSING);
        assertThat(cluster.bootstrapServers()).hasSize(3);
        assertThat(cluster.framesPartitions()).isEqualTo(ClusterGatewayConfig.PARTITIONS);
        assertThat(cluster.replicationFactor()).isEqualTo(3);
        assertThat(cluster.minInsyncReplicas()).isEqualTo(2);
        assertThat(cluster.sessionTimeoutMs()).isEqualTo(6000);
        assertThat(config.centres()).hasSize(2);
        assertThat(config.store().url()).isEqualTo("http://127.0.0.1:9000");
        assertThat(config.inventory().devices()).hasSize(301);
        assertThat(config.rules()).singleElement().isInstanceOfSatisfying(ThresholdRuleConfig.class, rule -> {
            assertThat(rule.id()).isEqualTo(ClusterGatewayConfig.RULE);
            assertThat(rule.holdMs()).isEqualTo(5000);
            assertThat(rule.clearHoldMs()).isZero();
        });
        assertThat(config.centres()).allSatisfy(c -> assertThat(c).isInstanceOf(WebhookCentreConfig.class));
    }

    @Test
    void clusterSettingsGoOverTheRehearsalsAndABadOneIsRefusedByTheGatewayNamingIt() {
        CounterModel fleet = new CounterModel(1, "cnt", 30);
        List<String> bootstrap = List.of("127.0.0.1:9092");
        List<String[]> centres = List.<String[]>of(new String[] {"tripoli", "http://127.0.0.1:7001/alerts"});
        ConfigLoader loader = new ConfigLoader(Drivers.load());

        ClusterConfig tuned = loader.parse("limes-a.yml", ClusterGatewayConfig.yaml("limes-a", Path.of("/tmp/a"),
                18830, 18081, "http://127.0.0.1:9000", Path.of("/tmp/a/store.token"), centres, bootstrap, fleet,
                "primer-01", 5, Map.of("session_timeout_ms", "3000", "transaction_timeout_ms", "4000")))
                .cluster();
        assertThat(tuned.sessionTimeoutMs()).isEqualTo(3000);
        assertThat(tuned.transactionTimeoutMs()).isEqualTo(4000);

        String bad = ClusterGatewayConfig.yaml("limes-a", Path.of("/tmp/a"), 18830, 18081, "http://127.0.0.1:9000",
                Path.of("/tmp/a/store.token"), centres, bootstrap, fleet, "primer-01", 5,
                Map.of("session_timeout_ms", "soon"));
        assertThatThrownBy(() -> loader.parse("limes-a.yml", bad)).hasMessageContaining("limes-a.yml")
                .hasMessageContaining("cluster.session_timeout_ms");
    }
}
