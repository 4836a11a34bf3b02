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
 * record's LEN, a multipart body's boundary, part count and part {@code Content-Length}, and
 * the length of any protobuf field of a SAPIENT message.
 * Whatever they claim, decoding ends quickly with readings or a {@link DecodeException} —
 * no other exception, no allocation sized by the claim, no hang.
 */
class HostileLengthPropertiesTest {

    private static final Duration QUICK = Duration.ofSeconds(2);
    private static final Driver ASTERIX = Drivers.load().create("radar-asterix",
            DriverOptions.of(Map.of("device", "radar-1")));
    private static final Driver HIKVISION = Drivers.load().create("camera-hikvision",
            DriverOptions.of(Map.of("device", "cam-01")));
    private static final Driver SAPIENT = Drivers.load().create("sapient", DriverOptions.empty());
    /** Golden case sapient/detection-range-bearing-km-radians. */
    private static final byte[] SAPIENT_DETECTION = HexFormat.of().parseHex(
            "0a0c08e0959fd8061080cab5ee01122436663165326433632d346235612d343937382d383639352d613462336332643165"
            + "3066393a8c010a1a30314a454238563551334b3947324d344e365038523053325430121a30314a454238563551334b39"
            + "47324d344e3650385230533254342a1f097b14ae47e17a843f11182d4454fb21f93f19333333333333f33f380440013d"
            + "0000403f5a0e0a0756656869636c65150000803e5a0c0a0548756d616e150000003f620e0a0757616c6b696e671500"
            + "00203f");
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

    /**
     * A SAPIENT detection whose byte at {@code at} is replaced by a varint of any value up to
     * 2^63 (a length-delimited field's length, a nested message's, a string's): protobuf
     * checks every claimed length against the bytes present before it allocates.
     */
    @Property(tries = 1000)
    void aSapientFieldLengthOfAnyValueIsADecodeExceptionOrReadings(@ForAll @IntRange(min = 0, max = 160) int at,
            @ForAll long claimed) {
        byte[] message = SAPIENT_DETECTION;
        int where = Math.min(at, message.length - 1);
        byte[] varint = new byte[10];
        int n = 0;
        long v = claimed & Long.MAX_VALUE;
        do {
            varint[n++] = (byte) ((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
            v >>>= 7;
        } while (v != 0);
        byte[] frame = new byte[message.length - 1 + n];
        System.arraycopy(message, 0, frame, 0, where);
        System.arraycopy(varint, 0, frame, where, n);
        System.arraycopy(message, where + 1, frame, where + n, message.length - where - 1);
        decodeQuickly(SAPIENT, frame);
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
