package org.limes.gateway.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.ref.WeakReference;
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

class ThresholdRuleTest {

    private static final Instant T0 = Instant.parse("2026-11-26T06:00:00.250Z");
    private static final ThresholdRuleConfig CONFIG =
            new ThresholdRuleConfig("queue-surge", "vehicle_count", "count_total", 40.0, 25.0, "critical");

    private final DeviceTable devices = table("cnt-01", "a", "b", "c");
    private final ThresholdRule rule = new ThresholdRule(CONFIG, devices);

    static DeviceTable table(String... ids) {
        DeviceTable t = new DeviceTable("test-gw", null, 0);
        for (String id : ids) {
            t.addInventory(id, "ras-ajdir", Map.of("device_class", "counter"), 60_000);
        }
        t.start(T0.toEpochMilli());
        return t;
    }

    private static Reading reading(String device, String kind, String field, double second, Object value) {
        Instant t = T0.plusMillis((long) (second * 1000));
        return new Reading(device, "ras-ajdir", kind, Map.of("lane", "1"), Map.of(field, value, "other", 1L), t,
                t.plusMillis(3));
    }

    private static Reading reading(String device, double second, Object value) {
        return reading(device, "vehicle_count", "count_total", second, value);
    }

    private List<Alert> feed(Rule r, String device, double second, Object value) {
        List<Alert> out = new ArrayList<>();
        Reading reading = reading(device, second, value);
        r.evaluate(reading, devices.indexOf(device), reading.receivedAt().toEpochMilli(), out);
        return out;
    }

    @Test
    void holdsNoReadingsTagsWhileTheyEqualTheLastOnes() {
        feed(rule, "cnt-01", 0, 10.0);
        Reading next = reading("cnt-01", 1, 11.0);
        rule.evaluate(next, devices.indexOf("cnt-01"), next.receivedAt().toEpochMilli(), new ArrayList<>());
        WeakReference<Map<String, String>> tags = new WeakReference<>(next.tags());
        next = null;

        // Held for the second until the device's next reading, each reading's tags map was aged
        // into the old generation at every young collection.
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
            System.gc();
            return tags.get() == null;
        });
        // The alert still carries the device's tags.
        List<Alert> raised = feed(rule, "cnt-01", 2, 41.0);
        assertThat(raised).singleElement().satisfies(a -> assertThat(a.tags()).containsEntry("lane", "1"));
    }

    /**
     * Each row: the rule's direction and hold times; events {@code t=value} (a reading at
     * second t, device and gateway time alike) or {@code t=tick}; the transitions expected,
     * {@code R<t>} / {@code C<t>} at the second they happened.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "at or below the raise level stays quiet   | above | 0s  |     | 0=10;1=39;2=40                      | ",
        "raises once above                         | above | 0s  |     | 0=41;1=50;2=60;3=41                 | R0",
        "the band between the levels holds         | above | 0s  |     | 0=41;1=30;2=25;3=39;4=41            | R0",
        "clears below the clear level, once        | above | 0s  |     | 0=41;1=24.9;2=0;3=-5                | R0;C1",
        "raises again after clearing               | above | 0s  |     | 0=41;1=10;2=50;3=60;4=1             | R0;C1;R2;C4",
        "the band after clearing does not raise    | above | 0s  |     | 0=41;1=10;2=30;3=40                 | R0;C1",
        "a long field is read as a number          | above | 0s  |     | 0=41L;1=24L                         | R0;C1",
        "hold: raises once held for 60s            | above | 60s |     | 0=41;30=45;59=50;60=42;61=43        | R60",
        "hold: one reading at the level restarts   | above | 60s |     | 0=41;30=40;60=41;119=41;120=41      | R120",
        "hold: a tick raises when time runs out    | above | 60s |     | 0=41;59=tick;60=tick;61=tick        | R60",
        "hold: a tick before it runs out does not  | above | 60s |     | 0=41;30=tick;59.999=tick            | ",
        "hold: the clear is held for 60s too       | above | 60s |     | 0=41;60=41;70=10;100=10;129=tick;130=tick | R60;C130",
        "hold: back in the band restarts the clear | above | 60s |     | 0=41;60=41;70=10;100=30;110=10;169=tick;170=tick | R60;C170",
        "clear_for alone holds only the clear      | above | 0s  | 30s | 0=41;10=10;39=tick;40=tick          | R0;C40",
        "no readings, no transitions on ticks      | above | 60s |     | 0=tick;100=tick                     | ",
        "below: raises under the level             | below | 0s  |     | 0=15;1=10;2=9;3=15;4=20;5=21        | R2;C5",
        "below: held for 60s                       | below | 60s |     | 0=5;59=tick;60=tick;70=25;130=tick  | R60;C130",
    })
    void transitions(String name, String direction, String holdFor, String clearFor, String events, String expected) {
        ThresholdRuleConfig config = "above".equals(direction)
                ? new ThresholdRuleConfig("r", "vehicle_count", "count_total", 40.0, 25.0, null, null, holdFor,
                        clearFor, null)
                : new ThresholdRuleConfig("r", "vehicle_count", "count_total", null, null, 10.0, 20.0, holdFor,
                        clearFor, null);
        ThresholdRule r = new ThresholdRule(config, devices);
        List<String> got = new ArrayList<>();
        for (String e : events.split(";")) {
            String[] kv = e.split("=");
            double second = Double.parseDouble(kv[0]);
            long now = T0.toEpochMilli() + (long) (second * 1000);
            List<Alert> out = new ArrayList<>();
            if ("tick".equals(kv[1])) {
                r.tick(now, out);
            } else {
                Object value = kv[1].endsWith("L") ? (Object) Long.parseLong(kv[1].substring(0, kv[1].length() - 1))
                        : (Object) Double.parseDouble(kv[1]);
                Reading reading = reading("cnt-01", second, value);
                r.evaluate(reading, devices.indexOf("cnt-01"), now, out);
            }
            for (Alert a : out) {
                got.add((a.state() == AlertState.RAISED ? "R" : "C") + (a.at().toEpochMilli() - T0.toEpochMilli()) / 1000);
            }
        }
        assertThat(got).as(name).isEqualTo(expected == null ? List.of() : Arrays.asList(expected.split(";")));
    }

    @Test
    void raisedAlertCarriesRuleSubjectValueLevelAndTimes() {
        ThresholdRule held = new ThresholdRule(new ThresholdRuleConfig("queue-surge", "vehicle_count", "count_total",
                40.0, 25.0, null, null, "60s", null, "critical"), devices);
        List<Alert> out = new ArrayList<>();
        Reading first = reading("cnt-01", 0, 64.0);
        held.evaluate(first, 0, T0.toEpochMilli() + 5, out);
        Reading second = reading("cnt-01", 50, 70.0);
        held.evaluate(second, 0, T0.toEpochMilli() + 50_005, out);
        held.tick(T0.toEpochMilli() + 60_005, out);

        assertThat(out).hasSize(1);
        Alert a = out.get(0);
        assertThat(a.alertId()).isEqualTo("test-gw/queue-surge/cnt-01/" + T0.toEpochMilli());
        assertThat(a.eventId()).isEqualTo("test-gw/queue-surge/cnt-01/1795672800250:raised");
        assertThat(a.subjectKind()).isEqualTo("device");
        assertThat(a.subject()).isEqualTo("cnt-01");
        assertThat(a.device()).isEqualTo("cnt-01");
        assertThat(a.site()).isEqualTo("ras-ajdir");
        assertThat(a.severity()).isEqualTo("critical");
        assertThat(a.value()).isEqualTo(70.0);
        assertThat(a.threshold()).isEqualTo(40.0);
        assertThat(a.firstSeen()).isEqualTo(T0.plusMillis(5));
        assertThat(a.lastSeen()).isEqualTo(T0.plusMillis(50_005));
        assertThat(a.raisedAt()).isEqualTo(T0.plusMillis(60_005));
        assertThat(a.at()).isEqualTo(a.raisedAt());
        assertThat(a.tags()).containsEntry("lane", "1");
        assertThat(a.reason()).isNull();
        assertThat(held.openEpisodes()).isEqualTo(1);
    }

    @Test
    void clearedAlertKeepsTheEpisodeIdAndRaiseTime() {
        List<Alert> out = new ArrayList<>();
        out.addAll(feed(rule, "cnt-01", 0, 64.0));
        out.addAll(feed(rule, "cnt-01", 5, 50.0));
        out.addAll(feed(rule, "cnt-01", 9, 12.0));

        assertThat(out).hasSize(2);
        Alert raised = out.get(0);
        Alert cleared = out.get(1);
        assertThat(cleared.state()).isEqualTo(AlertState.CLEARED);
        assertThat(cleared.alertId()).isEqualTo(raised.alertId());
        assertThat(cleared.eventId()).isEqualTo(raised.alertId() + ":cleared").isNotEqualTo(raised.eventId());
        assertThat(cleared.raisedAt()).isEqualTo(raised.raisedAt());
        assertThat(cleared.at()).isEqualTo(T0.plusSeconds(9).plusMillis(3));
        assertThat(cleared.value()).isEqualTo(12.0);
        assertThat(cleared.threshold()).isEqualTo(25.0);
        assertThat(cleared.severity()).isEqualTo("critical");
        assertThat(rule.openEpisodes()).isZero();
    }

    @Test
    void alertIdsAreStableAcrossRedeliveryAndDifferPerEpisode() {
        String once = feed(new ThresholdRule(CONFIG, devices), "cnt-01", 0, 64.0).get(0).alertId();
        String again = feed(new ThresholdRule(CONFIG, devices), "cnt-01", 0, 64.0).get(0).alertId();
        feed(rule, "cnt-01", 0, 64.0);
        feed(rule, "cnt-01", 30, 0.0);
        String second = feed(rule, "cnt-01", 60, 64.0).get(0).alertId();

        assertThat(again).isEqualTo(once);
        assertThat(second).isNotEqualTo(once)
                .isEqualTo("test-gw/queue-surge/cnt-01/" + T0.plusSeconds(60).toEpochMilli());
        assertThat(feed(rule, "a", 0, 64.0).get(0).alertId())
                .isEqualTo("test-gw/queue-surge/a/" + T0.toEpochMilli());
    }

    @Test
    void devicesHaveIndependentEpisodes() {
        List<Alert> out = new ArrayList<>();
        out.addAll(feed(rule, "a", 0, 50.0));
        out.addAll(feed(rule, "b", 1, 30.0));
        out.addAll(feed(rule, "b", 2, 10.0));
        out.addAll(feed(rule, "b", 3, 45.0));
        out.addAll(feed(rule, "a", 4, 45.0));
        out.addAll(feed(rule, "a", 5, 5.0));
        out.addAll(feed(rule, "b", 6, 30.0));

        assertThat(out).extracting(Alert::device, Alert::state).containsExactly(
                Tuple.tuple("a", AlertState.RAISED), Tuple.tuple("b", AlertState.RAISED),
                Tuple.tuple("a", AlertState.CLEARED));
        assertThat(rule.openEpisodes()).isEqualTo(1);
    }

    @Test
    void otherKindsFieldsAndNonNumericValuesAreIgnored() {
        List<Alert> out = new ArrayList<>();
        int d = devices.indexOf("cnt-01");
        rule.evaluate(reading("cnt-01", "people_count", "count_total", 0, 99.0), d, 0, out);
        rule.evaluate(reading("cnt-01", "vehicle_count", "count_cars", 1, 99.0), d, 1, out);
        rule.evaluate(reading("cnt-01", "vehicle_count", "count_total", 2, "99"), d, 2, out);
        rule.evaluate(reading("cnt-01", "vehicle_count", "count_total", 3, true), d, 3, out);

        assertThat(out).isEmpty();
        assertThat(rule.openEpisodes()).isZero();
    }

    @Test
    void restoredEpisodeIsNotRaisedAgainAndItsClearCarriesItsId() {
        Alert open = feed(new ThresholdRule(CONFIG, devices), "cnt-01", 0, 64.0).get(0);

        ThresholdRule afterRestart = new ThresholdRule(CONFIG, devices);
        assertThat(afterRestart.restore(open)).isTrue();
        assertThat(feed(afterRestart, "cnt-01", 10, 80.0)).isEmpty();
        List<Alert> cleared = feed(afterRestart, "cnt-01", 20, 1.0);

        assertThat(cleared).singleElement().satisfies(c -> {
            assertThat(c.state()).isEqualTo(AlertState.CLEARED);
            assertThat(c.alertId()).isEqualTo(open.alertId());
            assertThat(c.raisedAt()).isEqualTo(open.raisedAt());
        });
        assertThat(afterRestart.restore(Alert.builder().alertId("x/gone/1").rule("x")
                .state(AlertState.RAISED).severity("info").site("s").device("gone").subject("gone").kind("k").field("f")
                .value(1).threshold(1).raisedAt(T0).at(T0).build())).isFalse();
    }

    @Test
    void equalRaiseAndClearLevelsStillNeedACrossing() {
        ThresholdRule flat = new ThresholdRule(
                new ThresholdRuleConfig("flat", "vehicle_count", "count_total", 40.0, 40.0, "info"), devices);
        List<Alert> out = new ArrayList<>();
        out.addAll(feed(flat, "cnt-01", 0, 40.0));
        out.addAll(feed(flat, "cnt-01", 1, 40.1));
        out.addAll(feed(flat, "cnt-01", 2, 40.0));
        out.addAll(feed(flat, "cnt-01", 3, 39.9));

        assertThat(out).extracting(Alert::state).containsExactly(AlertState.RAISED, AlertState.CLEARED);
    }

    @Test
    void ruleIdIsTheConfiguredId() {
        assertThat(rule.id()).isEqualTo("queue-surge");
        assertThat(rule.config()).isEqualTo(CONFIG);
    }
}
