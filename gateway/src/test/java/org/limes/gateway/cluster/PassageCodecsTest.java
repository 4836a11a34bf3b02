package org.limes.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.limes.drivers.Reading;
import org.limes.gateway.rules.Alert;
import org.limes.gateway.rules.AlertState;
import org.limes.gateway.rules.WatchlistRule.OpenPassage;

/** The passages topic's value ({@link PassageRead}) and the passage owner's state ({@link PassageStateCodec}). */
class PassageCodecsTest {

    private static final Instant T = Instant.parse("2026-11-26T06:00:00.123456789Z");

    @Test
    void aPassageReadRoundTripsEveryFieldType() {
        Reading r = new Reading("cam-a", "ras-ajdir", "anpr_read", Map.of("lane", "2", "direction", "inbound"),
                Map.of("plate", "AB 1234O", "confidence_pct", 91.5, "event_precision_us", 1000L, "flag", true),
                T, T.plusMillis(40));
        PassageRead back = PassageRead.decode(new PassageRead(1_764_136_800_123L, r).encode());
        assertThat(back.nowMs()).isEqualTo(1_764_136_800_123L);
        assertThat(back.reading()).isEqualTo(r);
    }

    @Test
    void aPassageReadStartsAsDocumentedAndBadOnesAreRefused() {
        Reading r = new Reading("cam-a", "ras-ajdir", "anpr_read", Map.of(), Map.of("plate", "X"), T, T);
        byte[] good = new PassageRead(1L, r).encode();
        assertThat(Arrays.copyOf(good, 10)).containsExactly(0x50, 1, 0, 0, 0, 0, 0, 0, 0, 1);
        assertThatThrownBy(() -> PassageRead.decode(new byte[] {0x53, 1})).hasMessageContaining("0x50");
        byte[] v2 = good.clone();
        v2[1] = 2;
        assertThatThrownBy(() -> PassageRead.decode(v2)).hasMessageContaining("version 2");
        assertThatThrownBy(() -> PassageRead.decode(Arrays.copyOf(good, good.length - 3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ends early");
        byte[] longer = Arrays.copyOf(good, good.length + 1);
        assertThatThrownBy(() -> PassageRead.decode(longer)).hasMessageContaining("past its end");
        assertThatThrownBy(() -> PassageRead.decode(new byte[] {0x50, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("X");
    }

    @Test
    void aPassageStateRoundTripsAndBadOnesAreRefused() {
        Alert raised = Alert.builder().alertId("gw/wanted/ras-ajdir:2:AB1234O/1").rule("wanted")
                .state(AlertState.RAISED).severity("critical").site("ras-ajdir").device("cam-a").subjectKind("plate")
                .subject("AB1234O").kind("anpr_read").field("plate").value(1).threshold(1).raisedAt(T).at(T)
                .tags(Map.of("lane", "2", "match", "AB1234O", "plate", "AB 1234O", "reason", "stolen")).build();
        OpenPassage p = new OpenPassage(raised, 1234L, 3);
        byte[] good = PassageStateCodec.encode(p);
        assertThat(PassageStateCodec.decode(raised.alertId(), good)).isEqualTo(p);
        assertThat(Arrays.copyOf(good, 14)).containsExactly(0x57, 1, 0, 0, 0, 0, 0, 0, 0x04, 0xD2, 0, 0, 0, 3);
        assertThatThrownBy(() -> PassageStateCodec.decode("k", new byte[] {0x53, 1})).hasMessageContaining("0x57");
        byte[] v2 = good.clone();
        v2[1] = 2;
        assertThatThrownBy(() -> PassageStateCodec.decode("k", v2)).hasMessageContaining("version 2");
        assertThatThrownBy(() -> PassageStateCodec.decode("k", Arrays.copyOf(good, good.length - 1)))
                .hasMessageContaining("alert_len");
        byte[] noReads = good.clone();
        noReads[13] = 0;
        assertThatThrownBy(() -> PassageStateCodec.decode("k", noReads)).hasMessageContaining("0 reads");
    }
}
