package org.limes.drivers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Walks {@code src/test/resources/golden/<driver-name>/<case>/}: the folder name picks the
 * driver through {@link Drivers#load()}, the case folder holds {@code frame.*} (the exact
 * payload bytes, no trailing newline added) and either {@code expected.json} or
 * {@code expected-error.txt}, and optionally {@code options.json}, a JSON object of the
 * driver's options (strings), for drivers that need some. Adding a case, or a driver
 * family, is adding a folder.
 *
 * <p>{@code expected.json} is a list of readings, each
 * {@code {device, site, kind, tags, fields, device_time, received_at?}}; a field written
 * as a JSON integer is a {@link Long}, with a fraction or exponent a {@link Double}
 * (compared within a relative 1e-9), a string a {@link String}, true/false a
 * {@link Boolean}. {@code received_at} defaults to {@link #RECEIVED_AT}, the receive time
 * of every golden frame. {@code expected-error.txt} holds the exact
 * {@link DecodeException} message (one trailing newline ignored).
 *
 * <p>Optional in a case folder: {@code options.json}, a flat object of driver options
 * (string values); {@code expected-errors.txt} beside {@code expected.json}, for a frame of
 * several records: {@link Driver#decodeAll} must give the readings of {@code expected.json}
 * and these errors, one message per line.
 */
class GoldenCasesTest {

    static final Instant RECEIVED_AT = Instant.parse("2026-11-26T06:00:02.5Z");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> READING_KEYS =
            Set.of("device", "site", "kind", "tags", "fields", "device_time", "received_at");

    static Stream<Arguments> cases() throws IOException, URISyntaxException {
        URL root = GoldenCasesTest.class.getResource("/golden");
        assertThat(root).as("golden folder on the test class path").isNotNull();
        List<Arguments> cases = new ArrayList<>();
        try (Stream<Path> drivers = Files.list(Path.of(root.toURI()))) {
            for (Path driverDir : drivers.sorted().toList()) {
                try (Stream<Path> caseDirs = Files.list(driverDir)) {
                    for (Path caseDir : caseDirs.sorted().toList()) {
                        String name = driverDir.getFileName() + "/" + caseDir.getFileName();
                        cases.add(Arguments.of(name, driverDir.getFileName().toString(), caseDir));
                    }
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decodesAsExpected(String name, String driverName, Path caseDir) throws Exception {
        Driver driver = Drivers.load().create(driverName, options(caseDir));
        Frame frame = new Frame(Files.readAllBytes(frameFile(caseDir)), "golden", name, RECEIVED_AT);
        Path expected = caseDir.resolve("expected.json");
        Path expectedError = caseDir.resolve("expected-error.txt");
        assertThat(Files.exists(expected) ^ Files.exists(expectedError))
                .as(name + " needs exactly one of expected.json and expected-error.txt").isTrue();

        if (Files.exists(expectedError)) {
            String message = Files.readString(expectedError, StandardCharsets.UTF_8).replaceFirst("\n$", "");
            assertThatThrownBy(() -> driver.decode(frame)).isInstanceOf(DecodeException.class).hasMessage(message);
            return;
        }
        List<Reading> want = readings(JSON.readTree(expected.toFile()), name);
        Path expectedErrors = caseDir.resolve("expected-errors.txt");
        List<Reading> got;
        if (Files.exists(expectedErrors)) {
            DecodeResult result = driver.decodeAll(frame);
            assertThat(result.errors()).extracting(Throwable::getMessage).as(name + " errors")
                    .containsExactlyElementsOf(Files.readAllLines(expectedErrors, StandardCharsets.UTF_8));
            got = result.readings();
        } else {
            got = driver.decode(frame);
        }
        assertThat(got).as(name + " reading count").hasSameSizeAs(want);
        for (int i = 0; i < want.size(); i++) {
            DriverContractTest.assertSameReading(want.get(i), got.get(i), name + " reading " + i);
        }
    }

    private static DriverOptions options(Path caseDir) throws IOException {
        Path file = caseDir.resolve("options.json");
        if (!Files.exists(file)) {
            return DriverOptions.empty();
        }
        Map<String, String> options = new TreeMap<>();
        JSON.readTree(file.toFile()).fields().forEachRemaining(e -> options.put(e.getKey(), e.getValue().asText()));
        return DriverOptions.of(options);
    }

    private static Path frameFile(Path caseDir) throws IOException {
        try (Stream<Path> files = Files.list(caseDir)) {
            List<Path> frames = files.filter(f -> f.getFileName().toString().startsWith("frame.")).toList();
            assertThat(frames).as("one frame.* in " + caseDir).hasSize(1);
            return frames.get(0);
        }
    }

    private static List<Reading> readings(JsonNode list, String name) {
        assertThat(list.isArray()).as(name + ": expected.json must be a list of readings").isTrue();
        List<Reading> readings = new ArrayList<>();
        for (JsonNode r : list) {
            r.fieldNames().forEachRemaining(k -> assertThat(READING_KEYS).as(name + ": reading key").contains(k));
            Map<String, String> tags = new TreeMap<>();
            r.path("tags").fields().forEachRemaining(e -> tags.put(e.getKey(), e.getValue().asText()));
            Map<String, Object> fields = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = r.path("fields").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                fields.put(e.getKey(), fieldValue(e.getValue(), name + ": field " + e.getKey()));
            }
            Instant receivedAt = r.has("received_at") ? Instant.parse(r.get("received_at").asText()) : RECEIVED_AT;
            readings.add(new Reading(r.path("device").asText(), r.path("site").asText(), r.path("kind").asText(),
                    tags, fields, Instant.parse(r.path("device_time").asText()), receivedAt));
        }
        return readings;
    }

    private static Object fieldValue(JsonNode v, String what) {
        if (v.isIntegralNumber()) {
            return v.longValue();
        }
        if (v.isFloatingPointNumber()) {
            return v.doubleValue();
        }
        if (v.isTextual()) {
            return v.textValue();
        }
        assertThat(v.isBoolean()).as(what + " must be a number, string or boolean, got " + v).isTrue();
        return v.booleanValue();
    }
}
