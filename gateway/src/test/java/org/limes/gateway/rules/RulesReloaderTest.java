package org.limes.gateway.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.drivers.Drivers;
import org.limes.drivers.Reading;
import org.limes.gateway.config.ConfigLoader;
import org.limes.gateway.pipeline.InventoryConfig;

/**
 * A rules file reloaded into a real rule engine, through the real loader: a changed rule takes
 * over, a bad file is rejected with its error and the old rules stay in force, the watcher
 * picks up an edit, and every outcome is counted.
 */
class RulesReloaderTest {

    private static final Instant T0 = Instant.parse("2026-11-26T06:00:00Z");
    private static final InventoryConfig INVENTORY = new InventoryConfig("accept", "ras-ajdir", List.of());

    @TempDir
    Path dir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final RuleMetrics metrics = new RuleMetrics(registry);
    private final ConfigLoader loader = new ConfigLoader(Drivers.load());
    private final TestClock clock = new TestClock(T0);
    private Path file;
    private RuleEngine engine;
    private RulesReloader reloader;

    @BeforeEach
    void start() throws Exception {
        file = dir.resolve("rules.yml");
        Files.writeString(file, surge(40));
        DeviceTable devices = new DeviceTable("test-gw", "ras-ajdir", 100);
        engine = new RuleEngine(devices, loader.loadRules(file, INVENTORY), clock, RuleContext.of(metrics));
        // The engine stands in for the pipeline's shards: it takes the rules on the caller's thread.
        reloader = new RulesReloader(file, f -> loader.loadRules(f, INVENTORY), (rules, timeout) -> {
            synchronized (engine) {
                engine.replace(rules, new ArrayList<>());
            }
            return true;
        }, metrics);
    }

    @AfterEach
    void stop() {
        reloader.close();
    }

    private static String surge(int raiseAbove) {
        return "- {type: threshold, id: surge, kind: vehicle_count, field: count_total, raise_above: " + raiseAbove
                + ", clear_below: 20}\n";
    }

    /** The alerts a vehicle count of {@code count} from {@code device} raises now. */
    private List<Alert> count(String device, double count) {
        Reading r = new Reading(device, "ras-ajdir", "vehicle_count", Map.of("lane", "1"),
                Map.of("count_total", count), clock.instant(), clock.instant());
        List<Alert> out = new ArrayList<>();
        synchronized (engine) {
            engine.process(r, out);
        }
        return out;
    }

    private double reloads(String outcome) {
        Counter c = registry.find("limes.rules.reloads").tag("outcome", outcome).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void aReloadThatChangesARulePutsItInForce() throws Exception {
        assertThat(count("cnt-01", 45)).as("45 is above the first raise level").hasSize(1);

        Files.writeString(file, surge(50));
        RulesReload r = reloader.reload();

        assertThat(r.applied()).isTrue();
        assertThat(r.message()).isEqualTo("rules in force: [surge]");
        assertThat(reloads("ok")).isEqualTo(1);
        assertThat(count("cnt-02", 45)).as("45 is below the new raise level").isEmpty();
        assertThat(count("cnt-02", 55)).extracting(Alert::rule).containsExactly("surge");
    }

    @Test
    void aBadRulesFileKeepsTheOldRulesAndSaysWhy() throws Exception {
        Files.writeString(file, "- {type: threshold, id: broken, kind: vehicle_count}\n");

        RulesReload r = reloader.reload();

        assertThat(r.applied()).isFalse();
        assertThat(r.message()).isEqualTo(file + ": [0].field is required and must not be blank");
        assertThat(reloads("rejected")).isEqualTo(1);
        assertThat(reloads("ok")).isZero();
        synchronized (engine) {
            assertThat(engine.ruleIds()).containsExactly("surge");
        }
        assertThat(count("cnt-01", 45)).as("the old rule still raises at 40").hasSize(1);
    }

    @Test
    void anEditedFileIsReloadedByTheWatcher() throws Exception {
        reloader.watch(50);

        Files.writeString(file, surge(40) + "- {type: threshold, id: slow, kind: vehicle_count, "
                + "field: count_total, raise_above: 90, clear_below: 10}\n");

        await().atMost(Duration.ofSeconds(10)).until(() -> reloads("ok") == 1);
        synchronized (engine) {
            assertThat(engine.ruleIds()).containsExactlyInAnyOrder("surge", "slow");
        }
    }

    @Test
    void rulesThatDoNotReachThePipelineInTimeAreReported() throws Exception {
        RulesReloader late = new RulesReloader(file, f -> loader.loadRules(f, INVENTORY), (rules, timeout) -> false,
                metrics);

        RulesReload r = late.reload();

        assertThat(r.applied()).isFalse();
        assertThat(r.message()).isEqualTo("the pipeline did not apply the rules within 10 s");
        assertThat(reloads("rejected")).isEqualTo(1);
    }

    @Test
    void withoutARulesFileAReloadSaysRulesChangeWithARestart() {
        RulesReloader none = new RulesReloader(null, f -> List.of(), (rules, timeout) -> true, metrics);
        none.watch(50);

        RulesReload r = none.reload();

        assertThat(r.applied()).isFalse();
        assertThat(r.message()).isEqualTo("no rules_file is configured; rules under rules: change with a restart");
        assertThat(reloads("ok") + reloads("rejected")).isZero();
        none.close();
    }
}
