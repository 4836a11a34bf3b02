package org.limes.gateway.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The alert builder: required fields named when missing, defaults, a derived transition. */
class AlertTest {

    private static final Instant RAISED = Instant.parse("2026-11-26T06:00:00Z");
    private static final Instant AT = RAISED.plusSeconds(90);

    private static Alert.Builder raised() {
        return Alert.builder().alertId("gw/queue-surge/cnt-01/1").rule("queue-surge").state(AlertState.RAISED)
                .severity("warning").site("ras-ajdir").device("cnt-01").subject("cnt-01").kind("vehicle_count")
                .field("count_total").value(64).threshold(40).firstSeen(RAISED.minusSeconds(30)).lastSeen(RAISED)
                .raisedAt(RAISED).at(RAISED).tags(Map.of("lane", "1"));
    }

    @Test
    void aMissingRequiredFieldIsNamed() {
        assertThatThrownBy(() -> raised().alertId(null).build()).isInstanceOf(NullPointerException.class)
                .hasMessage("Alert.builder(): alertId is required");
        assertThatThrownBy(() -> raised().rule(null).build()).hasMessage("Alert.builder(): rule is required");
        assertThatThrownBy(() -> raised().state(null).build()).hasMessage("Alert.builder(): state is required");
        assertThatThrownBy(() -> raised().subject(null).build()).hasMessage("Alert.builder(): subject is required");
        assertThatThrownBy(() -> raised().raisedAt(null).build()).hasMessage("Alert.builder(): raisedAt is required");
        assertThatThrownBy(() -> raised().at(null).build()).hasMessage("Alert.builder(): at is required");
    }

    @Test
    void optionalFieldsDefault() {
        Alert a = Alert.builder().alertId("id").rule("r").state(AlertState.RAISED).subject("d").raisedAt(RAISED)
                .at(AT).build();

        assertThat(a.subjectKind()).isEqualTo(Alert.DEVICE);
        assertThat(a.tags()).isEmpty();
        assertThat(a.firstSeen()).as("first seen defaults to the raise").isEqualTo(RAISED);
        assertThat(a.lastSeen()).as("last seen defaults to the transition").isEqualTo(AT);
        assertThat(a.value()).isNaN();
        assertThat(a.reason()).isNull();
    }

    @Test
    void toBuilderRoundTripsEveryField() {
        Alert a = raised().subjectKind("plate").reason("rule_removed").build();

        assertThat(a.toBuilder().build()).isEqualTo(a);
        Alert renamed = a.toBuilder().subject("hashed").build();
        assertThat(renamed.subject()).isEqualTo("hashed");
        assertThat(renamed).usingRecursiveComparison().ignoringFields("subject").isEqualTo(a);
    }

    @Test
    void clearedEndsTheSameEpisode() {
        Alert raised = raised().build();

        Alert cleared = raised.cleared(15, 20, AT.minusSeconds(5), AT, null);

        assertThat(cleared.alertId()).isEqualTo(raised.alertId());
        assertThat(cleared.state()).isEqualTo(AlertState.CLEARED);
        assertThat(cleared.value()).isEqualTo(15);
        assertThat(cleared.threshold()).isEqualTo(20);
        assertThat(cleared.lastSeen()).isEqualTo(AT.minusSeconds(5));
        assertThat(cleared.at()).isEqualTo(AT);
        assertThat(cleared.firstSeen()).isEqualTo(raised.firstSeen());
        assertThat(cleared.raisedAt()).isEqualTo(RAISED);
        assertThat(cleared.tags()).isEqualTo(raised.tags());
        assertThat(cleared.eventId()).isEqualTo(raised.alertId() + ":cleared");
        assertThat(raised.cleared(15, 20, AT, AT, "rule_removed").eventId())
                .isEqualTo(raised.alertId() + ":cleared:rule_removed");
    }
}
