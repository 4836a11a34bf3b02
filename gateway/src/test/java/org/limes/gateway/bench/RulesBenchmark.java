package org.limes.gateway.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.limes.drivers.Reading;
import org.limes.gateway.rules.Alert;
import org.limes.gateway.rules.DeadmanRuleConfig;
import org.limes.gateway.rules.DeviceTable;
import org.limes.gateway.rules.RateOfChangeRuleConfig;
import org.limes.gateway.rules.RuleConfig;
import org.limes.gateway.rules.RuleEngine;
import org.limes.gateway.rules.RuleContext;
import org.limes.gateway.rules.RuleMetrics;
import org.limes.gateway.rules.ThresholdRuleConfig;
import org.limes.gateway.rules.TimeIntegrityRuleConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The rules step of one pipeline shard, on one thread: 10,000 inventory devices, 100
 * rules. Run with {@code -prof gc} for allocations per reading.
 *
 * <ul>
 *   <li>{@code thresholdAndDeadman}: 50 threshold + 50 deadman rules over a pool of
 *       pre-built readings, one per device: the steady state must not allocate.</li>
 *   <li>{@code mixed}: 100 rules — 50 threshold (half with a hold time), 25 rate of change,
 *       23 deadman, 1 time integrity, plus one threshold on another kind — over fresh
 *       readings with advancing device time (a window needs time to move), so it includes
 *       building the reading; {@code buildReading} is that part alone, to subtract.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RulesBenchmark {

    static final int DEVICES = 10_000;
    private static final Instant T0 = Instant.parse("2026-11-26T06:00:00Z");

    private final List<Alert> out = new ArrayList<>();
    private final Map<String, String> tags = Map.of("lane", "1", "direction", "inbound");
    private RuleEngine steady;
    private RuleEngine mixed;
    private Reading[] pool;
    private String[] ids;
    private int next;
    private long round;

    @Setup
    public void setUp() {
        ids = new String[DEVICES];
        for (int i = 0; i < DEVICES; i++) {
            ids[i] = String.format("dev-%05d", i);
        }
        List<RuleConfig> steadyRules = new ArrayList<>();
        List<RuleConfig> mixedRules = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            ThresholdRuleConfig t = new ThresholdRuleConfig("t" + i, "vehicle_count", "count_total", 40.0 + i,
                    20.0, null, null, i % 2 == 0 ? "60s" : null, null, null);
            steadyRules.add(t);
            mixedRules.add(t);
            steadyRules.add(new DeadmanRuleConfig("d" + i, "class" + (i % 5), null));
        }
        for (int i = 0; i < 25; i++) {
            mixedRules.add(new RateOfChangeRuleConfig("r" + i, "vehicle_count", "count_total", "10m", null, null,
                    3.0 + i, null, 5.0, 16, null));
        }
        for (int i = 0; i < 23; i++) {
            mixedRules.add(new DeadmanRuleConfig("d" + i, "class" + (i % 5), null));
        }
        mixedRules.add(new TimeIntegrityRuleConfig("clock", "30s", null, "5m", null, null));
        mixedRules.add(new ThresholdRuleConfig("people", "people_count", "count", 100.0, 50.0, null));
        Clock clock = Clock.fixed(T0, ZoneOffset.UTC);
        RuleMetrics metrics = new RuleMetrics(new SimpleMeterRegistry());
        steady = new RuleEngine(table(), steadyRules, clock, RuleContext.of(metrics));
        mixed = new RuleEngine(table(), mixedRules, clock, RuleContext.of(metrics));
        pool = new Reading[DEVICES];
        for (int i = 0; i < DEVICES; i++) {
            pool[i] = reading(i, 0);
        }
    }

    private DeviceTable table() {
        DeviceTable t = new DeviceTable("test-gw", null, 0);
        for (int i = 0; i < DEVICES; i++) {
            Map<String, String> staticTags = new TreeMap<>();
            staticTags.put("device_class", "class" + (i % 5));
            t.addInventory(ids[i], "ras-ajdir", staticTags, 3_600_000);
        }
        return t;
    }

    private Reading reading(int device, long r) {
        Instant time = T0.plusSeconds(r * 60);
        return new Reading(ids[device], "ras-ajdir", "vehicle_count", tags,
                Map.of("count_total", (long) (device * 7 % 30 + r % 2), "speed_avg_mps", 6.5), time, time);
    }

    @Benchmark
    public int thresholdAndDeadman() {
        out.clear();
        Reading r = pool[next];
        next = next + 1 == DEVICES ? 0 : next + 1;
        steady.process(r, out);
        return out.size();
    }

    @Benchmark
    public int mixed() {
        out.clear();
        Reading r = reading(next, round);
        if (++next == DEVICES) {
            next = 0;
            round++;
        }
        mixed.process(r, out);
        return out.size();
    }

    @Benchmark
    public Reading buildReading() {
        Reading r = reading(next, round);
        if (++next == DEVICES) {
            next = 0;
            round++;
        }
        return r;
    }
}
