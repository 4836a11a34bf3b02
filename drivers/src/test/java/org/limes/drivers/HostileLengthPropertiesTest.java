package org.limes.drivers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Length fields an attacker controls, in the formats that carry them: an ASTERIX block's and
 * record's LEN, and a multipart body's boundary, part count and part {@code Content-Length}.
 * Whatever they claim, decoding ends quickly with readings or a {@link DecodeException} —
 * no other exception, no allocation sized by the claim, no hang.
 */
class HostileLengthPropertiesTest {

    private static final Duration QUICK = Duration.ofSeconds(2);
    private static final Driver ASTERIX = Drivers.load().create("radar-asterix",
            DriverOptions.of(Map.of("device", "radar-1")));
    private static final Driver HIKVISION = Drivers.load().create("camera-hikvision",
            DriverOptions.of(Map.of("device", "cam-01")));
    private static final byte[] CAT048 = HexFormat.of().parseHex(
            "30001af11e190c2a3000200c80400001010640ff000040800000");

    @Property(tries = 1000)
    void anAsterixLenOfAnyValueIsADecodeExceptionOrReadings(@ForAll byte category, @ForAll short len,
            @ForAll @Size(max = 512) byte[] rest) {
        byte[] frame = new byte[3 + rest.length];
        frame[0] = category;
        frame[1] = (byte) (len >> 8);
        frame[2] = (byte) len;
        System.arraycopy(rest, 0, frame, 3, rest.length);
        decodeQuickly(ASTERIX, frame);
    }

    @Property(tries = 500)
    void anyTwoBytesOfAValidBlockRewrittenIsADecodeExceptionOrReadings(@ForAll @IntRange(min = 2, max = 25) int at,
            @ForAll short value) {
        byte[] frame = CAT048.clone();
        frame[at] = (byte) (value >> 8);
        frame[at - 1] = (byte) value;
        decodeQuickly(ASTERIX, frame);
    }

    @Provide
    Arbitrary<String> boundaries() {
        return Arbitraries.oneOf(Arbitraries.strings().withChars("0123456789abcXYZ'()+_,-./:=? ").ofMinLength(0)
                .ofMaxLength(200), Arbitraries.strings().ofMaxLength(100_000),
                Arbitraries.integers().between(0, 200_000).map("-"::repeat));
    }

    @Property(tries = 300)
    void aMultipartBodyWithHostileBoundariesPartsAndLengthsIsADecodeExceptionOrReadings(
            @ForAll("boundaries") String boundary, @ForAll @IntRange(max = 200) int parts,
            @ForAll long contentLength, @ForAll @Size(max = 64) String content, @ForAll boolean close) {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < parts; i++) {
            body.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"anpr.xml\"\r\n")
                    .append("Content-Type: application/xml\r\nContent-Length: ").append(contentLength)
                    .append("\r\n\r\n").append(content).append("\r\n");
        }
        if (close) {
            body.append("--").append(boundary).append("--\r\n");
        }
        decodeQuickly(HIKVISION, body.toString().getBytes(StandardCharsets.UTF_8));
    }

    @Property(tries = 200)
    void aGoldenMultipartEventWithItsContentLengthRewrittenStillDecodesOrFailsCleanly(@ForAll long claimed)
            throws Exception {
        Path golden = Path.of("src/test/resources/golden/camera-hikvision/arabic-plate-decimal-confidence/"
                + "frame.multipart");
        // Latin-1 keeps the picture's bytes as they are.
        String body = Files.readString(golden, StandardCharsets.ISO_8859_1);
        decodeQuickly(HIKVISION, body.replaceFirst("Content-Length: \\d+", "Content-Length: " + claimed)
                .getBytes(StandardCharsets.ISO_8859_1));
    }

    private static void decodeQuickly(Driver driver, byte[] payload) {
        Frame frame = new Frame(payload, "fuzz", "fuzz", Instant.parse("2026-11-26T06:00:00Z"));
        assertTimeoutPreemptively(QUICK, () -> {
            try {
                assertThat(driver.decode(frame)).isNotNull();
            } catch (DecodeException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
        });
    }
}
