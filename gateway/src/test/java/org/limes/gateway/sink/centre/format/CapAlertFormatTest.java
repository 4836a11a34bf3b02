package org.limes.gateway.sink.centre.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.limes.gateway.sink.centre.format.CapSpec.children;
import static org.limes.gateway.sink.centre.format.CapSpec.text;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.limes.gateway.rules.Alert;
import org.w3c.dom.Element;

class CapAlertFormatTest {

    private static final CapAlertFormat CAP = new CapAlertFormat("ras-ajdir-gw", CapFormatConfig.defaults());

    static Stream<Arguments> alerts() {
        Map<String, String> none = Map.of();
        Map<String, String> badLocation = Map.of("lat", "91", "lon", "x");
        return Stream.of(
                Arguments.of("critical raise, located", Alerts.raised("cnt-03", "critical", Alerts.LOCATED)),
                Arguments.of("warning raise, no location", Alerts.raised("cnt-03", "warning", none)),
                Arguments.of("info clear, located", Alerts.cleared("cnt-03", "info", Alerts.LOCATED)),
                Arguments.of("unknown severity clear", Alerts.cleared("cnt-03", "severe-ish", badLocation)),
                Arguments.of("device id with space, comma, < and &",
                        Alerts.raised("lane 3, <north> & co", "warning", Alerts.LOCATED)),
                Arguments.of("clear of that device", Alerts.cleared("lane 3, <north> & co", "warning", none)),
                Arguments.of("control character and non-ASCII in the id",
                        Alerts.raised("cnt-\u0001-رأس", "critical", Map.of("note", "a\u0000b"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("alerts")
    void everyMessageMeetsEveryCap12Rule(String name, Alert alert) throws Exception {
        byte[] xml = CAP.encode(alert);
        assertThat(CapSpec.violations(xml)).as(new String(xml, StandardCharsets.UTF_8)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Actual", "Exercise", "Test"})
    void statusesAreConfigurable(String status) throws Exception {
        CapAlertFormat cap = new CapAlertFormat("gw", new CapFormatConfig("limes@gw", status.toLowerCase(),
                "Tripoli and Benghazi centres", "ar-LY", "Ras Ajdir gateway", 0.5));
        byte[] xml = cap.encode(Alerts.raised("cnt-01", "warning", Alerts.LOCATED));
        Element alert = CapSpec.parse(xml).getDocumentElement();
        assertThat(CapSpec.violations(xml)).isEmpty();
        assertThat(text(alert, "status")).isEqualTo(status);
        assertThat(text(alert, "restriction")).isEqualTo("Tripoli and Benghazi centres");
        Element info = children(alert, "info").get(0);
        assertThat(text(info, "language")).isEqualTo("ar-LY");
        assertThat(text(info, "senderName")).isEqualTo("Ras Ajdir gateway");
        assertThat(text(children(info, "area").get(0), "circle")).isEqualTo("32.8843,11.5563 0.5");
    }

    @Test
    void aRaiseIsAnAlertWithTheFieldsMapped() throws Exception {
        Element alert = CapSpec.parse(CAP.encode(Alerts.raised("cnt-03", "critical", Alerts.LOCATED)))
                .getDocumentElement();
        assertThat(text(alert, "identifier")).isEqualTo("queue-surge/cnt-03/1795674600123:raised");
        assertThat(text(alert, "sender")).isEqualTo("limes@ras-ajdir-gw");
        assertThat(text(alert, "sent")).isEqualTo("2026-11-26T06:30:00-00:00");
        assertThat(text(alert, "status")).isEqualTo("Actual");
        assertThat(text(alert, "msgType")).isEqualTo("Alert");
        assertThat(text(alert, "scope")).isEqualTo("Restricted");
        assertThat(text(alert, "restriction")).isEqualTo(CapFormatConfig.DEFAULT_RESTRICTION);
        assertThat(text(alert, "references")).isNull();
        Element info = children(alert, "info").get(0);
        assertThat(text(info, "category")).isEqualTo("Security");
        assertThat(text(info, "event")).isEqualTo("queue-surge");
        assertThat(text(info, "responseType")).isEqualTo("Monitor");
        assertThat(text(info, "urgency")).isEqualTo("Immediate");
        assertThat(text(info, "severity")).isEqualTo("Severe");
        assertThat(text(info, "certainty")).isEqualTo("Observed");
        assertThat(text(info, "onset")).isEqualTo("2026-11-26T06:30:00-00:00");
        assertThat(text(info, "headline")).isEqualTo("queue-surge raised: cnt-03 at ras-ajdir");
        Map<String, String> parameters = new HashMap<>();
        for (Element p : children(info, "parameter")) {
            parameters.put(text(p, "valueName"), text(p, "value"));
        }
        assertThat(parameters).containsEntry("rule", "queue-surge").containsEntry("device", "cnt-03")
                .containsEntry("site", "ras-ajdir").containsEntry("value", "64").containsEntry("threshold", "40")
                .containsEntry("event_id", "queue-surge/cnt-03/1795674600123:raised").containsEntry("lane", "3");
        Element area = children(info, "area").get(0);
        assertThat(text(area, "areaDesc")).isEqualTo("ras-ajdir, device cnt-03");
        assertThat(text(area, "circle")).isEqualTo("32.8843,11.5563 0.1");
    }

    @Test
    void aClearIsAnAllClearUpdateReferencingTheRaise() throws Exception {
        Element raise = CapSpec.parse(CAP.encode(Alerts.raised("cnt-03", "warning", Alerts.LOCATED)))
                .getDocumentElement();
        Element clear = CapSpec.parse(CAP.encode(Alerts.cleared("cnt-03", "warning", Alerts.LOCATED)))
                .getDocumentElement();
        assertThat(text(clear, "msgType")).isEqualTo("Update");
        assertThat(text(clear, "identifier")).isEqualTo("queue-surge/cnt-03/1795674600123:cleared");
        assertThat(text(clear, "sent")).isEqualTo("2026-11-26T06:41:07-00:00");
        assertThat(text(clear, "references")).isEqualTo(text(raise, "sender") + "," + text(raise, "identifier") + ","
                + text(raise, "sent"));
        Element info = children(clear, "info").get(0);
        assertThat(text(info, "responseType")).isEqualTo("AllClear");
        assertThat(text(info, "urgency")).isEqualTo("Past");
        assertThat(text(info, "severity")).isEqualTo("Moderate");
    }

    @Test
    void severityMapping() {
        assertThat(CapAlertFormat.urgencySeverity("critical")).containsExactly("Immediate", "Severe");
        assertThat(CapAlertFormat.urgencySeverity("warning")).containsExactly("Expected", "Moderate");
        assertThat(CapAlertFormat.urgencySeverity("info")).containsExactly("Future", "Minor");
        assertThat(CapAlertFormat.urgencySeverity("other")).containsExactly("Unknown", "Unknown");
        assertThat(CapAlertFormat.urgencySeverity(null)).containsExactly("Unknown", "Unknown");
    }

    @Test
    void aRedeliveryIsTheSameBytes() {
        Alert a = Alerts.cleared("cnt-03", "warning", Alerts.LOCATED);
        assertThat(CAP.encode(a)).isEqualTo(CAP.encode(a));
    }

    @Test
    void identifiersAreLegalAndDistinctForDistinctEventIds() {
        List<String> ids = List.of("a/b:raised", "a b:raised", "a,b:raised", "a%20b:raised", "a%2Cb:raised",
                "a<b&c", "a_b", "a-b", "a.b", "é", "e\u0301", "a\tb", "a\nb");
        Set<String> out = new HashSet<>();
        for (String id : ids) {
            String identifier = CapAlertFormat.identifier(id);
            assertThat(CapAlertFormat.legal(identifier)).as(identifier).isTrue();
            out.add(identifier);
        }
        assertThat(out).hasSameSizeAs(ids);
        assertThat(CapAlertFormat.identifier("queue-surge/cnt-03/1795674600123:raised"))
                .isEqualTo("queue-surge/cnt-03/1795674600123:raised");
    }

    @Test
    void theSpecCheckerCatchesBrokenMessages() throws Exception {
        String good = new String(CAP.encode(Alerts.cleared("cnt-03", "warning", Alerts.LOCATED)),
                StandardCharsets.UTF_8);
        Map<String, String> broken = Map.of(
                "sent must be a dateTime", good.replace("<sent>2026-11-26T06:41:07-00:00", "<sent>2026-11-26T06:41:07Z"),
                "UTC must be written -00:00", good.replace("T06:41:07-00:00", "T06:41:07+00:00"),
                "sender must not contain spaces", good.replace("<sender>limes@ras-ajdir-gw", "<sender>limes gw"),
                "msgType must be one of", good.replace("<msgType>Update", "<msgType>Clear"),
                "restriction is required", good.replaceAll("<restriction>[^<]*</restriction>", ""),
                "references is required", good.replaceAll("<references>[^<]*</references>", ""),
                "is out of order", good.replaceFirst("<status>Actual</status>(<msgType>Update</msgType>)",
                        "$1<status>Actual</status>"),
                "info/category is required", good.replace("<category>Security</category>", ""),
                "circle must be", good.replace(" 0.1</circle>", "</circle>"),
                "urgency must be one of", good.replace("<urgency>Past", "<urgency>Soon"));
        for (Map.Entry<String, String> e : broken.entrySet()) {
            assertThat(e.getValue()).as(e.getKey()).isNotEqualTo(good);
            assertThat(CapSpec.violations(e.getValue().getBytes(StandardCharsets.UTF_8)))
                    .as(e.getKey()).anyMatch(s -> s.contains(e.getKey()));
        }
    }

    @Test
    void senderAndSettingsAreValidated() {
        assertThatThrownBy(() -> new CapFormatConfig("limes gw", null, null, null, null, null))
                .hasMessageStartingWith("sender must be non-empty without spaces, commas");
        assertThatThrownBy(() -> new CapFormatConfig("a,b", null, null, null, null, null))
                .hasMessageStartingWith("sender must be");
        assertThatThrownBy(() -> new CapFormatConfig(null, "Draft", null, null, null, null))
                .hasMessage("status must be one of [Actual, Exercise, Test], got 'Draft'");
        assertThatThrownBy(() -> new CapFormatConfig(null, null, " ", null, null, null))
                .hasMessageStartingWith("restriction must not be blank");
        assertThatThrownBy(() -> new CapFormatConfig(null, null, null, "english please", null, null))
                .hasMessageStartingWith("language must be an RFC 3066 tag");
        assertThatThrownBy(() -> new CapFormatConfig(null, null, null, null, null, -1.0))
                .hasMessage("circle_radius_km must be 0..1000, got -1.0");
    }
}
