package org.limes.gateway.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AlertStateStoreTest {

    private static final Instant T0 = Instant.parse("2026-11-26T06:00:00Z");

    @TempDir
    Path dir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private static Alert open(String device) {
        return Alert.builder().alertId("surge/" + device + "/1").rule("surge").state(AlertState.RAISED)
                .severity("warning").site("ras-ajdir").device(device).subjectKind("device").subject(device)
                .kind("vehicle_count").field("count_total").value(50).threshold(40)
                .firstSeen(T0).lastSeen(T0).raisedAt(T0).at(T0).tags(Map.of("lane", "1")).build();
    }

    @Test
    void nothingSavedLoadsEmpty() throws Exception {
        assertThat(new AlertStateStore(dir, "gw", new RuleMetrics(registry)).load()).isEmpty();
    }

    @Test
    void savesEveryShardsLatestListAndLoadsThemBack() throws Exception {
        AlertStateStore store = new AlertStateStore(dir, "gw", new RuleMetrics(registry));
        store.save(0, List.of(open("a")));
        store.save(1, List.of(open("b"), open("c")));
        store.save(0, List.of());

        List<Alert> loaded = new AlertStateStore(dir, "gw", new RuleMetrics(registry)).load();

        assertThat(loaded).containsExactly(open("b"), open("c"));
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("open.json");
        }
    }

    @Test
    void armedTimesOfEveryShardSurviveARestart() {
        AlertStateStore store = new AlertStateStore(dir, "gw", new RuleMetrics(registry));
        assertThat(store.loadArmed()).isEmpty();
        store.saveArmed(0, Map.of("cnt-01", 1000L, "cnt-02", 1000L));
        store.saveArmed(1, Map.of("rad-01", 2000L));
        store.saveArmed(0, Map.of("cnt-02", 1000L));

        assertThat(new AlertStateStore(dir, "gw", new RuleMetrics(registry)).loadArmed())
                .isEqualTo(Map.of("cnt-02", 1000L, "rad-01", 2000L));
    }

    @Test
    void lastHeardTimesOfEveryShardSurviveARestart() {
        AlertStateStore store = new AlertStateStore(dir, "gw", new RuleMetrics(registry));
        assertThat(store.loadLastHeard()).isEmpty();
        store.saveLastHeard(0, Map.of("cnt-01", 1000L));
        store.saveLastHeard(1, Map.of("rad-01", 2000L));
        store.saveLastHeard(0, Map.of("cnt-01", 3000L));

        assertThat(new AlertStateStore(dir, "gw", new RuleMetrics(registry)).loadLastHeard())
                .isEqualTo(Map.of("cnt-01", 3000L, "rad-01", 2000L));
    }

    @Test
    void seededShardsAreWrittenWithTheNextSave() throws Exception {
        AlertStateStore store = new AlertStateStore(dir, "gw", new RuleMetrics(registry));
        store.seed(1, List.of(open("b")));
        store.save(0, List.of(open("a")));

        assertThat(new AlertStateStore(dir, "gw", new RuleMetrics(registry)).load())
                .containsExactly(open("a"), open("b"));
    }

    @Test
    void seededDeviceTimesOfOtherShardsSurviveTheFirstSaveAfterARestart() {
        AlertStateStore before = new AlertStateStore(dir, "gw", new RuleMetrics(registry));
        before.saveArmed(0, Map.of("cnt-01", 100L));
        before.saveArmed(1, Map.of("rad-01", 200L));
        before.saveLastHeard(0, Map.of("cnt-02", 1000L));
        before.saveLastHeard(1, Map.of("rad-02", 2000L));

        AlertStateStore after = new AlertStateStore(dir, "gw", new RuleMetrics(registry));
        after.seedTimes(0, Map.of("cnt-01", 100L), Map.of("cnt-02", 1000L));
        after.seedTimes(1, Map.of("rad-01", 200L), Map.of("rad-02", 2000L));
        after.saveArmed(0, Map.of());
        after.saveLastHeard(0, Map.of("cnt-02", 5000L));

        AlertStateStore reread = new AlertStateStore(dir, "gw", new RuleMetrics(registry));
        assertThat(reread.loadArmed()).isEqualTo(Map.of("rad-01", 200L));
        assertThat(reread.loadLastHeard()).isEqualTo(Map.of("cnt-02", 5000L, "rad-02", 2000L));
    }

    @Test
    void anUnreadableFileIsMovedAsideCountedAndTheGatewayStartsEmpty() throws Exception {
        Files.writeString(dir.resolve("open.json"), "[{\"alert_id\": tru");

        List<Alert> loaded = new AlertStateStore(dir, "gw", new RuleMetrics(registry)).load();

        assertThat(loaded).isEmpty();
        assertThat(registry.get("limes.errors").tag("error_type", "corrupt_alert_state").counter().count())
                .isEqualTo(1.0);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .singleElement().asString().startsWith("open.json.corrupt-");
        }
    }
}
