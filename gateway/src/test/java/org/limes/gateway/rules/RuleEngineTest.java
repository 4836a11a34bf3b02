package org.limes.gateway.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.limes.drivers.Reading;

/**
 * The engine with every rule kind, driven by a test clock: deadman from start-up, time
 * integrity (quarantine, clock jumps), rate of change, reload and restore.
 */
class RuleEngineTest {

    private static final Instant T0 = Instant.parse("2026-11-26T06:00:00Z");

    private final TestClock clock = new TestClock(T0);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final RuleMetrics metrics = new RuleMetrics(registry);

    private DeviceTable table() {
        DeviceTable t = new DeviceTable("test-gw", null, 0);
        t.addInventory("cnt-01", "ras-ajdir", Map.of("device_class", "counter", "lane", "1"), 60_000);
        t.addInventory("cnt-02", "ras-ajdir", Map.of("device_class", "counter"), 120_000);
        t.addInventory("rad-01", "ras-ajdir", Map.of("device_class", "radar"), 10_000);
        return t;
    }

    private RuleEngine engine(RuleConfig... rules) {
        return new RuleEngine(table(), List.of(rules), clock, RuleContext.of(metrics));
    }

    /** A reading received now whose device clock is {@code offsetSeconds} off. */
    private Reading reading(String device, double value, double offsetSeconds) {
        Instant received = clock.instant();
        return new Reading(device, "ras-ajdir", "vehicle_count", Map.of("lane", "1"), Map.of("count_total", value),
                received.plusMillis((long) (offsetSeconds * 1000)), received);
    }

    private List<String> transitions(List<Alert> out) {
        List<String> s = new ArrayList<>();
        for (Alert a : out) {
            s.add((a.state() == AlertState.RAISED ? "R " : "C ") + a.subject() + "@"
                    + Duration.between(T0, a.at()).toSeconds());
        }
        return s;
    }

    // ---- deadman

    /**
     * Events: {@code t:device} a reading of the device at second t, {@code t:tick} a tick.
     * cnt-01 expects one every 60 s, cnt-02 every 120 s, rad-01 every 10 s.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "silent since start-up raises after its interval | counter | 60:tick;61:tick                 | R cnt-01@61",
        "each device has its own interval                | counter | 61:tick;121:tick                | R cnt-01@61;R cnt-02@121",
        "a reading in time keeps it quiet                | counter | 50:cnt-01;100:tick;111:tick;121:tick | R cnt-02@121;R cnt-01@111",
        "raised once, cleared by the next reading        | counter | 61:tick;62:tick;70:cnt-01;71:tick | R cnt-01@61;C cnt-01@70",
        "silent again after clearing raises again        | counter | 61:tick;70:cnt-01;130:tick;131:tick | R cnt-01@61;C cnt-01@70;R cnt-02@130;R cnt-01@131",
        "class filter: radar only                        | radar   | 11:tick;200:tick                | R rad-01@11",
    })
    void deadman(String name, String cls, String events, String expected) {
        RuleEngine e = engine(new DeadmanRuleConfig("silent", cls, "critical"));
        List<Alert> out = new ArrayList<>();
        for (String ev : events.split(";")) {
            String[] p = ev.split(":");
            clock.set(T0.plusSeconds(Long.parseLong(p[0])));
            if ("tick".equals(p[1])) {
                e.tick(out);
            } else {
                e.process(reading(p[1], 1, 0), out);
            }
        }
        assertThat(transitions(out)).as(name).containsExactlyInAnyOrderElementsOf(Arrays.asList(expected.split(";")));
    }

    @Test
    void deadmanAlertSaysHowLongTheDeviceWasSilent() {
        RuleEngine e = engine(new DeadmanRuleConfig("silent", "counter", null));
        List<Alert> out = new ArrayList<>();
        clock.set(T0.plusSeconds(90));
        e.tick(out);

        assertThat(out).singleElement().satisfies(a -> {
            assertThat(a.alertId()).isEqualTo("test-gw/silent/cnt-01/" + T0.plusSeconds(60).toEpochMilli());
            assertThat(a.value()).isEqualTo(90.0);
            assertThat(a.threshold()).isEqualTo(60.0);
            assertThat(a.firstSeen()).isEqualTo(T0.plusSeconds(60));
            assertThat(a.field()).isEqualTo("silence_s");
            assertThat(a.tags()).containsEntry("lane", "1");
        });
    }

    @Test
    void aRestartNeitherRaisesAnOpenDeadmanAlertAgainNorForgetsIt() {
        DeadmanRuleConfig rule = new DeadmanRuleConfig("silent", "counter", null);
        List<Alert> out = new ArrayList<>();
        engine(rule).tick(out);
        clock.set(T0.plusSeconds(61));
        RuleEngine before = engine(rule);
        clock.set(T0.plusSeconds(200));
        before.tick(out);
        assertThat(out).hasSize(2);
        List<Alert> persisted = before.openAlerts();

        clock.set(T0.plusSeconds(1000));
        RuleEngine after = engine(rule);
        List<Alert> restart = new ArrayList<>();
        after.restore(persisted, restart);
        clock.set(T0.plusSeconds(2000));
        after.tick(restart);
        assertThat(restart).as("no second raise after the restart").isEmpty();

        after.process(reading("cnt-01", 1, 0), restart);
        assertThat(restart).singleElement().satisfies(c -> {
            assertThat(c.state()).isEqualTo(AlertState.CLEARED);
            Alert original = persisted.stream().filter(a -> a.subject().equals("cnt-01")).findFirst().orElseThrow();
            assertThat(c.alertId()).isEqualTo(original.alertId());
        });
        assertThat(after.openCount()).isEqualTo(1);
    }

    @Test
    void aDeadmanIdForADeviceNeverHeardIsTheSameAfterARestartThatLostTheRaise() {
        DeadmanRuleConfig rule = new DeadmanRuleConfig("silent", "counter", null);
        RuleEngine first = engine(rule);
        first.arm(Map.of());
        Map<String, Long> armed = first.armed();
        assertThat(armed).containsEntry("cnt-01", T0.toEpochMilli());
        clock.set(T0.plusSeconds(61));
        List<Alert> out = new ArrayList<>();
        first.tick(out);
        Alert raised = out.stream().filter(a -> a.subject().equals("cnt-01")).findFirst().orElseThrow();

        // A crash after the raise was sent and before the open episodes were saved: the new
        // run restores nothing, only the armed times saved at the first start.
        clock.set(T0.plusSeconds(300));
        RuleEngine second = engine(rule);
        second.arm(armed);
        List<Alert> again = new ArrayList<>();
        second.tick(again);

        assertThat(again).filteredOn(a -> a.subject().equals("cnt-01")).singleElement()
                .satisfies(a -> assertThat(a.eventId()).isEqualTo(raised.eventId()));
        second.process(reading("cnt-01", 1, 0), again);
        assertThat(second.armed()).doesNotContainKey("cnt-01").containsKey("cnt-02");
        assertThat(second.takeChanges().any()).isTrue();
    }

    /** A restart as the pipeline does it: armed and last-heard times first, then the open episodes. */
    private RuleEngine restart(RuleConfig rule, RuleEngine before, List<Alert> out) {
        RuleEngine after = engine(rule);
        after.arm(before.armed());
        after.restoreLastHeard(before.lastHeard());
        after.restore(before.openAlerts(), out);
        return after;
    }

    @Test
    void afterARestartADeadmanClearCountsTheSilenceFromTheLastReportBeforeIt() {
        DeadmanRuleConfig rule = new DeadmanRuleConfig("silent", "counter", null);
        RuleEngine before = engine(rule);
        List<Alert> out = new ArrayList<>();
        clock.set(T0.plusSeconds(10));
        before.process(reading("cnt-01", 1, 0), out);
        clock.set(T0.plusSeconds(100));
        before.tick(out);
        Alert raised = out.stream().filter(a -> a.subject().equals("cnt-01")).findFirst().orElseThrow();
        assertThat(raised.value()).isEqualTo(90.0);

        clock.set(T0.plusSeconds(1000));
        List<Alert> again = new ArrayList<>();
        RuleEngine after = restart(rule, before, again);
        clock.set(T0.plusSeconds(1100));
        after.tick(again);
        after.process(reading("cnt-01", 1, 0), again);

        assertThat(again).filteredOn(a -> a.subject().equals("cnt-01")).singleElement().satisfies(c -> {
            assertThat(c.state()).isEqualTo(AlertState.CLEARED);
            assertThat(c.alertId()).isEqualTo(raised.alertId());
            assertThat(c.value()).as("seconds since the report at 10 s, not since the restart at 1000 s")
                    .isEqualTo(1090.0);
        });
    }

    @Test
    void aDeviceSilentAcrossARestartRaisesFromItsLastReportPlusTheGraceForAStaleSave() {
        DeadmanRuleConfig rule = new DeadmanRuleConfig("silent", "counter", null);
        RuleEngine before = engine(rule);
        List<Alert> out = new ArrayList<>();
        clock.set(T0.plusSeconds(10));
        before.process(reading("cnt-01", 1, 0), out);
        before.process(reading("cnt-02", 1, 0), out);

        // Restarted 90 s later: cnt-01 (60 s) was last heard at 10 s; the saved time may lag
        // the true last report by up to the grace, so it raises at 10 + 60 + grace s.
        clock.set(T0.plusSeconds(100));
        RuleEngine after = restart(rule, before, out);
        long graceS = RuleEngine.LAST_HEARD_GRACE_MS / 1000;
        List<Alert> raised = new ArrayList<>();
        clock.set(T0.plusSeconds(70 + graceS));
        after.tick(raised);
        assertThat(raised).as("not before the grace").isEmpty();
        clock.set(T0.plusSeconds(71 + graceS));
        after.tick(raised);

        assertThat(raised).singleElement().satisfies(a -> {
            assertThat(a.subject()).isEqualTo("cnt-01");
            assertThat(a.value()).isEqualTo(61.0 + graceS);
            assertThat(a.alertId()).isEqualTo("test-gw/silent/cnt-01/" + T0.plusSeconds(70 + graceS).toEpochMilli());
        });
        assertThat(71 + graceS).as("earlier than the restart plus the interval").isLessThan(160);
    }

    @Test
    void lastHeardTimesAreSavedWithTheStateAtMostEverySavePeriodNotOnEveryReading() {
        RuleEngine e = engine(new DeadmanRuleConfig("silent", "counter", null));
        List<Alert> out = new ArrayList<>();
        e.process(reading("cnt-01", 1, 0), out);
        assertThat(e.takeChanges().any()).as("first heard: not on the reading").isFalse();
        e.tick(out);
        assertThat(e.takeChanges()).as("first heard: armed and heard times written at the next tick")
                .isEqualTo(new StateChanges(false, true, true));
        clock.set(T0.plusSeconds(1));
        e.process(reading("cnt-01", 1, 0), out);
        e.tick(out);
        assertThat(e.takeChanges().any()).as("heard again within the period").isFalse();
        clock.set(T0.plusMillis(RuleEngine.LAST_HEARD_SAVE_MS));
        e.tick(out);
        assertThat(e.takeChanges()).as("the period is over: the heard times only")
                .isEqualTo(new StateChanges(false, false, true));
        assertThat(e.lastHeard()).containsEntry("cnt-01", T0.plusSeconds(1).toEpochMilli());
        e.tick(out);
        assertThat(e.takeChanges().any()).as("nothing heard since").isFalse();
    }

    /**
     * An alert transition rewrites the open episodes only: the armed and last-heard times of
     * every device beside them (10,000 devices: two maps built and two files fsynced) are
     * written when they change or are due, not on every raise and clear (under a flood that was
     * half of the gateway's samples).
     */
    @Test
    void anAlertTransitionSavesTheOpenEpisodesOnlyNotEveryDevicesTimes() {
        RuleEngine e = engine(new ThresholdRuleConfig("surge", "vehicle_count", "count_total", 40.0, 20.0, null));
        List<Alert> out = new ArrayList<>();
        e.process(reading("cnt-01", 1, 0), out);
        e.tick(out);
        e.takeChanges();
        clock.set(T0.plusSeconds(1));
        e.process(reading("cnt-01", 50, 0), out);
        assertThat(out).extracting(Alert::state).containsExactly(AlertState.RAISED);
        assertThat(e.takeChanges()).as("a raise").isEqualTo(new StateChanges(true, false, false));
        e.process(reading("cnt-01", 10, 0), out);
        e.tick(out);
        assertThat(out).extracting(Alert::state).containsExactly(AlertState.RAISED, AlertState.CLEARED);
        assertThat(e.takeChanges()).as("a clear").isEqualTo(new StateChanges(true, false, false));
        assertThat(e.takeChanges()).isEqualTo(StateChanges.NONE);
    }

    /**
     * A fleet's first round: every inventory device heard for the first time leaves its armed
     * set. That used to ask for a save of the whole shard's state (three maps of every device,
     * three fsynced files) on every such reading — devices² work, and the snapshots piled up
     * until the next commit (10,000 devices stalled the gateway with 5.9 GB RSS). It is saved
     * once, at the next tick.
     */
    @Test
    void aFleetHeardForTheFirstTimeIsSavedOnceAtTheNextTickNotOncePerDevice() {
        DeviceTable t = new DeviceTable("test-gw", null, 0);
        for (int i = 0; i < 1000; i++) {
            t.addInventory(String.format("cnt-%04d", i), "ras-ajdir", Map.of("device_class", "counter"), 60_000);
        }
        RuleEngine e = new RuleEngine(t, List.of(new DeadmanRuleConfig("silent", "counter", null)), clock,
                RuleContext.of(metrics));
        e.tick(new ArrayList<>());
        e.takeChanges().any();
        List<Alert> out = new ArrayList<>();
        int saves = 0;
        for (int i = 0; i < 1000; i++) {
            e.process(new Reading(String.format("cnt-%04d", i), "ras-ajdir", "vehicle_count", Map.of(),
                    Map.of("count_total", 1.0), clock.instant(), clock.instant()), out);
            if (e.takeChanges().any()) {
                saves++;
            }
        }
        assertThat(saves).as("saves asked for by 1,000 first readings").isZero();
        e.tick(out);
        assertThat(e.takeChanges().any()).as("the next tick saves them").isTrue();
        assertThat(e.armed()).isEmpty();
        assertThat(e.lastHeard()).hasSize(1000);
        assertThat(out).isEmpty();
    }

    // ---- time integrity

    @Test
    void aReadingWithinTheSkewIsStoredAsIsAndItsOffsetIsMetered() {
        RuleEngine e = engine(new TimeIntegrityRuleConfig("clock", "30s", null, null, null, null));
        List<Alert> out = new ArrayList<>();
        Reading r = reading("cnt-01", 5, 12.5);

        assertThat(e.process(r, out)).isSameAs(r);
        assertThat(out).isEmpty();
        assertThat(registry.get("limes.clock.skew").tag("device", "cnt-01").gauge().value()).isEqualTo(12.5);
        assertThat(registry.find("limes.quarantined").counter()).isNull();
    }

    @Test
    void aReadingTooFarAheadIsStoredWithGatewayTimeAndATag() {
        RuleEngine e = engine(new TimeIntegrityRuleConfig("clock", "30s", null, null, "store", null));
        List<Alert> out = new ArrayList<>();
        Reading r = reading("cnt-01", 5, 31);

        Reading stored = e.process(r, out);

        assertThat(stored.deviceTime()).isEqualTo(r.receivedAt());
        assertThat(stored.tags()).containsEntry("quarantine", "clock_skew").containsEntry("lane", "1");
        assertThat(stored.fields()).containsEntry("device_time_ms", r.deviceTime().toEpochMilli())
                .containsEntry("count_total", 5.0);
        assertThat(registry.get("limes.quarantined").tag("policy", "store").counter().count()).isEqualTo(1.0);
        assertThat(registry.get("limes.clock.skew").tag("device", "cnt-01").gauge().value()).isEqualTo(31.0);
    }

    @Test
    void dropPolicyDropsTheReadingButTheDeviceStillCountsAsAlive() {
        RuleEngine e = engine(new TimeIntegrityRuleConfig("clock", "30s", null, null, "drop", null),
                new DeadmanRuleConfig("silent", "counter", null),
                new ThresholdRuleConfig("low", "vehicle_count", "count_total", 1.0, 0.0, null));
        List<Alert> out = new ArrayList<>();
        clock.set(T0.plusSeconds(61));
        e.tick(out);
        assertThat(transitions(out)).containsExactly("R cnt-01@61");

        assertThat(e.process(reading("cnt-01", 99, -90_000), out)).isNull();

        assertThat(out).as("the clock alert is raised (skewed from its first reading), the deadman clears; the "
                + "threshold does not see the dropped reading").extracting(Alert::rule, Alert::state).containsExactly(
                        Tuple.tuple("silent", AlertState.RAISED), Tuple.tuple("clock", AlertState.RAISED),
                        Tuple.tuple("silent", AlertState.CLEARED));
        assertThat(registry.get("limes.quarantined").tag("policy", "drop").counter().count()).isEqualTo(1.0);
        assertThat(registry.get("limes.dropped").tag("reason", "clock_skew").counter().count()).isEqualTo(1.0);
    }

    /** Offsets (seconds) of successive readings of one device, and the transitions expected. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "steady clock                              | 0;1;-2;0.5             | | 0",
        "lagging within max_lag is kept            | 0;-20;-200;-3600       | | 0",
        "beyond max_lag is quarantined             | 0;-20;-200;-90000      | | 1",
        "a jump ahead out of sync raises           | 0;360;361;362          | R@1 | 3",
        "back in sync clears it                    | 0;360;0.2;0.1          | R@1;C@2 | 1",
        "a jump back (behind) raises too           | 1;-400;-400;0          | R@1;C@3 | 0",
        "a small step out of sync is not a jump    | 0;40;80;400            | | 3",
        "skewed from its first reading raises      | 900;901;0.5            | R@0;C@2 | 2",
        "lagging within max_lag at first is kept   | -600;-600              | | 0",
    })
    void clockJumps(String name, String offsets, String expected, int quarantined) {
        RuleEngine e = engine(new TimeIntegrityRuleConfig("clock", "30s", "1d", "5m", null, "critical"));
        List<String> got = new ArrayList<>();
        String[] o = offsets.split(";");
        for (int i = 0; i < o.length; i++) {
            clock.set(T0.plusSeconds(i));
            List<Alert> out = new ArrayList<>();
            e.process(reading("cnt-01", 1, Double.parseDouble(o[i])), out);
            for (Alert a : out) {
                got.add((a.state() == AlertState.RAISED ? "R@" : "C@") + i);
            }
        }
        assertThat(got).as(name).isEqualTo(expected == null ? List.of() : Arrays.asList(expected.split(";")));
        assertThat(registry.find("limes.quarantined").counters().stream().mapToDouble(c -> c.count()).sum())
                .as(name).isEqualTo(quarantined);
    }

    @Test
    void aClockJumpAlertNamesTheNewOffsetAndTheJumpLimit() {
        RuleEngine e = engine(new TimeIntegrityRuleConfig("clock", "30s", null, "5m", null, "critical"));
        List<Alert> out = new ArrayList<>();
        e.process(reading("rad-01", 1, 0.4), out);
        clock.advance(Duration.ofSeconds(10));
        e.process(reading("rad-01", 1, 360.4), out);

        assertThat(out).singleElement().satisfies(a -> {
            assertThat(a.rule()).isEqualTo("clock");
            assertThat(a.severity()).isEqualTo("critical");
            assertThat(a.field()).isEqualTo("clock_offset_s");
            assertThat(a.value()).isEqualTo(360.4);
            assertThat(a.threshold()).isEqualTo(300.0);
            assertThat(a.at()).isEqualTo(T0.plusSeconds(10));
        });
    }

    // ---- rate of change

    /** Events {@code second=value} in device time; transitions {@code R@second} / {@code C@second}. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "flow triples within the window       | rise_factor | 0=12;300=14;480=11;540=40            | R@540",
        "triples, but over more than a window | rise_factor | 0=10;300=15;660=20;1200=45           | ",
        "stays raised while the surge lasts   | rise_factor | 0=10;60=31;120=29;180=31             | R@60",
        "clears a whole window after          | rise_factor | 0=10;60=31;400=31;999=31;1000=30     | R@60;C@1000",
        "a zero base is not an infinite rise  | rise_factor | 0=0;60=0.5;120=0.9                   | ",
        "the base is the lowest in the window | rise_by     | 0=100;60=90;120=115                  | R@120",
        "falls by the limit                   | fall_by     | 0=100;60=95;120=74                   | R@120",
        "falls to a third                     | fall_factor | 0=30;60=31;120=10;180=9              | R@120",
        "an out-of-order reading is ignored   | rise_by     | 0=100;60=101;30=200;90=102           | ",
    })
    void rateOfChange(String name, String limit, String events, String expected) {
        RateOfChangeRuleConfig config = new RateOfChangeRuleConfig("flow", "vehicle_count", "count_total", "10m",
                "rise_by".equals(limit) ? 25.0 : null, "fall_by".equals(limit) ? 25.0 : null,
                "rise_factor".equals(limit) ? 3.0 : null, "fall_factor".equals(limit) ? 3.0 : null, null, null,
                null);
        RuleEngine e = engine(config);
        List<String> got = new ArrayList<>();
        for (String ev : events.split(";")) {
            String[] p = ev.split("=");
            Instant t = T0.plusSeconds(Long.parseLong(p[0]));
            clock.set(t);
            List<Alert> out = new ArrayList<>();
            e.process(new Reading("cnt-01", "ras-ajdir", "vehicle_count", Map.of(),
                    Map.of("count_total", Double.parseDouble(p[1])), t, t), out);
            for (Alert a : out) {
                got.add((a.state() == AlertState.RAISED ? "R@" : "C@") + p[0]);
            }
        }
        assertThat(got).as(name).isEqualTo(expected == null ? List.of() : Arrays.asList(expected.split(";")));
    }

    @Test
    void rateOfChangeKeepsAtMostMaxSamplesPerDevice() {
        RuleEngine e = engine(new RateOfChangeRuleConfig("flow", "vehicle_count", "count_total", "10m", 25.0, null,
                null, null, null, 2, null));
        List<Alert> out = new ArrayList<>();
        long[] seconds = {0, 10, 20, 30};
        double[] values = {10, 30, 30, 34};
        for (int i = 0; i < seconds.length; i++) {
            Instant t = T0.plusSeconds(seconds[i]);
            e.process(new Reading("cnt-01", "s", "vehicle_count", Map.of(), Map.of("count_total", values[i]), t, t),
                    out);
        }
        assertThat(out).as("the 10 at second 0 was forgotten: 34 - 30 < 25").isEmpty();
    }

    // ---- reload and restore

    @Test
    void reloadKeepsStateOfUnchangedRulesHandsOverChangedOnesAndClearsRemovedOnes() {
        ThresholdRuleConfig held = new ThresholdRuleConfig("held", "vehicle_count", "count_total", 40.0, 20.0, null,
                null, "60s", null, null);
        ThresholdRuleConfig surge = new ThresholdRuleConfig("surge", "vehicle_count", "count_total", 40.0, 20.0,
                null);
        ThresholdRuleConfig gone = new ThresholdRuleConfig("gone", "vehicle_count", "count_total", 40.0, 20.0, null);
        RuleEngine e = engine(held, surge, gone);
        List<Alert> out = new ArrayList<>();
        e.process(reading("cnt-01", 50, 0), out);
        assertThat(out).extracting(Alert::rule).containsExactly("surge", "gone");
        String surgeId = out.get(0).alertId();
        out.clear();

        clock.set(T0.plusSeconds(30));
        ThresholdRuleConfig surgeChanged = new ThresholdRuleConfig("surge", "vehicle_count", "count_total", 45.0,
                10.0, "critical");
        e.replace(List.of(held, surgeChanged), out);

        assertThat(out).singleElement().satisfies(c -> {
            assertThat(c.rule()).isEqualTo("gone");
            assertThat(c.state()).isEqualTo(AlertState.CLEARED);
            assertThat(c.reason()).isEqualTo("rule_removed");
        });
        out.clear();

        clock.set(T0.plusSeconds(60));
        e.tick(out);
        assertThat(out).as("the unchanged held rule kept its pending hold across the reload")
                .extracting(Alert::rule, Alert::state).containsExactly(Tuple.tuple("held", AlertState.RAISED));
        out.clear();

        e.process(reading("cnt-01", 15, 0), out);
        assertThat(out).as("15 is below the old clear level but not below the new one").isEmpty();
        e.process(reading("cnt-01", 5, 0), out);
        assertThat(out).as("the changed rule took over the open episode and clears it at its new level")
                .extracting(Alert::rule, Alert::alertId).containsExactly(Tuple.tuple("surge", surgeId));
        assertThat(e.ruleIds()).containsExactly("held", "surge");
    }

    @Test
    void restoreClearsEpisodesOfRulesOrSubjectsThatAreGone() {
        RuleEngine e = engine(new ThresholdRuleConfig("surge", "vehicle_count", "count_total", 40.0, 20.0, null));
        Alert ofGoneRule = surge("old/cnt-01/1", "old", "cnt-01");
        Alert ofGoneDevice = surge("surge/cnt-99/1", "surge", "cnt-99");
        Alert kept = surge("surge/cnt-01/1", "surge", "cnt-01");
        List<Alert> out = new ArrayList<>();

        e.restore(List.of(ofGoneRule, ofGoneDevice, kept), out);

        assertThat(out).extracting(Alert::alertId, Alert::state, Alert::reason).containsExactly(
                Tuple.tuple("old/cnt-01/1", AlertState.CLEARED, "rule_removed"),
                Tuple.tuple("surge/cnt-99/1", AlertState.CLEARED, "subject_removed"));
        assertThat(e.openAlerts()).containsExactly(kept);
        assertThat(e.takeChanges().any()).isTrue();
        assertThat(e.takeChanges().any()).isFalse();
    }

    /** A raised vehicle-count episode of {@code rule} about {@code device}, as a restart would load it. */
    private static Alert surge(String alertId, String rule, String device) {
        return Alert.builder().alertId(alertId).rule(rule).state(AlertState.RAISED).severity("info")
                .site("ras-ajdir").device(device).subjectKind("device").subject(device).kind("vehicle_count")
                .field("count_total").value(50).threshold(40).firstSeen(T0).lastSeen(T0).raisedAt(T0).at(T0).build();
    }

    @Test
    void unknownDevicesBeyondTheLimitAreStoredButNotEvaluatedAndCounted() {
        DeviceTable t = new DeviceTable("test-gw", "ras-ajdir", 1);
        RuleEngine e = new RuleEngine(t, List.of(new ThresholdRuleConfig("surge", "vehicle_count", "count_total",
                40.0, 20.0, null)), clock, RuleContext.of(metrics));
        List<Alert> out = new ArrayList<>();

        e.process(reading("new-1", 50, 0), out);
        Reading second = reading("new-2", 50, 0);
        assertThat(e.process(second, out)).isSameAs(second);

        assertThat(out).extracting(Alert::subject).containsExactly("new-1");
        assertThat(registry.get("limes.rules.unevaluated").counter().count()).isEqualTo(1.0);
        assertThat(t.refused()).isEqualTo(1);
    }

    // ---- identity across crossings and restarts

    @Test
    void alertAndEventIdsNameTheCrossingAndComeFromTheDeviceTime() {
        ThresholdRuleConfig surge = new ThresholdRuleConfig("surge", "vehicle_count", "count_total", 40.0, 20.0,
                null);
        List<String> ids = new ArrayList<>();
        for (String gateway : List.of("ras-ajdir-gw", "wazin-gw", "ras-ajdir-gw")) {
            DeviceTable t = new DeviceTable(gateway, null, 0);
            t.addInventory("cnt-03", "site", Map.of("device_class", "counter"), 60_000);
            RuleEngine e = new RuleEngine(t, List.of(surge), clock, RuleContext.of(metrics));
            clock.set(T0.plusSeconds(ids.size() * 100L));
            List<Alert> out = new ArrayList<>();
            Instant deviceTime = T0.plusMillis(123);
            e.process(new Reading("cnt-03", "site", "vehicle_count", Map.of(), Map.of("count_total", 50.0),
                    deviceTime, clock.instant()), out);
            assertThat(out).singleElement().satisfies(a -> {
                assertThat(a.alertId()).isEqualTo(gateway + "/surge/cnt-03/" + deviceTime.toEpochMilli());
                assertThat(a.eventId()).isEqualTo(a.alertId() + ":raised");
            });
            ids.add(out.get(0).eventId());
        }
        assertThat(ids.get(0)).as("two crossings, one device id").isNotEqualTo(ids.get(1));
        assertThat(ids.get(2)).as("the same data at the same crossing, later").isEqualTo(ids.get(0));
    }

    @Test
    void anOpenEpisodeOfAnAcceptedUnknownDeviceSurvivesARestart() throws Exception {
        ThresholdRuleConfig surge = new ThresholdRuleConfig("surge", "vehicle_count", "count_total", 40.0, 20.0,
                null);
        RuleEngine before = new RuleEngine(new DeviceTable("test-gw", "ras-ajdir", 16), List.of(surge), clock,
                RuleContext.of(metrics));
        List<Alert> out = new ArrayList<>();
        before.process(reading("u9-01", 50, 0), out);
        assertThat(out).singleElement().extracting(Alert::state).isEqualTo(AlertState.RAISED);
        List<Alert> persisted = AlertJson.decodeAll(AlertJson.encodeAll(before.openAlerts(), "test-gw"));

        clock.set(T0.plusSeconds(60));
        RuleEngine after = new RuleEngine(new DeviceTable("test-gw", "ras-ajdir", 16), List.of(surge), clock,
                RuleContext.of(metrics));
        List<Alert> restart = new ArrayList<>();
        after.restore(persisted, restart);
        after.process(reading("u9-01", 45, 0), restart);
        assertThat(restart).as("no false clear, no second raise while the condition holds").isEmpty();
        assertThat(after.openAlerts()).extracting(Alert::alertId).containsExactly(out.get(0).alertId());

        after.process(reading("u9-01", 10, 0), restart);
        assertThat(restart).singleElement().satisfies(c -> {
            assertThat(c.state()).isEqualTo(AlertState.CLEARED);
            assertThat(c.reason()).isNull();
            assertThat(c.alertId()).isEqualTo(out.get(0).alertId());
        });
    }

    @Test
    void aClearTheGatewayDecidesAndTheClearByTheConditionHaveDifferentEventIds() {
        ThresholdRuleConfig surge = new ThresholdRuleConfig("surge", "vehicle_count", "count_total", 40.0, 20.0,
                null);
        RuleEngine e = engine(surge);
        List<Alert> out = new ArrayList<>();
        e.process(reading("cnt-01", 50, 0), out);
        List<Alert> persisted = e.openAlerts();
        e.process(reading("cnt-01", 10, 0), out);
        Alert byCondition = out.get(1);

        // After a crash that lost the state write of that clear, a restart whose rules lost the
        // subject clears the same episode itself: a second, different transition.
        RuleEngine restarted = new RuleEngine(new DeviceTable("test-gw", null, 0), List.of(surge), clock,
                RuleContext.of(metrics));
        List<Alert> restart = new ArrayList<>();
        restarted.restore(persisted, restart);
        Alert byGateway = restart.get(0);

        assertThat(byGateway.alertId()).isEqualTo(byCondition.alertId());
        assertThat(byGateway.reason()).isEqualTo("subject_removed");
        assertThat(byGateway.eventId()).isEqualTo(byCondition.alertId() + ":cleared:subject_removed")
                .isNotEqualTo(byCondition.eventId());
    }

    @Test
    void aQuarantinedReadingDrivesNoRuleButTheClockAlert() {
        RuleEngine e = engine(new TimeIntegrityRuleConfig("clock", "30s", "1d", "5m", null, "critical"),
                new ThresholdRuleConfig("surge", "vehicle_count", "count_total", 40.0, 20.0, null));
        List<Alert> out = new ArrayList<>();

        Reading skewed = reading("cnt-01", 50, 3600);
        Reading stored = e.process(skewed, out);
        assertThat(stored.tags()).containsEntry("quarantine", "clock_skew");
        assertThat(out).extracting(Alert::rule, Alert::alertId).containsExactly(Tuple.tuple("clock",
                "test-gw/clock/cnt-01/" + skewed.deviceTime().toEpochMilli()));

        clock.advance(Duration.ofSeconds(5));
        Reading inSync = reading("cnt-01", 50, 0.2);
        e.process(inSync, out);
        assertThat(out).extracting(Alert::rule, Alert::state, Alert::alertId).containsExactly(
                Tuple.tuple("clock", AlertState.RAISED, "test-gw/clock/cnt-01/" + skewed.deviceTime().toEpochMilli()),
                Tuple.tuple("clock", AlertState.CLEARED, "test-gw/clock/cnt-01/" + skewed.deviceTime().toEpochMilli()),
                Tuple.tuple("surge", AlertState.RAISED, "test-gw/surge/cnt-01/" + inSync.deviceTime().toEpochMilli()));
    }

    @Test
    void aWatchlistHitFromACameraWithAWrongClockIsStillRaised() {
        DeviceTable t = table();
        t.addInventory("cam-01", "ras-ajdir", Map.of("device_class", "camera", "lane", "1"), 60_000);
        RuleEngine e = new RuleEngine(t, List.of(
                new TimeIntegrityRuleConfig("clock", "30s", "1d", "5m", null, "critical"),
                new WatchlistRuleConfig("watch", "list.txt", false, "30s", null, null,
                        new Watchlist(false, Map.of(Watchlist.normalise("5-123456", false), "stolen vehicle")))),
                clock, RuleContext.of(metrics));
        List<Alert> out = new ArrayList<>();
        Instant received = clock.instant();
        Instant skewedTime = received.plus(Duration.ofHours(2));
        Reading read = new Reading("cam-01", "ras-ajdir", "anpr_read", Map.of("lane", "1"),
                Map.of("plate", "5-123456", "confidence_pct", 97.5), skewedTime, received);

        Reading stored = e.process(read, out);

        assertThat(stored.tags()).containsEntry("quarantine", "clock_skew");
        assertThat(out).extracting(Alert::rule, Alert::state).containsExactlyInAnyOrder(
                Tuple.tuple("clock", AlertState.RAISED), Tuple.tuple("watch", AlertState.RAISED));
    }
}
