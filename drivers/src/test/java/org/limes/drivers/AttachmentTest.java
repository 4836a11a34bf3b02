package org.limes.drivers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AttachmentTest {

    @ParameterizedTest
    @CsvSource({
        "licensePlatePicture.jpg, licensePlatePicture.jpg",
        "../../etc/passwd,        _.._etc_passwd",
        ".hidden,                 hidden",
        "'..',                    part",
        "'a b/c\\d:e',            a_b_c_d_e",
    })
    void namesAreReducedToSafeFileNames(String sent, String kept) {
        assertThat(Attachment.safeName(sent)).isEqualTo(kept);
        assertThat(new Attachment(0, sent, "image/jpeg", 0, 1).name()).isEqualTo(kept);
    }

    @Test
    void longNamesAreCut() {
        assertThat(Attachment.safeName("x".repeat(500))).hasSize(Attachment.MAX_NAME_CHARS);
    }

    @Test
    void anAttachmentMustBelongToAReadingOfTheResult() {
        Reading r = new Reading("cam-1", "", "anpr_read", Map.of(), Map.of("plate", "A1"), Instant.EPOCH,
                Instant.EPOCH);
        Attachment first = new Attachment(0, "p.jpg", "image/jpeg", 0, 3);
        Attachment second = new Attachment(1, "p.jpg", "image/jpeg", 0, 3);

        assertThat(new DecodeResult(List.of(r), List.of(), List.of(first)).attachments()).containsExactly(first);
        assertThat(new DecodeResult(List.of(r), List.of()).attachments()).isEmpty();
        assertThatThrownBy(() -> new DecodeResult(List.of(r), List.of(), List.of(second)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reading 1 of 1");
        assertThatThrownBy(() -> new Attachment(0, "p", "image/jpeg", -1, 3))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void withFieldAddsOrReplacesOneField() {
        Reading r = new Reading("cam-1", "", "anpr_read", Map.of(), Map.of("plate", "A1"), Instant.EPOCH,
                Instant.EPOCH);

        assertThat(r.withField("picture_ref", "cam-1/x").fields()).containsOnly(Map.entry("plate", "A1"),
                Map.entry("picture_ref", "cam-1/x"));
        assertThat(r.withField("plate", "B2").fields()).containsOnly(Map.entry("plate", "B2"));
        assertThat(r.fields()).containsOnly(Map.entry("plate", "A1"));
    }
}
