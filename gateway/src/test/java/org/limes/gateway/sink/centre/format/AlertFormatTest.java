package org.limes.gateway.sink.centre.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.limes.gateway.rules.Alert;
import org.limes.gateway.rules.AlertJson;

class AlertFormatTest {

    @Test
    void jsonIsTheCanonicalAlertJsonUnchanged() throws Exception {
        Alert a = Alerts.raised("cnt-03", "warning", Alerts.LOCATED);
        byte[] outboxRecord = AlertJson.encode(a, "ras-ajdir-gw");
        AlertFormat json = AlertFormat.create("json", "ras-ajdir-gw", null, null);
        assertThat(json.encode(AlertJson.decode(outboxRecord))).isEqualTo(outboxRecord);
        assertThat(json.contentType()).isEqualTo("application/json");
    }

    @Test
    void theFormatIsChosenByName() {
        assertThat(AlertFormat.create("cap", "gw", null, null).contentType()).isEqualTo("application/cap+xml");
        assertThat(AlertFormat.create("cot", "gw", null, null).name()).isEqualTo("cot");
        assertThatThrownBy(() -> AlertFormat.create("edxl", "gw", null, null))
                .hasMessage("format must be one of [cap, cot, json, sapient], got 'edxl'");
    }
}
