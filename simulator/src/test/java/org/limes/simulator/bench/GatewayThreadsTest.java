package org.limes.simulator.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GatewayThreadsTest {

    @Test
    void namesAsTheKernelShowsThemGoToTheirRoles() {
        // comm names as /proc shows them: the first 15 bytes of the Java thread's name.
        assertThat(GatewayThreads.role("MQTT Rec: limes")).isEqualTo("mqtt_receive");
        assertThat(GatewayThreads.role("MQTT Snd: limes")).isEqualTo("mqtt_send");
        assertThat(GatewayThreads.role("MQTT Ping: lime")).isEqualTo("mqtt_send");
        assertThat(GatewayThreads.role("MQTT Call: lime")).isEqualTo("mqtt_callback");
        assertThat(GatewayThreads.role("hivemq-eventloo")).isEqualTo("broker");
        assertThat(GatewayThreads.role("extension-task-")).isEqualTo("broker");
        assertThat(GatewayThreads.role("single-writer-2")).isEqualTo("broker");
        assertThat(GatewayThreads.role("limes-pipeline-")).isEqualTo("pipeline");
        assertThat(GatewayThreads.role("limes-outbox-co")).isEqualTo("outbox_commit");
        assertThat(GatewayThreads.role("limes-sink-stor")).isEqualTo("sink_store");
        assertThat(GatewayThreads.role("limes-sink-benc")).isEqualTo("sinks_other");
        assertThat(GatewayThreads.role("wal-apply_0")).isEqualTo("store");
        assertThat(GatewayThreads.role("shared-network_")).isEqualTo("store");
        assertThat(GatewayThreads.role("VM Thread")).isEqualTo("gc");
        assertThat(GatewayThreads.role("GC Thread#1")).isEqualTo("gc");
        assertThat(GatewayThreads.role("C2 CompilerThre")).isEqualTo("jit");
        assertThat(GatewayThreads.role("java")).isEqualTo("other");
        assertThat(GatewayThreads.role("limes-outbox-ov")).as("the overflow watcher is not the commit").isEqualTo("other");
    }

    @Test
    void inClusterModeTheRulesStreamThreadsAndTheKafkaClientsHaveRolesOfTheirOwn() {
        // limes-<crossing>-<instance>-rules-StreamThread-1, cut to 15 bytes
        assertThat(GatewayThreads.role("limes-ras-ajdir", "limes-ras-ajdir")).isEqualTo("cluster_rules");
        assertThat(GatewayThreads.role("limes-ras-ajdir", null)).isEqualTo("other");
        assertThat(GatewayThreads.role("limes-pipeline-", "limes-ras-ajdir")).isEqualTo("pipeline");
        assertThat(GatewayThreads.role("kafka-producer-", "limes-ras-ajdir")).isEqualTo("kafka_clients");
        assertThat(GatewayThreads.role("kafka-coordinat")).isEqualTo("kafka_clients");
        assertThat(GatewayThreads.role("limes-cluster-s")).as("the sink relays").isEqualTo("sinks_other");
    }

    @Test
    void aPhaseIsTheDifferenceOfTwoReadingsAndAnEndedThreadCountsNothing() {
        Map<String, Long> before = new LinkedHashMap<>(Map.of("pipeline", 100L, "gc", 50L, "sink_store", 70L));
        Map<String, Long> after = new LinkedHashMap<>(Map.of("pipeline", 400L, "gc", 60L, "sink_store", 20L));

        Map<String, Long> phase = GatewayThreads.minus(after, before);

        assertThat(phase.keySet()).containsExactlyElementsOf(GatewayThreads.ROLES);
        assertThat(phase).containsEntry("pipeline", 300L).containsEntry("gc", 10L)
                .containsEntry("sink_store", 0L).containsEntry("jit", 0L);
        assertThat(GatewayThreads.minus(null, before)).isNull();
        assertThat(GatewayThreads.share(phase, "pipeline")).isEqualTo(300.0 / 310.0);
        assertThat(GatewayThreads.share(GatewayThreads.minus(before, before), "jit")).as("nothing spent").isEqualTo(-1);
        assertThat(GatewayThreads.share(null, "jit")).isEqualTo(-1);
    }

    @Test
    void perUnitFiguresAndTheirProgressLine() {
        Map<String, Long> micros = new LinkedHashMap<>(Map.of("pipeline", 1_000L));
        micros.put("gc", 20L);
        micros.put("jit", 2L);

        Map<String, Double> perMessage = GatewayThreads.perUnit(micros, 100);

        assertThat(perMessage).containsEntry("pipeline", 10.0).containsEntry("gc", 0.2).containsEntry("jit", 0.02);
        assertThat(GatewayThreads.perUnit(micros, 0)).containsOnly(Map.entry("pipeline", -1.0),
                Map.entry("gc", -1.0), Map.entry("jit", -1.0));
        assertThat(GatewayThreads.describe(perMessage, 1)).isEqualTo("pipeline 10.0, gc 0.2");
        assertThat(GatewayThreads.describe(perMessage, 0)).isEqualTo("pipeline 10");
        assertThat(GatewayThreads.comm("limes-ras-ajdir-limes-a-rules-StreamThread-1")).isEqualTo("limes-ras-ajdir");
        assertThat(GatewayThreads.comm("java")).isEqualTo("java");
    }

    @Test
    void readsThisJvmsThreadsEveryRolePresent() {
        long pid = ProcessHandle.current().pid();
        long busy = System.nanoTime() + 200_000_000L;
        double sink = 0;
        while (System.nanoTime() < busy) {
            sink += Math.sqrt(sink + 1);
        }

        Map<String, Long> roles = GatewayThreads.cpuMicros(pid);

        assertThat(sink).isPositive();
        assertThat(roles.keySet()).containsExactlyElementsOf(GatewayThreads.ROLES);
        assertThat(roles.values().stream().mapToLong(Long::longValue).sum())
                .as("this JVM's threads spent CPU; none of it is lost between roles")
                .isLessThanOrEqualTo(ProcStat.processCpuMicros(pid)).isPositive();
        assertThat(GatewayThreads.cpuMicros(-1)).isNull();
    }
}
