package org.limes.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.limes.drivers.Frame;

/** The frames topic's record value: the documented layout, a round trip, and clear errors. */
class FrameRecordTest {

    @Test
    void theDocumentedExample() {
        Frame f = new Frame(new byte[] {0x7B, 0x7D}, "devices", "c/1", Instant.ofEpochSecond(1), null);
        assertThat(HexFormat.of().formatHex(new FrameRecord(f, "d").encode())).isEqualTo(
                "4c0100" + "0007" + "64657669636573" + "0003" + "632f31" + "0001" + "64"
                        + "0000000000000001" + "00000000" + "00000002" + "7b7d");
    }

    @Test
    void roundTripWithIdentityAndNanos() {
        Frame f = new Frame("{\"device\":\"cnt-01\"}".getBytes(), "devices", "crossing/ras-ajdir/counter/cnt-01",
                Instant.parse("2026-12-05T10:00:00.123456789Z"), "cnt-01");
        FrameRecord back = FrameRecord.decode(new FrameRecord(f, "counter-json").encode());
        assertThat(back.driver()).isEqualTo("counter-json");
        assertThat(back.frame().payload()).isEqualTo(f.payload());
        assertThat(back.frame().source()).isEqualTo("devices");
        assertThat(back.frame().origin()).isEqualTo(f.origin());
        assertThat(back.frame().receivedAt()).isEqualTo(f.receivedAt());
        assertThat(back.frame().identity()).isEqualTo("cnt-01");
    }

    @Test
    void badRecordsAreRefusedWithWhatIsWrong() {
        byte[] good = new FrameRecord(new Frame(new byte[] {1, 2, 3}, "s", "o", Instant.EPOCH, null), "d").encode();
        assertThatThrownBy(() -> FrameRecord.decode(new byte[] {0x00})).hasMessageContaining("byte 0 is not 0x4C");
        byte[] v2 = good.clone();
        v2[1] = 2;
        assertThatThrownBy(() -> FrameRecord.decode(v2)).hasMessageContaining("version 2 is not known");
        byte[] flags = good.clone();
        flags[2] = 4;
        assertThatThrownBy(() -> FrameRecord.decode(flags)).hasMessageContaining("unknown bits");
        assertThatThrownBy(() -> FrameRecord.decode(Arrays.copyOf(good, good.length - 1)))
                .hasMessageContaining("payload_len 3 does not match the 2 bytes left");
        assertThatThrownBy(() -> FrameRecord.decode(Arrays.copyOf(good, 6))).isInstanceOf(
                IllegalArgumentException.class);
        byte[] longer = Arrays.copyOf(good, good.length + 1);
        assertThatThrownBy(() -> FrameRecord.decode(longer)).hasMessageContaining("does not match");
    }
}
