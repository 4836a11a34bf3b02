package org.limes.gateway.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.Test;

class MqttReasonsTest {

    @Test
    void aTakeoverByTheSameClientIdReadsAsSuchNeverAsNull() {
        String why = MqttReasons.describe(new MqttDisconnectResponse(0x8E, null, null, null));

        assertThat(why).contains("0x8e").contains("session taken over").doesNotContain("null");
    }

    @Test
    void aLostConnectionNamesItsLocalCause() {
        String why = MqttReasons.describe(new MqttDisconnectResponse(
                new MqttException(MqttClientException.REASON_CODE_CONNECTION_LOST)));

        assertThat(why).isNotBlank().doesNotContain("null");
        assertThat(MqttReasons.describe(null)).isEqualTo("no reason given");
    }
}
