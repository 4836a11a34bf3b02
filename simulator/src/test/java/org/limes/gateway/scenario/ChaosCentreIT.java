package org.limes.gateway.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.gateway.embedded.EmbeddedBroker;
import org.limes.simulator.chaos.ChaosPhase;
import org.limes.simulator.chaos.ChaosProxy;
import org.limes.simulator.scenario.DeviceGroupConfig;
import org.limes.simulator.scenario.FaultConfig;
import org.limes.simulator.scenario.Scenario;
import org.limes.simulator.scenario.ScenarioResult;
import org.limes.simulator.transport.TargetConfig;

/**
 * A centre outage rehearsed with the simulator's chaos proxy: the Tripoli centre's broker
 * (a second embedded HiveMQ) is reached only through the proxy; the link is cut while a
 * queue surge raises and clears its alert. Benghazi gets both transitions at once,
 * Tripoli nothing while cut and both once the link returns; nothing is lost.
 */
class ChaosCentreIT {

    @TempDir
    Path data;

    private EmbeddedBroker tripoliBroker;
    private ChaosProxy proxy;
    private ScenarioFixture fixture;

    @AfterEach
    void stop() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (tripoliBroker != null) {
            tripoliBroker.close();
        }
    }

    @Test
    void aCutCentreLinkLosesNothingAndTheAlertArrivesAfterTheLinkReturns() throws Exception {
        tripoliBroker = EmbeddedBroker.start(data.resolve("tripoli-broker"), "127.0.0.1", 0);
        proxy = ChaosProxy.start("127.0.0.1", 0, "127.0.0.1", tripoliBroker.port());
        fixture = new ScenarioFixture(data.resolve("gw"), """
                - name: devices
                  type: mqtt
                  client_id: limes-chaos-gw
                  topics:
                    - {filter: "crossing/+/counter/+", driver: counter-json}
                """, """
                devices:
                  - {id: cnt-01, site: ras-ajdir, class: counter}
                  - {id: cnt-02, site: ras-ajdir, class: counter}
                """, """
                - {id: queue-surge, type: threshold, kind: vehicle_count, field: count_total, raise_above: 40, clear_below: 20}
                """, """
                - {name: tripoli, broker: "tcp://127.0.0.1:%d", topic: alerts/tripoli}
                - {name: benghazi, topic: test/centre/benghazi}
                """.formatted(proxy.port()));
        fixture.tap("tripoli", tripoliBroker.uri(), "alerts/tripoli");
        await().atMost(Duration.ofSeconds(30)).until(() -> fixture.gateway().sourcesReady() && proxy.accepted() >= 1);

        proxy.apply(ChaosPhase.of("cut", null));
        // 6 simulated minutes at 120x (3 s): cnt-02 surges from minute 1 to 3, raising and clearing.
        Scenario surge = new Scenario("centre-outage", "", 5L, "ras-ajdir", "6m", 120.0, null,
                Map.of("counters", new TargetConfig("mqtt", "tcp://127.0.0.1:1883", "crossing/{site}/counter/{device}",
                        1, null, null)),
                List.of(new DeviceGroupConfig("counter", 2, "cnt", "15s", "counters", null, null, null, null, null,
                        null, null, null, null, null, null)),
                List.of(new FaultConfig("surge", "cnt-02", "1m", "3m", null, null, null, null)));
        ScenarioResult result = fixture.play(surge, fixture::mqtt);
        assertThat(result.complete()).as(result.toString()).isTrue();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(fixture.transitions("benghazi"))
                .containsExactly("queue-surge/cnt-02:raised", "queue-surge/cnt-02:cleared"));
        assertThat(fixture.transitions("tripoli")).as("nothing crosses a cut link").isEmpty();
        assertThat(proxy.refused()).as("the gateway kept trying").isPositive();

        proxy.apply(ChaosPhase.of("pass", null));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(fixture.eventIds("tripoli"))
                .isEqualTo(fixture.eventIds("benghazi")));
        assertThat(fixture.transitions("tripoli"))
                .containsExactly("queue-surge/cnt-02:raised", "queue-surge/cnt-02:cleared");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(fixture.store().count("vehicle_count"))
                .isEqualTo(result.goodReadingsByKind().get("vehicle_count")));
    }
}
