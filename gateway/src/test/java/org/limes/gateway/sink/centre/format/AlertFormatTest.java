package org.limes.gateway.sink.centre.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.limes.gateway.rules.Alert;
import org.limes.gateway.rules.AlertJson;

class AlertFormatTest {

    /** As a cluster instance's sink has it: emitted by another instance ({@code gateway} is that one's name). */
    private static final byte[] FROM_ANOTHER_INSTANCE = AlertJson.encode(Alerts.raised("cnt-03", "warning",
            Alerts.LOCATED), "ras-ajdir-gw-2");

    @Test
    void jsonIsTheOutboxRecordAsItIsNamingTheInstanceThatEmittedIt() throws Exception {
        AlertFormat json = AlertFormat.create("json", "ras-ajdir", null, null);
        byte[] sent = json.encode(AlertJson.decode(FROM_ANOTHER_INSTANCE), FROM_ANOTHER_INSTANCE);
        assertThat(sent).isEqualTo(FROM_ANOTHER_INSTANCE);
        assertThat(new String(sent, StandardCharsets.UTF_8)).contains("\"gateway\":\"ras-ajdir-gw-2\"");
        assertThat(json.contentType()).isEqualTo("application/json");
    }

    @ParameterizedTest
    @ValueSource(strings = {"cap", "cot", "sapient"})
    void aFormatBuiltFromTheAlertCarriesItsOwnIdentityNeverTheEmittingInstance(String name) throws Exception {
        AlertFormat format = AlertFormat.create(name, "ras-ajdir", null, null);
        Alert a = AlertJson.decode(FROM_ANOTHER_INSTANCE);
        byte[] fromThisOne = AlertJson.encode(a, "ras-ajdir-gw-1");
        byte[] sent = format.encode(a, FROM_ANOTHER_INSTANCE);
        assertThat(sent).isEqualTo(format.encode(AlertJson.decode(fromThisOne), fromThisOne));
        assertThat(new String(sent, StandardCharsets.ISO_8859_1)).doesNotContain("ras-ajdir-gw");
    }

    @Test
    void theFormatIsChosenByName() {
        assertThat(AlertFormat.create("cap", "gw", null, null).contentType()).isEqualTo("application/cap+xml");
        assertThat(AlertFormat.create("cot", "gw", null, null).name()).isEqualTo("cot");
        assertThatThrownBy(() -> AlertFormat.create("edxl", "gw", null, null))
                .hasMessage("format must be one of [cap, cot, json, sapient], got 'edxl'");
    }
}
