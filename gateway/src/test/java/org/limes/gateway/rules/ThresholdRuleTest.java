package org.limes.gateway.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.limes.drivers.Reading;

class ThresholdRuleTest {

    private static final Instant T0 = Instant.parse("2026-11-26T06:00:00.250Z");
    private static final ThresholdRuleConfig CONFIG =
            new ThresholdRuleConfig("queue-surge", "vehicle_count", "count_total", 40.0, 25.0, "critical");

    private final ThresholdRule rule = new ThresholdRule(CONFIG, 100);

    private static Reading reading(String device, int second, Object value) {
        return reading(device, "vehicle_count", "count_total", second, value);
    }

    private static Reading reading(String device, String kind, String field, int second, Object value) {
        return new Reading(device, "ras-ajdir", kind, Map.of("lane", "1"), Map.of(field, value, "other", 1L),
                T0.plusSeconds(second), T0.plusSeconds(second).plusMillis(3));
    }

    private static List<Alert> run(ThresholdRule rule, Reading... readings) {
        List<Alert> out = new ArrayList<>();
        for (Reading r : readings) {
            rule.evaluate(r, out);
        }
        return out;
    }

    /**
     * Each row: the values of one device's readings, one per second, and the transitions
     * expected as {@code R<index>} / {@code C<index>} (the reading that caused them).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "at or below the raise level stays quiet  | 10;20;39;40                | ",
        "raises once above                        | 41                         | R0",
        "no re-raise while above                  | 41;50;60;41                | R0",
        "raises on the first reading above        | 10;39;40.5;41              | R2",
        "the band between clear and raise holds   | 41;30;25;39;40;41          | R0",
        "clears below the clear level             | 41;24.9                    | R0;C1",
        "clears once                              | 41;10;0;-5                 | R0;C1",
        "raises again after clearing              | 41;10;50;60;1              | R0;C1;R2;C4",
        "the band after clearing does not raise   | 41;10;30;40                | R0;C1",
        "starting in the band does nothing        | 30;26;39                   | ",
        "a long field is read as a number         | 41L;24L                    | R0;C1",
    })
    void transitions(String name, String values, String expected) {
        List<Reading> readings = new ArrayList<>();
        String[] v = values.split(";");
        for (int i = 0; i < v.length; i++) {
            Object value = v[i].endsWith("L") ? (Object) Long.parseLong(v[i].substring(0, v[i].length() - 1))
                    : (Object) Double.parseDouble(v[i]);
            readings.add(reading("cnt-01", i, value));
        }

        List<Alert> out = run(rule, readings.toArray(Reading[]::new));

        List<String> got = out.stream()
                .map(a -> (a.state() == AlertState.RAISED ? "R" : "C") + (a.at().getEpochSecond() - T0.getEpochSecond()))
                .toList();
        assertThat(got).as(name).isEqualTo(expected == null ? List.of() : Arrays.asList(expected.split(";")));
    }

    @Test
    void raisedAlertCarriesRuleReadingAndLevel() {
        List<Alert> out = run(rule, reading("cnt-01", 0, 64.0));

        assertThat(out).containsExactly(new Alert("queue-surge/cnt-01/" + T0.toEpochMilli(), "queue-surge",
                AlertState.RAISED, "critical", "ras-ajdir", "cnt-01", "vehicle_count", "count_total", 64.0, 40.0, T0,
                T0, Map.of("lane", "1")));
        assertThat(out.get(0).alertId()).isEqualTo("queue-surge/cnt-01/1795672800250");
        assertThat(out.get(0).eventId()).isEqualTo("queue-surge/cnt-01/1795672800250:raised");
        assertThat(rule.openEpisodes()).isEqualTo(1);
    }

    @Test
    void clearedAlertKeepsTheEpisodeIdAndRaiseTime() {
        List<Alert> out = run(rule, reading("cnt-01", 0, 64.0), reading("cnt-01", 5, 50.0),
                reading("cnt-01", 9, 12.0));

        assertThat(out).hasSize(2);
        Alert raised = out.get(0);
        Alert cleared = out.get(1);
        assertThat(cleared.state()).isEqualTo(AlertState.CLEARED);
        assertThat(cleared.alertId()).isEqualTo(raised.alertId());
        assertThat(cleared.eventId()).isEqualTo(raised.alertId() + ":cleared").isNotEqualTo(raised.eventId());
        assertThat(cleared.raisedAt()).isEqualTo(T0);
        assertThat(cleared.at()).isEqualTo(T0.plusSeconds(9));
        assertThat(cleared.value()).isEqualTo(12.0);
        assertThat(cleared.threshold()).isEqualTo(25.0);
        assertThat(cleared.severity()).isEqualTo("critical");
        assertThat(rule.openEpisodes()).isZero();
    }

    @Test
    void alertIdsAreStableAcrossRedeliveryAndDifferPerEpisode() {
        Reading first = reading("cnt-01", 0, 64.0);
        Reading later = reading("cnt-01", 60, 64.0);

        String once = run(new ThresholdRule(CONFIG, 10), first).get(0).alertId();
        String again = run(new ThresholdRule(CONFIG, 10), first).get(0).alertId();
        List<Alert> twoEpisodes = run(rule, first, reading("cnt-01", 30, 0.0), later);

        assertThat(again).isEqualTo(once);
        assertThat(twoEpisodes.get(2).alertId()).isNotEqualTo(once)
                .isEqualTo("queue-surge/cnt-01/" + T0.plusSeconds(60).toEpochMilli());
        ThresholdRule otherRule = new ThresholdRule(
                new ThresholdRuleConfig("queue-other", "vehicle_count", "count_total", 40.0, 25.0, null), 10);
        assertThat(run(otherRule, first).get(0).alertId()).isEqualTo("queue-other/cnt-01/" + T0.toEpochMilli());
        assertThat(run(rule, reading("cnt-02", 0, 64.0)).get(0).alertId())
                .isEqualTo("queue-surge/cnt-02/" + T0.toEpochMilli());
    }

    @Test
    void devicesHaveIndependentEpisodes() {
        List<Alert> out = run(rule,
                reading("a", 0, 50.0),
                reading("b", 1, 30.0),
                reading("b", 2, 10.0),
                reading("b", 3, 45.0),
                reading("a", 4, 45.0),
                reading("a", 5, 5.0),
                reading("b", 6, 30.0));

        assertThat(out).extracting(Alert::device, Alert::state).containsExactly(
                org.assertj.core.groups.Tuple.tuple("a", AlertState.RAISED),
                org.assertj.core.groups.Tuple.tuple("b", AlertState.RAISED),
                org.assertj.core.groups.Tuple.tuple("a", AlertState.CLEARED));
        assertThat(rule.openEpisodes()).isEqualTo(1);
    }

    @Test
    void otherKindsFieldsAndNonNumericValuesAreIgnored() {
        List<Alert> out = run(rule,
                reading("cnt-01", "people_count", "count_total", 0, 99.0),
                reading("cnt-01", "vehicle_count", "count_cars", 1, 99.0),
                reading("cnt-01", "vehicle_count", "count_total", 2, "99"),
                reading("cnt-01", "vehicle_count", "count_total", 3, true));

        assertThat(out).isEmpty();
        assertThat(rule.openEpisodes()).isZero();

        run(rule, reading("cnt-01", 4, 99.0));
        assertThat(run(rule, reading("cnt-01", "people_count", "count_total", 5, 0.0),
                reading("cnt-01", "vehicle_count", "count_cars", 6, 0.0))).isEmpty();
        assertThat(rule.openEpisodes()).isEqualTo(1);
    }

    @Test
    void subjectBoundRefusesNewEpisodesAndCountsThem() {
        ThresholdRule bounded = new ThresholdRule(CONFIG, 2);

        List<Alert> out = run(bounded, reading("a", 0, 50.0), reading("b", 0, 50.0), reading("c", 0, 50.0));

        assertThat(out).extracting(Alert::device).containsExactly("a", "b");
        assertThat(bounded.refusedSubjects()).isEqualTo(1);
        assertThat(bounded.openEpisodes()).isEqualTo(2);

        // A device below the level needs no state, so it is not refused.
        assertThat(run(bounded, reading("d", 1, 10.0))).isEmpty();
        assertThat(bounded.refusedSubjects()).isEqualTo(1);

        // Once an episode clears, there is room again.
        List<Alert> after = run(bounded, reading("a", 2, 0.0), reading("c", 3, 50.0));
        assertThat(after).extracting(Alert::device, Alert::state).containsExactly(
                org.assertj.core.groups.Tuple.tuple("a", AlertState.CLEARED),
                org.assertj.core.groups.Tuple.tuple("c", AlertState.RAISED));
        assertThat(bounded.openEpisodes()).isEqualTo(2);
        assertThat(bounded.refusedSubjects()).isEqualTo(1);
    }

    @Test
    void equalRaiseAndClearLevelsStillNeedACrossing() {
        ThresholdRule flat = new ThresholdRule(
                new ThresholdRuleConfig("flat", "vehicle_count", "count_total", 40.0, 40.0, "info"), 10);

        List<Alert> out = run(flat, reading("d", 0, 40.0), reading("d", 1, 40.1), reading("d", 2, 40.0),
                reading("d", 3, 39.9));

        assertThat(out).extracting(Alert::state).containsExactly(AlertState.RAISED, AlertState.CLEARED);
        assertThat(out.get(1).at()).isEqualTo(T0.plusSeconds(3));
    }

    @Test
    void ruleIdIsTheConfiguredId() {
        assertThat(rule.id()).isEqualTo("queue-surge");
    }
}
