package org.limes.gateway.sink.centre.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.limes.gateway.rules.Alert;
import org.w3c.dom.Element;

class CotAlertFormatTest {

    private static final CotAlertFormat COT = new CotAlertFormat("ras-ajdir-gw", CotFormatConfig.defaults());

    private static Element event(Alert a) throws Exception {
        return CapSpec.parse(COT.encode(a)).getDocumentElement();
    }

    private static Element child(Element e, String name) {
        return (Element) e.getElementsByTagName(name).item(0);
    }

    @Test
    void aRaiseIsAnEventWithTheBaseSchemaAttributes() throws Exception {
        Element event = event(Alerts.raised("cnt-03", "warning", Alerts.LOCATED));
        assertThat(event.getTagName()).isEqualTo("event");
        assertThat(event.getAttribute("version")).isEqualTo("2.0");
        assertThat(event.getAttribute("uid")).isEqualTo("limes:ras-ajdir-gw:queue-surge/cnt-03/1795674600123");
        assertThat(event.getAttribute("type")).isEqualTo("b-m-p-s-m").matches("[a-z](-[A-Za-z0-9.]+)*");
        assertThat(event.getAttribute("how")).isEqualTo("h-e");
        Instant time = Instant.parse(event.getAttribute("time"));
        Instant start = Instant.parse(event.getAttribute("start"));
        Instant stale = Instant.parse(event.getAttribute("stale"));
        assertThat(time).isEqualTo(Alerts.RAISED_AT).isEqualTo(start);
        assertThat(Duration.between(start, stale)).isEqualTo(Duration.ofDays(1));
        Element point = child(event, "point");
        assertThat(point.getAttribute("lat")).isEqualTo("32.8843");
        assertThat(point.getAttribute("lon")).isEqualTo("11.5563");
        assertThat(point.getAttribute("hae")).isEqualTo("9999999.0");
        assertThat(point.getAttribute("ce")).isEqualTo("9999999.0");
        assertThat(point.getAttribute("le")).isEqualTo("9999999.0");
        Element limes = child(child(event, "detail"), "limes");
        assertThat(limes.getAttribute("event_id")).isEqualTo("queue-surge/cnt-03/1795674600123:raised");
        assertThat(limes.getAttribute("state")).isEqualTo("raised");
        assertThat(child(child(event, "detail"), "contact").getAttribute("callsign")).isEqualTo("queue-surge cnt-03");
        assertThat(child(child(event, "detail"), "remarks").getTextContent())
                .isEqualTo("queue-surge raised: cnt-03 at ras-ajdir, count_total 64 above 40");
    }

    @Test
    void aClearUpdatesTheSameUidAndGoesStaleAMinuteLater() throws Exception {
        Element raise = event(Alerts.raised("cnt-03", "critical", Map.of()));
        Element clear = event(Alerts.cleared("cnt-03", "critical", Map.of()));
        assertThat(clear.getAttribute("uid")).isEqualTo(raise.getAttribute("uid"));
        assertThat(clear.getAttribute("type")).isEqualTo("b-a-o-c").isEqualTo(raise.getAttribute("type"));
        assertThat(Instant.parse(clear.getAttribute("time"))).isEqualTo(Alerts.CLEARED_AT);
        assertThat(Instant.parse(clear.getAttribute("stale"))).isEqualTo(Alerts.CLEARED_AT.plusSeconds(60));
        assertThat(child(child(clear, "detail"), "limes").getAttribute("state")).isEqualTo("cleared");
    }

    @Test
    void anUnknownLocationIsZeroWithUnknownErrors() throws Exception {
        Element point = child(event(Alerts.raised("cnt-03", "info", Map.of("lat", "abc"))), "point");
        assertThat(point.getAttribute("lat")).isEqualTo("0.0");
        assertThat(point.getAttribute("lon")).isEqualTo("0.0");
        assertThat(point.getAttribute("ce")).isEqualTo("9999999.0");
    }

    @Test
    void eventsHaveNoDeclarationAndEndInANewlineSoTheyCanBeConcatenated() {
        String s = new String(COT.encode(Alerts.raised("cnt-03", "warning", Map.of())), StandardCharsets.UTF_8);
        assertThat(s).startsWith("<event ").endsWith("</event>\n").doesNotContain("<?xml");
    }

    @Test
    void hostileIdsStayWellFormed() throws Exception {
        Element event = event(Alerts.raised("a\"b<c>&d\u0001", "warning", Map.of()));
        assertThat(child(child(event, "detail"), "limes").getAttribute("device")).isEqualTo("a\"b<c>&d\uFFFD");
    }

    @Test
    void typesStaleAndHowAreConfigurable() throws Exception {
        CotAlertFormat cot = new CotAlertFormat("gw", new CotFormatConfig(Map.of("warning", "a-u-G"), 600, "m-g"));
        Element event = CapSpec.parse(cot.encode(Alerts.raised("cnt-03", "warning", Map.of()))).getDocumentElement();
        assertThat(event.getAttribute("type")).isEqualTo("a-u-G");
        assertThat(event.getAttribute("how")).isEqualTo("m-g");
        assertThat(Instant.parse(event.getAttribute("stale"))).isEqualTo(Alerts.RAISED_AT.plusSeconds(600));
        assertThatThrownBy(() -> new CotFormatConfig(Map.of("urgent", "a-u-G"), null, null))
                .hasMessage("types.urgent is not a severity; expected one of [critical, info, warning]");
        assertThatThrownBy(() -> new CotFormatConfig(Map.of("critical", "alarm!"), null, null))
                .hasMessage("types.critical must be a CoT type like b-a-o-c or a-u-G, got 'alarm!'");
        assertThatThrownBy(() -> new CotFormatConfig(null, 5, null))
                .hasMessage("stale_seconds must be 60..2592000, got 5");
    }
}
