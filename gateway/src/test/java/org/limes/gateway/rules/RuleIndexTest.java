package org.limes.gateway.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.limes.drivers.Reading;

/**
 * The engine visits only the rules that can act on a reading ({@link RuleIndex}); these
 * tests hold it to the same transitions, in the same order, as every rule evaluating every
 * reading in configuration order (each rule on its own, its own ring), over random readings.
 */
class RuleIndexTest {

    private static final Instant T0 = Instant.parse("2026-11-26T06:00:00Z");
    private static final String[] DEVICES = {"cnt-01", "cnt-02", "cnt-03", "cnt-04"};

    private final TestClock clock = new TestClock(T0);

    private static DeviceTable table() {
        DeviceTable t = new DeviceTable("test-gw", null, 0);
        for (String d : DEVICES) {
            t.addInventory(d, "ras-ajdir", Map.of("device_class", "counter"), 60_000);
        }
        return t;
    }

    private static List<RuleConfig> rules() {
        List<RuleConfig> rules = new ArrayList<>();
        rules.add(new ThresholdRuleConfig("hi", "vehicle_count", "count_total", 40.0, 25.0, null));
        rules.add(new RateOfChangeRuleConfig("triple", "vehicle_count", "count_total", "10m", null, null, 3.0, null,
                5.0, 8, null));
        rules.add(new ThresholdRuleConfig("hi-held", "vehicle_count", "count_total", 30.0, 20.0, null, null, "2m",
                "1m", null));
        rules.add(new ThresholdRuleConfig("lo", "vehicle_count", "count_total", null, null, 5.0, 10.0, null, null,
                null));
        rules.add(new RateOfChangeRuleConfig("jump", "vehicle_count", "count_total", "5m", 15.0, null, null, null,
                null, 8, null));
        rules.add(new RateOfChangeRuleConfig("drop", "vehicle_count", "count_total", "10m", null, 15.0, null, null,
                null, 8, null));
        rules.add(new ThresholdRuleConfig("fast", "vehicle_count", "speed_avg_mps", 20.0, 15.0, null));
        rules.add(new RateOfChangeRuleConfig("other-ring", "vehicle_count", "count_total", "10m", 10.0, null, null,
                null, null, 4, null));
        rules.add(new ThresholdRuleConfig("people", "people_count", "count", 10.0, 5.0, null));
        return rules;
    }

    private List<String> fed(long seed, boolean viaEngine) {
        Random random = new Random(seed);
        DeviceTable devices = table();
        clock.set(T0);
        RuleEngine engine = new RuleEngine(devices, rules(), clock,
                RuleContext.of(new RuleMetrics(new SimpleMeterRegistry())));
        List<Rule> alone = Rules.create(rules(), devices, RuleContext.of(new RuleMetrics(new SimpleMeterRegistry())));
        List<String> seen = new ArrayList<>();
        List<Alert> out = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            clock.advance(Duration.ofSeconds(1 + random.nextInt(20)));
            int d = random.nextInt(DEVICES.length);
            String kind = random.nextInt(10) == 0 ? "people_count" : "vehicle_count";
            Map<String, Object> fields = random.nextInt(6) == 0
                    ? Map.of("speed_avg_mps", 10.0 + random.nextInt(15))
                    : Map.of("count_total", (long) random.nextInt(50), "speed_avg_mps", 10.0 + random.nextInt(15),
                            "count", (long) random.nextInt(15));
            // Now and then a reading older than the newest (out of order for the rings).
            Instant deviceTime = clock.instant().minusSeconds(random.nextInt(8) == 0 ? 90 : 0);
            Reading r = new Reading(DEVICES[d], "ras-ajdir", kind, Map.of("lane", "1"), fields, deviceTime,
                    clock.instant());
            out.clear();
            if (viaEngine) {
                engine.process(r, out);
            } else {
                for (Rule rule : alone) {
                    rule.evaluate(r, d, clock.millis(), out);
                }
            }
            if (random.nextInt(5) == 0) {
                if (viaEngine) {
                    engine.tick(out);
                } else {
                    for (Rule rule : alone) {
                        rule.tick(clock.millis(), out);
                    }
                }
            }
            for (Alert a : out) {
                seen.add(i + " " + a.eventId() + " " + a.value() + " " + a.threshold() + " " + a.lastSeen());
            }
        }
        return seen;
    }

    @Test
    void theIndexRaisesAndClearsWhatEveryRuleOnEveryReadingWould() {
        for (long seed = 1; seed <= 20; seed++) {
            List<String> expected = fed(seed, false);
            assertThat(expected).as("seed %d exercises the rules", seed).hasSizeGreaterThan(20);
            assertThat(fed(seed, true)).as("seed %d", seed).isEqualTo(expected);
        }
    }

    /**
     * A reload keeps an unchanged rate-of-change rule's ring and history, while the changed
     * rule that shared it gets a ring of its own, empty, and takes over its open episodes —
     * as if each rule had always had its own ring.
     */
    @Test
    void aReloadGivesAChangedRuleItsOwnRingAndKeepsTheOthers() {
        RuleConfig kept = new RateOfChangeRuleConfig("kept", "vehicle_count", "count_total", "10m", 10.0, null, null,
                null, null, 8, null);
        RuleConfig before = new RateOfChangeRuleConfig("changed", "vehicle_count", "count_total", "10m", 12.0, null,
                null, null, null, 8, null);
        RuleConfig after = new RateOfChangeRuleConfig("changed", "vehicle_count", "count_total", "10m", 8.0, null,
                null, null, null, 8, null);
        for (long seed = 1; seed <= 10; seed++) {
            DeviceTable devices = table();
            DeviceTable aloneDevices = table();
            clock.set(T0);
            RuleContext context = RuleContext.of(new RuleMetrics(new SimpleMeterRegistry()));
            RuleEngine engine = new RuleEngine(devices, List.of(kept, before), clock, context);
            List<Rule> alone = new ArrayList<>(Rules.create(List.of(kept, before), aloneDevices, context));
            Map<String, Alert> aloneOpen = new LinkedHashMap<>();
            Random random = new Random(seed);
            List<String> viaEngine = new ArrayList<>();
            List<String> viaAlone = new ArrayList<>();
            List<Alert> out = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                if (i == 500) {
                    out.clear();
                    engine.replace(List.of(kept, after), out);
                    assertThat(out).isEmpty();
                    Rule fresh = Rules.create(after, aloneDevices, context);
                    for (Alert a : aloneOpen.values()) {
                        if (a.rule().equals("changed")) {
                            assertThat(fresh.restore(a)).isTrue();
                        }
                    }
                    alone.set(1, fresh);
                }
                clock.advance(Duration.ofSeconds(5 + random.nextInt(40)));
                int d = random.nextInt(DEVICES.length);
                Reading r = new Reading(DEVICES[d], "ras-ajdir", "vehicle_count", Map.of(),
                        Map.of("count_total", (long) random.nextInt(30)), clock.instant(), clock.instant());
                out.clear();
                engine.process(r, out);
                for (Alert a : out) {
                    viaEngine.add(i + " " + a.eventId() + " " + a.value() + " " + a.threshold());
                }
                out.clear();
                for (Rule rule : alone) {
                    rule.evaluate(r, d, clock.millis(), out);
                }
                for (Alert a : out) {
                    viaAlone.add(i + " " + a.eventId() + " " + a.value() + " " + a.threshold());
                    if (a.state() == AlertState.RAISED) {
                        aloneOpen.put(a.alertId(), a);
                    } else {
                        aloneOpen.remove(a.alertId());
                    }
                }
            }
            assertThat(viaAlone).as("seed %d exercises the rules", seed).hasSizeGreaterThan(20);
            assertThat(viaEngine).as("seed %d", seed).isEqualTo(viaAlone);
        }
    }
}
