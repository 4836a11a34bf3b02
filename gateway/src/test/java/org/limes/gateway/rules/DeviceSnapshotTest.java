package org.limes.gateway.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.limes.drivers.Reading;

/**
 * Cluster mode's hand-over of a device's rule state from one engine to another
 * ({@link RuleEngine#snapshot}, {@link RuleEngine#takeOver}): the next owner goes on where the
 * last one was — a running hold keeps its start and its episode id, a clear hold its start, an
 * open episode is neither raised again nor forgotten, a deadman counts from the same moment.
 */
class DeviceSnapshotTest {

    private static final Instant T0 = Instant.parse("2026-11-26T06:00:00Z");
    private static final ThresholdRuleConfig HELD = new ThresholdRuleConfig("queue", "vehicle_count", "count_total",
            40.0, 25.0, null, null, "60s", "30s", null);
    private static final DeadmanRuleConfig SILENT = new DeadmanRuleConfig("silent", "counter", null);

    private final TestClock clock = new TestClock(T0);
    private final RuleMetrics metrics = new RuleMetrics(new SimpleMeterRegistry());

    private RuleEngine engine() {
        DeviceTable t = new DeviceTable("crossing", null, 0);
        t.addInventory("cnt-01", "ras-ajdir", Map.of("device_class", "counter", "lane", "1"), 120_000);
        t.addInventory("cnt-02", "ras-ajdir", Map.of("device_class", "counter"), 120_000);
        return new RuleEngine(t, List.of(HELD, SILENT), clock, RuleContext.of(metrics));
    }

    private Reading reading(String device, double value) {
        return new Reading(device, "ras-ajdir", "vehicle_count", Map.of("lane", "1"), Map.of("count_total", value),
                clock.instant().minusMillis(250), clock.instant());
    }

    /** A new engine (another instance) that takes over every device's state from {@code from}. */
    private RuleEngine handOver(RuleEngine from, List<Alert> out) {
        RuleEngine next = engine();
        for (String device : List.of("cnt-01", "cnt-02")) {
            next.takeOver(from.snapshot(device), out);
        }
        return next;
    }

    @Test
    void aRunningHoldGoesOnWithItsStartAndItsEpisodeId() {
        RuleEngine first = engine();
        List<Alert> out = new ArrayList<>();
        first.process(reading("cnt-01", 50), out);
        long deviceMs = clock.millis() - 250;
        clock.advance(Duration.ofSeconds(20));
        first.process(reading("cnt-01", 55), out);
        assertThat(first.snapshot("cnt-01").rules()).containsOnlyKeys("queue");
        assertThat(first.snapshot("cnt-02").rules()).as("an idle rule carries nothing").isEmpty();

        RuleEngine next = handOver(first, out);
        clock.advance(Duration.ofSeconds(39));
        next.tick(out);
        assertThat(out).as("59 s into a 60 s hold").isEmpty();
        clock.advance(Duration.ofSeconds(1));
        next.tick(out);
        assertThat(out).singleElement().satisfies(a -> {
            assertThat(a.alertId()).isEqualTo("crossing/queue/cnt-01/" + deviceMs);
            assertThat(a.firstSeen()).isEqualTo(T0);
            assertThat(a.value()).isEqualTo(55.0);
            assertThat(a.tags()).containsEntry("lane", "1");
        });
    }

    @Test
    void anOpenEpisodeAndARunningClearHoldGoOnWithoutARaise() {
        RuleEngine first = engine();
        List<Alert> out = new ArrayList<>();
        first.process(reading("cnt-01", 50), out);
        clock.advance(Duration.ofSeconds(60));
        first.tick(out);
        assertThat(out).hasSize(1);
        Alert raised = out.get(0);
        clock.advance(Duration.ofSeconds(10));
        first.process(reading("cnt-01", 5), out);

        List<Alert> after = new ArrayList<>();
        RuleEngine next = handOver(first, after);
        assertThat(next.openAlerts()).containsExactly(raised);
        clock.advance(Duration.ofSeconds(29));
        next.tick(after);
        assertThat(after).as("not raised again, and 29 s into a 30 s clear hold").isEmpty();
        clock.advance(Duration.ofSeconds(1));
        next.tick(after);
        assertThat(after).singleElement().satisfies(a -> {
            assertThat(a.state()).isEqualTo(AlertState.CLEARED);
            assertThat(a.alertId()).isEqualTo(raised.alertId());
        });
    }

    @Test
    void aDeadmanCountsFromTheSameMomentOnTheNextOwner() {
        RuleEngine first = engine();
        List<Alert> out = new ArrayList<>();
        long armed = clock.millis();
        clock.advance(Duration.ofSeconds(30));
        first.process(reading("cnt-01", 1), out);
        long heard = clock.millis();
        assertThat(first.snapshot("cnt-02").heard()).isFalse();
        assertThat(first.snapshot("cnt-02").heardMs()).isEqualTo(armed);

        clock.advance(Duration.ofSeconds(60));
        RuleEngine next = handOver(first, out);
        clock.set(Instant.ofEpochMilli(armed + 120_001));
        next.tick(out);
        assertThat(out).as("cnt-02, never heard, from its first arming").extracting(Alert::alertId)
                .containsExactly("crossing/silent/cnt-02/" + (armed + 120_000));
        clock.set(Instant.ofEpochMilli(heard + 120_001));
        next.tick(out);
        assertThat(out).extracting(Alert::alertId).last().isEqualTo("crossing/silent/cnt-01/" + (heard + 120_000));
    }

    @Test
    void aClockOffsetGoesOnSoAJumpIsSeenOnTheNextOwner() {
        TimeIntegrityRuleConfig clockRule = new TimeIntegrityRuleConfig("clock", "30s", "10m", "5m", null, null);
        java.util.function.Supplier<RuleEngine> engines = () -> {
            DeviceTable t = new DeviceTable("crossing", null, 0);
            t.addInventory("cnt-01", "ras-ajdir", Map.of("device_class", "counter"), 120_000);
            return new RuleEngine(t, List.of(clockRule), clock, RuleContext.of(metrics));
        };
        RuleEngine first = engines.get();
        List<Alert> out = new ArrayList<>();
        first.process(reading("cnt-01", 1), out);
        assertThat(first.snapshot("cnt-01").rules()).containsOnlyKeys("clock");

        RuleEngine next = engines.get();
        next.takeOver(first.snapshot("cnt-01"), out);
        RuleEngine fresh = engines.get();
        clock.advance(Duration.ofSeconds(60));
        // Six minutes behind: kept (max_lag 10 m), out of sync, a jump of > 5 m from the carried offset.
        Reading behind = new Reading("cnt-01", "ras-ajdir", "vehicle_count", Map.of(), Map.of("count_total", 1.0),
                clock.instant().minus(Duration.ofMinutes(6)), clock.instant());
        fresh.process(behind, out);
        assertThat(out).as("without the offset, a first reading that is kept raises nothing").isEmpty();
        next.process(behind, out);
        assertThat(out).singleElement().satisfies(a -> {
            assertThat(a.rule()).isEqualTo("clock");
            assertThat(a.threshold()).as("the jump, not a quarantine").isEqualTo(300.0);
            assertThat(a.value()).isEqualTo(-360.0);
        });
        assertThat(next.snapshot("cnt-01").rules().get("clock")).as("version 1, the offset")
                .hasSize(9).startsWith((byte) 1);
    }

    @Test
    void rateOfChangeSamplesAndLastChangeGoOnOnTheNextOwner() {
        // Same kind, field and max_samples: the two rules share one ring, and each saves it.
        List<RuleConfig> rules = List.of(
                new RateOfChangeRuleConfig("flow", "vehicle_count", "count_total", "10m", 25.0, null, null, null, null,
                        null, null),
                new RateOfChangeRuleConfig("triple", "vehicle_count", "count_total", "10m", null, null, 3.0, null,
                        null, null, null));
        java.util.function.Supplier<RuleEngine> engines = () -> {
            DeviceTable t = new DeviceTable("crossing", null, 0);
            t.addInventory("cnt-01", "ras-ajdir", Map.of("device_class", "counter"), 120_000);
            return new RuleEngine(t, rules, clock, RuleContext.of(metrics));
        };
        java.util.function.BiFunction<Integer, Double, Reading> at = (minute, value) -> new Reading("cnt-01",
                "ras-ajdir", "vehicle_count", Map.of(), Map.of("count_total", value),
                T0.plus(Duration.ofMinutes(minute)), T0.plus(Duration.ofMinutes(minute)));
        RuleEngine first = engines.get();
        List<Alert> out = new ArrayList<>();
        first.process(at.apply(0, 12.0), out);
        first.process(at.apply(5, 14.0), out);
        assertThat(out).isEmpty();
        assertThat(first.snapshot("cnt-01").rules()).containsOnlyKeys("flow", "triple");

        RuleEngine next = engines.get();
        next.takeOver(first.snapshot("cnt-01"), out);
        RuleEngine fresh = engines.get();
        fresh.process(at.apply(9, 40.0), out);
        assertThat(out).as("without the samples there is no base to rise from").isEmpty();
        next.process(at.apply(9, 40.0), out);
        assertThat(out).extracting(Alert::rule, Alert::threshold)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("flow", 37.0),
                        org.assertj.core.groups.Tuple.tuple("triple", 36.0));
        out.clear();

        // Its episodes' last change (minute 9) goes on too: a whole window later they clear.
        RuleEngine third = engines.get();
        third.takeOver(next.snapshot("cnt-01"), out);
        assertThat(out).isEmpty();
        third.process(at.apply(19, 41.0), out);
        assertThat(out).as("41 is no rise on 40, and 10 m passed since the last").hasSize(2)
                .allSatisfy(a -> assertThat(a.state()).isEqualTo(AlertState.CLEARED));
    }

    @Test
    void aGeofenceTrackInsideGoesOnWithItsLastSeenAndWithoutASecondRaise() {
        GeofenceZone zone = new GeofenceZone("exclusion", new double[][][] {{{0, 0, 10, 0, 10, 10, 0, 10, 0, 0}}});
        GeofenceRuleConfig fence = new GeofenceRuleConfig("fence", "zones.geojson", null, "60s", null, null,
                List.of(zone));
        java.util.function.Supplier<RuleEngine> engines = () -> {
            DeviceTable t = new DeviceTable("crossing", null, 0);
            t.addInventory("rdr-1", "ras-ajdir", Map.of("device_class", "radar"), 0);
            return new RuleEngine(t, List.of(fence), clock, RuleContext.of(metrics));
        };
        java.util.function.BiFunction<String, double[], Reading> at = (track, lonLat) -> new Reading("rdr-1",
                "ras-ajdir", "radar_track", Map.of("track", track, "class", "person"),
                Map.of("lon_deg", lonLat[0], "lat_deg", lonLat[1]), clock.instant(), clock.instant());
        RuleEngine first = engines.get();
        List<Alert> out = new ArrayList<>();
        first.process(at.apply("7", new double[] {1, 1}), out);
        assertThat(out).singleElement().satisfies(a -> assertThat(a.state()).isEqualTo(AlertState.RAISED));
        Alert raised = out.get(0);
        clock.advance(Duration.ofSeconds(50));
        first.process(at.apply("7", new double[] {2, 2}), out);
        long lastSeen = clock.millis();
        assertThat(out).as("still inside").hasSize(1);
        assertThat(first.snapshot("rdr-1").rules()).containsOnlyKeys("fence");
        clock.advance(Duration.ofSeconds(5));

        List<Alert> after = new ArrayList<>();
        RuleEngine next = engines.get();
        next.takeOver(first.snapshot("rdr-1"), after);
        RuleEngine moved = engines.get();
        moved.takeOver(first.snapshot("rdr-1"), after);
        moved.process(at.apply("7", new double[] {3, 3}), after);
        assertThat(after).as("inside on the next owner too: no second entry").isEmpty();

        clock.set(Instant.ofEpochMilli(lastSeen + 59_999));
        next.tick(after);
        assertThat(after).as("59.999 s after it was last seen, on the old owner").isEmpty();
        clock.set(Instant.ofEpochMilli(lastSeen + 60_000));
        next.tick(after);
        assertThat(after).as("its timeout counts from when the old owner last saw it").singleElement()
                .satisfies(a -> {
                    assertThat(a.state()).isEqualTo(AlertState.CLEARED);
                    assertThat(a.alertId()).isEqualTo(raised.alertId());
                    assertThat(a.lastSeen()).isEqualTo(Instant.ofEpochMilli(lastSeen));
                });
        assertThat(next.snapshot("rdr-1").rules()).as("nothing left to carry").isEmpty();
    }

    @Test
    void geofenceBytesThatCannotBeReadLeaveTheTrackToTimeOutFromTheNextOwnersFirstTick() {
        GeofenceZone zone = new GeofenceZone("exclusion", new double[][][] {{{0, 0, 10, 0, 10, 10, 0, 10, 0, 0}}});
        GeofenceRuleConfig fence = new GeofenceRuleConfig("fence", "zones.geojson", null, "60s", null, null,
                List.of(zone));
        DeviceTable t = new DeviceTable("crossing", null, 0);
        t.addInventory("rdr-1", "ras-ajdir", Map.of("device_class", "radar"), 0);
        RuleEngine first = new RuleEngine(t, List.of(fence), clock, RuleContext.of(metrics));
        List<Alert> out = new ArrayList<>();
        first.process(new Reading("rdr-1", "ras-ajdir", "radar_track", Map.of("track", "7"),
                Map.of("lon_deg", 1.0, "lat_deg", 1.0), clock.instant(), clock.instant()), out);
        DeviceSnapshot s = first.snapshot("rdr-1");
        byte[] good = s.rules().get("fence");
        for (byte[] bad : List.of(java.util.Arrays.copyOf(good, good.length - 1),
                java.util.Arrays.copyOf(good, good.length + 1), new byte[] {2, 0, 0}, new byte[0])) {
            DeviceTable t2 = new DeviceTable("crossing", null, 0);
            t2.addInventory("rdr-1", "ras-ajdir", Map.of("device_class", "radar"), 0);
            RuleEngine next = new RuleEngine(t2, List.of(fence), clock, RuleContext.of(metrics));
            List<Alert> after = new ArrayList<>();
            next.takeOver(new DeviceSnapshot("rdr-1", s.heardMs(), true, s.open(), Map.of("fence", bad)), after);
            assertThat(next.openAlerts()).as("the episode itself still travels").hasSize(1);
            long start = clock.millis();
            clock.advance(Duration.ofSeconds(30));
            next.tick(after);
            clock.advance(Duration.ofSeconds(59));
            next.tick(after);
            assertThat(after).as("afresh: 59 s after the first tick here").isEmpty();
            clock.advance(Duration.ofSeconds(1));
            next.tick(after);
            assertThat(after).singleElement().satisfies(a -> assertThat(a.reason()).isEqualTo("track_timeout"));
            clock.set(Instant.ofEpochMilli(start));
        }
    }

    @Test
    void bytesARuleCannotReadAreIgnored() {
        RuleEngine next = engine();
        List<Alert> out = new ArrayList<>();
        next.takeOver(new DeviceSnapshot("cnt-01", clock.millis(), true, List.of(),
                Map.of("queue", new byte[] {1, 2}, "gone", new byte[] {1})), out);
        next.tick(out);
        assertThat(out).isEmpty();
        assertThat(next.snapshot("cnt-01").rules()).isEmpty();
    }
}
