package org.limes.gateway.source.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Reading a SUBACK's reason codes (MQTT 5 §3.9.3): 0x00–0x02 granted QoS, 0x80 and up a
 * refusal. Paho completes a subscribe as a success whatever the codes, so the source reads
 * them itself. (Mosquitto 2.0 grants filters its ACL does not allow and filters delivery
 * instead, so no broker here answers with a refusal to test against end to end.)
 */
class SubackTest {

    private static final List<String> FILTERS = List.of("crossing/+/counter/+", "crossing/+/radar/+",
            "crossing/+/anpr/+");

    @Test
    void everyFilterGrantedAtQos1IsClean() {
        MqttSource.Suback s = MqttSource.Suback.of(FILTERS, new int[] {1, 1, 1});

        assertThat(s.refused()).isEmpty();
        assertThat(s.downgraded()).isEmpty();
    }

    @Test
    void failureCodesAreRefusalsNamedWithTheirFilterAndCode() {
        MqttSource.Suback s = MqttSource.Suback.of(FILTERS, new int[] {1, 0x87, 0x8F});

        assertThat(s.refused()).containsExactly("crossing/+/radar/+ (0x87)", "crossing/+/anpr/+ (0x8f)");
        assertThat(s.downgraded()).isEmpty();
    }

    @Test
    void qos0IsADowngradeAndQos2IsGranted() {
        MqttSource.Suback s = MqttSource.Suback.of(FILTERS, new int[] {0, 2, 1});

        assertThat(s.refused()).isEmpty();
        assertThat(s.downgraded()).containsExactly("crossing/+/counter/+");
    }

    @Test
    void missingCodesCountAsGranted() {
        assertThat(MqttSource.Suback.of(FILTERS, null).refused()).isEmpty();
        assertThat(MqttSource.Suback.of(FILTERS, new int[] {0x80}).refused()).containsExactly(
                "crossing/+/counter/+ (0x80)");
    }
}
