package org.limes.drivers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The compatibility kit every driver test extends: the behaviour the {@link Driver}
 * contract promises, checked against the driver's own valid frames and against empty,
 * truncated, random and mutated bytes.
 *
 * <p>A subclass supplies the driver and a few valid frames (each decoding to at least one
 * reading). Random inputs come from fixed seeds, so a failure names its seed and input
 * and reproduces on every run. Readings are compared exactly except for {@link Double}
 * fields, which may differ by a relative 1e-9 after a unit conversion round trip.
 *
 * <p>Shipped in the {@code limes-drivers} test-jar for drivers in later modules.
 */
public abstract class DriverContractTest {

    /** The receive time of every frame the kit builds. */
    protected static final Instant RECEIVED_AT = Instant.parse("2026-11-26T06:00:01.250Z");

    private static final int RANDOM_FRAMES = 3000;
    private static final int MUTATIONS_PER_FRAME = 1500;
    private static final int MAX_RANDOM_LENGTH = 300;
    private static final Duration BUDGET = Duration.ofSeconds(30);
    private static final double RELATIVE_TOLERANCE = 1e-9;
    private static final byte[] INTERESTING = "{}[]\",:0-9.eE+ \n\rtfn\\u\u0000\u007f".getBytes(StandardCharsets.UTF_8);

    /** The driver under test. */
    protected abstract Driver driver();

    /** The options that create {@link #driver()} through its factory; none by default. */
    protected DriverOptions options() {
        return DriverOptions.empty();
    }

    /** Frames of the driver's format that must decode, each to at least one reading. */
    protected abstract List<byte[]> validFrames();

    /** A frame with the kit's fixed source, origin and receive time. */
    protected static Frame frame(byte[] payload) {
        return new Frame(payload, "contract", "test", RECEIVED_AT);
    }

    @Test
    void isRegisteredUnderItsName() {
        Driver driver = driver();
        Drivers drivers = Drivers.load();

        assertThat(drivers.names()).contains(driver.name());
        Driver created = drivers.create(driver.name(), options());
        assertThat(created.getClass()).isEqualTo(driver.getClass());
        assertThat(created.framing()).isEqualTo(driver.framing()).isNotNull();
    }

    @Test
    void validFramesDecodeToReadingsCarryingTheFrameReceiveTime() throws DecodeException {
        assertThat(validFrames()).isNotEmpty();
        for (byte[] payload : validFrames()) {
            List<Reading> readings = driver().decode(frame(payload));

            assertThat(readings).as(describe(payload)).isNotEmpty().doesNotContainNull();
            for (Reading r : readings) {
                assertThat(r.receivedAt()).as(describe(payload)).isEqualTo(RECEIVED_AT);
                assertThat(r.site()).as("a driver leaves site empty: " + describe(payload)).isEmpty();
            }
        }
    }

    @Test
    void decodingIsDeterministic() throws DecodeException {
        for (byte[] payload : validFrames()) {
            List<Reading> first = driver().decode(frame(payload.clone()));
            List<Reading> second = driver().decode(frame(payload.clone()));

            assertThat(second).as(describe(payload)).isEqualTo(first);
        }
    }

    @Test
    void encodingADecodedReadingDecodesToAnEqualReading() throws DecodeException {
        for (byte[] payload : validFrames()) {
            for (Reading r : driver().decode(frame(payload))) {
                assertRoundTrips(r, "from " + describe(payload));
            }
        }
    }

    @Test
    void decodeAllAgreesWithDecode() {
        for (byte[] payload : validFrames()) {
            DecodeResult all = driver().decodeAll(frame(payload));
            assertThat(all.errors()).as(describe(payload)).isEmpty();
            assertThat(decodeOrDecodeException(payload, "valid frame")).isEqualTo(all.readings());
        }
        for (int seed = 0; seed < 200; seed++) {
            Random random = new Random(seed);
            byte[] mutant = mutate(validFrames().get(seed % validFrames().size()), random);
            DecodeResult all = driver().decodeAll(frame(mutant));
            Object outcome = decodeOrDecodeException(mutant, "mutant " + seed);
            if (all.errors().isEmpty()) {
                assertThat(outcome).as("mutant " + seed + ": " + describe(mutant)).isEqualTo(all.readings());
            } else {
                assertThat(outcome).as("mutant " + seed + ": decode throws the first error").isEqualTo(
                        all.errors().get(0).getMessage());
            }
        }
    }

    @Test
    void emptyFrameFailsOnlyWithDecodeException() {
        assertTimeoutPreemptively(BUDGET, () -> decodeOrDecodeException(new byte[0], "empty frame"));
    }

    @Test
    void everyTruncationFailsOnlyWithDecodeException() {
        assertTimeoutPreemptively(BUDGET, () -> {
            for (byte[] payload : validFrames()) {
                for (int length = 0; length < payload.length; length++) {
                    byte[] prefix = Arrays.copyOf(payload, length);
                    decodeOrDecodeException(prefix, "truncated to " + length + " bytes");
                }
            }
        });
    }

    @Test
    void randomBytesFailOnlyWithDecodeException() {
        assertTimeoutPreemptively(BUDGET, () -> {
            for (int seed = 0; seed < RANDOM_FRAMES; seed++) {
                Random random = new Random(seed);
                byte[] payload = new byte[random.nextInt(MAX_RANDOM_LENGTH + 1)];
                random.nextBytes(payload);
                decodeOrDecodeException(payload, "random bytes, seed " + seed);
            }
        });
    }

    /**
     * Valid frames with random edits: a decoded mutant must decode the same way twice and
     * its readings must round-trip through encode like any other.
     */
    @Test
    void mutatedFramesFailOnlyWithDecodeExceptionOrRoundTrip() {
        assertTimeoutPreemptively(BUDGET, () -> {
            List<byte[]> valid = validFrames();
            for (int f = 0; f < valid.size(); f++) {
                for (int seed = 0; seed < MUTATIONS_PER_FRAME; seed++) {
                    Random random = new Random(31L * f + seed);
                    byte[] mutant = mutate(valid.get(f), random);
                    String what = "frame " + f + " mutated with seed " + seed;
                    Object outcome = decodeOrDecodeException(mutant, what);
                    assertThat(decodeOrDecodeException(mutant.clone(), what)).as("deterministic: " + what).isEqualTo(outcome);
                    if (outcome instanceof List<?> readings) {
                        for (Object r : readings) {
                            assertRoundTrips((Reading) r, what + ": " + describe(mutant));
                        }
                    }
                }
            }
        });
    }

    /**
     * Asserts that two readings are equal, {@link Double} fields within a relative 1e-9 and
     * every other value exactly.
     */
    public static void assertSameReading(Reading expected, Reading actual, String context) {
        assertThat(actual.deviceId()).as("deviceId " + context).isEqualTo(expected.deviceId());
        assertThat(actual.site()).as("site " + context).isEqualTo(expected.site());
        assertThat(actual.kind()).as("kind " + context).isEqualTo(expected.kind());
        assertThat(actual.tags()).as("tags " + context).isEqualTo(expected.tags());
        assertThat(actual.deviceTime()).as("deviceTime " + context).isEqualTo(expected.deviceTime());
        assertThat(actual.receivedAt()).as("receivedAt " + context).isEqualTo(expected.receivedAt());
        assertThat(actual.fields().keySet()).as("field names " + context).isEqualTo(expected.fields().keySet());
        for (Map.Entry<String, Object> e : expected.fields().entrySet()) {
            Object want = e.getValue();
            Object got = actual.fields().get(e.getKey());
            String what = "field " + e.getKey() + " " + context;
            assertThat(got).as(what).isInstanceOf(want.getClass());
            if (want instanceof Double w) {
                double g = (Double) got;
                double allowed = RELATIVE_TOLERANCE * Math.max(Math.abs(w), Math.abs(g));
                assertThat(Math.abs(g - w)).as(what + ": expected " + w + ", got " + g).isLessThanOrEqualTo(allowed);
            } else {
                assertThat(got).as(what).isEqualTo(want);
            }
        }
    }

    private void assertRoundTrips(Reading reading, String context) throws DecodeException {
        byte[] encoded = driver().encode(reading);
        List<Reading> again = driver().decode(frame(encoded));
        assertThat(again).as("re-decoding " + describe(encoded) + " " + context).hasSize(1);
        assertSameReading(reading, again.get(0), context);
    }

    /** The readings, or the DecodeException message; any other outcome fails the test. */
    private Object decodeOrDecodeException(byte[] payload, String what) {
        try {
            List<Reading> readings = driver().decode(frame(payload));
            assertThat(readings).as(what + " returned null or a null reading: " + describe(payload))
                    .isNotNull().doesNotContainNull();
            return readings;
        } catch (DecodeException e) {
            assertThat(e.getMessage()).as(what).isNotBlank();
            return e.getMessage();
        } catch (RuntimeException | Error e) {
            if (e instanceof AssertionError) {
                throw e;
            }
            return fail(what + " threw " + e + " instead of DecodeException for " + describe(payload), e);
        }
    }

    private static byte[] mutate(byte[] original, Random random) {
        List<Byte> bytes = new ArrayList<>(original.length + 8);
        for (byte b : original) {
            bytes.add(b);
        }
        int edits = 1 + random.nextInt(4);
        for (int i = 0; i < edits; i++) {
            int at = bytes.isEmpty() ? 0 : random.nextInt(bytes.size());
            switch (random.nextInt(5)) {
                case 0 -> {
                    if (!bytes.isEmpty()) {
                        bytes.set(at, (byte) (bytes.get(at) ^ (1 << random.nextInt(8))));
                    }
                }
                case 1 -> {
                    if (!bytes.isEmpty()) {
                        bytes.set(at, INTERESTING[random.nextInt(INTERESTING.length)]);
                    }
                }
                case 2 -> bytes.add(at, INTERESTING[random.nextInt(INTERESTING.length)]);
                case 3 -> {
                    if (!bytes.isEmpty()) {
                        bytes.subList(at, Math.min(bytes.size(), at + 1 + random.nextInt(8))).clear();
                    }
                }
                default -> {
                    if (!bytes.isEmpty()) {
                        int to = Math.min(bytes.size(), at + 1 + random.nextInt(16));
                        bytes.addAll(at, new ArrayList<>(bytes.subList(at, to)));
                    }
                }
            }
        }
        byte[] out = new byte[bytes.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = bytes.get(i);
        }
        return out;
    }

    private static String describe(byte[] payload) {
        String text = new String(payload, StandardCharsets.UTF_8);
        boolean printable = text.chars().allMatch(c -> c >= 0x20 && c != 0x7f && c != 0xfffd);
        return printable ? "'" + text + "'" : "0x" + HexFormat.of().formatHex(payload);
    }
}
