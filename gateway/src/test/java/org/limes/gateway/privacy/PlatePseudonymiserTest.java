package org.limes.gateway.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.drivers.Reading;
import org.limes.gateway.rules.Alert;
import org.limes.gateway.rules.AlertState;

class PlatePseudonymiserTest {

    private static final String KEY = "k".repeat(32);
    private static final Instant T = Instant.parse("2026-11-26T06:00:00Z");

    @TempDir
    Path dir;

    @Test
    void normalisingKeepsLettersAndDigitsOfAnyScriptInUpperCase() {
        assertThat(PlatePseudonymiser.normalise("5-123 456")).isEqualTo("5123456");
        assertThat(PlatePseudonymiser.normalise("ab·12")).isEqualTo("AB12");
        assertThat(PlatePseudonymiser.normalise("ن ه ر ١٢٣")).isEqualTo("نهر١٢٣");
    }

    @Test
    void onlyThePlateFieldChanges() {
        PlatePseudonymiser p = new PlatePseudonymiser(KEY.getBytes(StandardCharsets.UTF_8));
        Reading anpr = new Reading("cam-01", "s", "anpr_read", Map.of("lane", "1"),
                Map.of("plate", "5-123456", "confidence_pct", 97.5), T, T);
        Reading hashed = p.apply(anpr);
        assertThat(hashed.fields()).containsEntry("confidence_pct", 97.5).containsEntry("plate", p.hash("5123456"));
        assertThat(hashed.tags()).isEqualTo(anpr.tags());
        Reading count = new Reading("cnt-01", "s", "vehicle_count", Map.of(), Map.of("count_total", 3L), T, T);
        assertThat(p.apply(count)).isSameAs(count);
    }

    @Test
    void aWatchlistAlertLosesEveryPlainPlateAndADeviceAlertIsUntouched() {
        PlatePseudonymiser p = new PlatePseudonymiser(KEY.getBytes(StandardCharsets.UTF_8));
        Alert hit = Alert.builder().alertId("watch/ras-ajdir:2:5123456/1795680000000").rule("watch")
                .state(AlertState.RAISED).severity("critical").site("ras-ajdir").device("cam-01").subjectKind("plate")
                .subject("5123456").kind("anpr_read").field("plate").value(1).threshold(1)
                .firstSeen(T).lastSeen(T).raisedAt(T).at(T)
                .tags(Map.of("plate", "5-123 456", "match", "5123456", "camera", "cam-01", "lane", "2")).build();

        Alert hashed = p.apply(hit);

        assertThat(hashed.subject()).isEqualTo(p.hash("5123456"));
        assertThat(hashed.alertId()).isEqualTo("watch/ras-ajdir:2:" + p.hash("5123456") + "/1795680000000");
        assertThat(hashed.eventId()).doesNotContain("5123456");
        assertThat(hashed.tags()).containsEntry("plate", p.hash("5123456")).containsEntry("match", p.hash("5123456"))
                .containsEntry("camera", "cam-01").containsEntry("lane", "2");
        assertThat(hashed.state()).isEqualTo(hit.state());
        assertThat(hashed.device()).isEqualTo("cam-01");
        Alert surge = Alert.builder().alertId("queue-surge/cnt-01/1").rule("queue-surge").state(AlertState.RAISED)
                .severity("warning").site("ras-ajdir").device("cnt-01").subjectKind("device").subject("cnt-01")
                .kind("vehicle_count").field("count_total").value(45).threshold(40)
                .firstSeen(T).lastSeen(T).raisedAt(T).at(T).tags(Map.of("lane", "1")).build();
        assertThat(p.apply(surge)).isSameAs(surge);
    }

    @Test
    void aShortKeyIsRefusedWithoutShowingIt() throws Exception {
        Path file = Files.writeString(dir.resolve("plate.key"), "short-secret\n");
        assertThatThrownBy(() -> PlatePseudonymiser.from(new PseudonymiseConfig(file.toString(), null)))
                .hasMessage("the key in key_file " + file + " is shorter than 32 characters")
                .message().doesNotContain("short-secret");
        assertThatThrownBy(() -> new PseudonymiseConfig(null, null))
                .hasMessageStartingWith("key_file or key_env (exactly one) is required");
    }
}
