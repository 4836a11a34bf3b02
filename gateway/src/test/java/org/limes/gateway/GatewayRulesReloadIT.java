package org.limes.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.drivers.Drivers;
import org.limes.gateway.config.ConfigLoader;
import org.limes.gateway.config.GatewayConfig;
import org.limes.gateway.rules.RulesReload;

/**
 * Rules from a {@code rules_file}, on a running gateway (embedded broker and store): a
 * changed file is picked up by the watcher, a bad one is rejected with its error and the
 * old rules stay in force.
 */
class GatewayRulesReloadIT {

    @TempDir
    Path dir;

    private Gateway gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    private double reloads(String outcome) {
        var c = gateway.registry().find("limes.rules.reloads").tag("outcome", outcome).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void aChangedRulesFileIsReloadedAndABadOneLeavesTheOldRulesInForce() throws Exception {
        Path rules = dir.resolve("rules.yml");
        Files.writeString(rules, "- {type: threshold, id: queue-surge, kind: vehicle_count, field: count_total, "
                + "raise_above: 40, clear_below: 20}\n");
        String yaml = TestConfigs.gateway(dir.resolve("data"), "broker: embedded\n  port: 0",
                "kind: embedded\n  http_port: 0", 0)
                .replaceAll("(?s)rules:\n.*?centres:", "rules_file: rules.yml\ncentres:");
        Path config = dir.resolve("gw.yml");
        Files.writeString(config, yaml);
        Drivers drivers = Drivers.load();
        GatewayConfig c = new ConfigLoader(drivers).load(config);
        assertThat(c.rules()).hasSize(1);
        gateway = Gateway.start(c, drivers, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), Clock.systemUTC());

        Files.writeString(rules, Files.readString(rules) + "- {type: deadman, id: silent, class: radar}\n");
        await().atMost(Duration.ofSeconds(10)).until(() -> reloads("ok") == 1);

        Files.writeString(rules, "- {type: threshold, id: broken, kind: vehicle_count}\n");
        await().atMost(Duration.ofSeconds(10)).until(() -> reloads("rejected") == 1);
        RulesReload rejected = gateway.reloadRules();
        assertThat(rejected.applied()).isFalse();
        assertThat(rejected.message()).isEqualTo(rules + ": [0].field is required and must not be blank");
        assertThat(reloads("ok")).isEqualTo(1);

        Files.writeString(rules, "- {type: deadman, id: silent, class: radar}\n");
        await().atMost(Duration.ofSeconds(10)).until(() -> reloads("ok") == 2);
        RulesReload again = gateway.reloadRules();
        assertThat(again.applied()).isTrue();
        assertThat(again.message()).isEqualTo("rules in force: [silent]");
    }
}
