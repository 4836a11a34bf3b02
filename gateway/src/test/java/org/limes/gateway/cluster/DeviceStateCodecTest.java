package org.limes.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.limes.gateway.rules.Alert;
import org.limes.gateway.rules.AlertState;
import org.limes.gateway.rules.DeviceSnapshot;

class DeviceStateCodecTest {

    private static final Instant T = Instant.parse("2026-11-26T06:00:00Z");

    @Test
    void roundTrip() {
        Alert open = Alert.builder().alertId("ras-ajdir/queue/cnt-01/1").rule("queue").state(AlertState.RAISED)
                .severity("warning").site("ras-ajdir").device("cnt-01").subject("cnt-01").kind("vehicle_count")
                .field("count_total").value(50).threshold(40).raisedAt(T).at(T).tags(Map.of("lane", "1")).build();
        DeviceSnapshot s = new DeviceSnapshot("cnt-01", 1234L, true, List.of(open),
                Map.of("queue", new byte[] {1, 2, 3}, "rate", new byte[0]));
        DeviceSnapshot back = DeviceStateCodec.decode("cnt-01", DeviceStateCodec.encode(s));
        assertThat(back.device()).isEqualTo("cnt-01");
        assertThat(back.heard()).isTrue();
        assertThat(back.heardMs()).isEqualTo(1234L);
        assertThat(back.open()).containsExactly(open);
        assertThat(back.rules()).containsOnlyKeys("queue", "rate");
        assertThat(back.rules().get("queue")).containsExactly(1, 2, 3);
    }

    @Test
    void theLayoutStartsAsDocumented() {
        byte[] b = DeviceStateCodec.encode(new DeviceSnapshot("d", 1L, false, List.of(), Map.of()));
        assertThat(Arrays.copyOf(b, 11)).containsExactly(0x53, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1);
    }

    @Test
    void badValuesAreRefusedSayingWhy() {
        byte[] good = DeviceStateCodec.encode(new DeviceSnapshot("d", 1L, true, List.of(), Map.of("r", new byte[4])));
        assertThatThrownBy(() -> DeviceStateCodec.decode("d", new byte[] {0x4C, 1})).hasMessageContaining("0x53");
        byte[] v2 = good.clone();
        v2[1] = 2;
        assertThatThrownBy(() -> DeviceStateCodec.decode("d", v2)).hasMessageContaining("version 2");
        assertThatThrownBy(() -> DeviceStateCodec.decode("d", Arrays.copyOf(good, good.length - 2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("d");
    }
}
