package org.limes.simulator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
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
                List.of("127.0.0.1:9092", "127.0.0.1:9093", "127.0.0.1:9094"), fleet, "primer-01", 5);
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
}
