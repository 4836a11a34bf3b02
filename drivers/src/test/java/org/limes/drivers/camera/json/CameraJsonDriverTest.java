package org.limes.drivers.camera.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.limes.drivers.DecodeException;
import org.limes.drivers.Driver;
import org.limes.drivers.DriverContractTest;
import org.limes.drivers.DriverOptions;
import org.limes.drivers.EventKey;
import org.limes.drivers.Framing;
import org.limes.drivers.Reading;

class CameraJsonDriverTest extends DriverContractTest {

    private static final String ANPR = """
            {"type":"anpr_read","device":"cam-ras-ajdir-2","time":"2026-11-26T08:00:00+02:00","plate":"5-123456",\
            "confidence_pct":97.5,"lane":2,"direction":"inbound","country":"LY","vehicle_type":"car",\
            "list":"blockList","plate_color":"white"}""";
    private static final String PEOPLE = """
            {"type":"people_count","device":"cam-gate-2","time":"2026-11-26T08:01:00+02:00","zone":"hall-a",\
            "interval_s":60,"count_in":14,"count_out":9}""";
    private static final String VEHICLES = """
            {"firmware":{"v":[1,{"x":null}]},"type":"vehicle_count","device":"cam-yard","time":"2026-11-26T06:00:00Z",\
            "zone":"truck-yard","interval_s":300,"count_in":0,"count_out":1000000}""";
    private static final String HEALTH = """
            {"type":"device_health","device":"cam-gate-2","time":"2026-11-26T06:00:00.250Z","online":true,\
            "temperature_c":-12.5,"tamper":false,"video_loss":true,"fps":24.97}""";
    private static final String HEALTH_MINIMAL = """
            {"type":"device_health","device":"cam-gate-3","time":"2026-11-26T06:00:00Z","online":false,\
            "temperature_c":null,"fps":null}""";

    private final CameraJsonDriver driver = new CameraJsonDriver();

    @Override
    protected Driver driver() {
        return driver;
    }

    @Override
    protected List<byte[]> validFrames() {
        return List.of(bytes(ANPR), bytes(PEOPLE), bytes(VEHICLES), bytes(HEALTH), bytes(HEALTH_MINIMAL));
    }

    @Test
    void declaresNewlineFraming() {
        assertThat(driver.framing()).isEqualTo(Framing.NEWLINE);
        assertThat(driver.name()).isEqualTo("camera-json");
    }

    @Test
    void decodesAnAnprRead() throws DecodeException {
        Reading r = driver.decode(frame(bytes(ANPR))).get(0);

        assertThat(r.deviceId()).isEqualTo("cam-ras-ajdir-2");
        assertThat(r.kind()).isEqualTo("anpr_read");
        assertThat(r.tags()).isEqualTo(Map.of("lane", "2", "direction", "inbound", "country", "LY",
                "vehicle_type", "car", "list", "blockList", "plate_color", "white"));
        assertThat(r.fields()).isEqualTo(Map.of("plate", "5-123456", "confidence_pct", 97.5,
                EventKey.FIELD, 1_000_000L));
        assertThat(r.deviceTime()).isEqualTo(Instant.parse("2026-11-26T06:00:00Z"));
    }

    @Test
    void decodesZoneCountsWithTheirTotal() throws DecodeException {
        Reading people = driver.decode(frame(bytes(PEOPLE))).get(0);
        Reading vehicles = driver.decode(frame(bytes(VEHICLES))).get(0);

        assertThat(people.kind()).isEqualTo("people_count");
        assertThat(people.tags()).isEqualTo(Map.of("zone", "hall-a"));
        assertThat(people.fields()).isEqualTo(Map.of("count_in", 14L, "count_out", 9L, "count_total", 23L, "interval_s", 60L));
        assertThat(vehicles.kind()).isEqualTo("vehicle_count");
        assertThat(vehicles.fields()).containsEntry("count_total", 1_000_000L).containsEntry("interval_s", 300L);
    }

    @Test
    void decodesHealthWithOptionalValues() throws DecodeException {
        Reading full = driver.decode(frame(bytes(HEALTH))).get(0);
        Reading minimal = driver.decode(frame(bytes(HEALTH_MINIMAL))).get(0);

        assertThat(full.fields()).isEqualTo(Map.of("online", true, "temperature_c", -12.5, "tamper", false,
                "video_loss", true, "fps", 24.97));
        assertThat(full.tags()).isEmpty();
        assertThat(minimal.fields()).isEqualTo(Map.of("online", false));
    }

    @Test
    void toleratesTheLineTerminatorOfAStream() throws DecodeException {
        assertThat(driver.decode(frame(bytes(PEOPLE + "\r\n")))).isEqualTo(driver.decode(frame(bytes(PEOPLE))));
    }

    @ParameterizedTest(name = "{index}: {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "`{\"device\":\"c\"}`|field type: is required but missing",
        "`{\"type\":\"radar\"}`|field type: must be one of [anpr_read, device_health, people_count, vehicle_count], got \"radar\"",
        "`{\"type\":7}`|field type: must be one of [anpr_read, device_health, people_count, vehicle_count], got 7",
        "`{\"type\":\"anpr_read\",\"device\":\"c\",\"time\":\"2026-11-26T06:00:00Z\",\"confidence_pct\":90}`|field plate: is required but missing",
        "`{\"type\":\"anpr_read\",\"plate\":\"\"}`|field plate: must be 1..32 characters, not blank, without control characters, got 0 characters",
        "`{\"type\":\"anpr_read\",\"confidence_pct\":100.1}`|field confidence_pct: must be a number 0..100, got 100.1",
        "`{\"type\":\"anpr_read\",\"confidence_pct\":\"97\"}`|field confidence_pct: must be a number 0..100, got \"97\"",
        "`{\"type\":\"anpr_read\",\"direction\":\"north\"}`|field direction: must be \"inbound\" or \"outbound\", got \"north\"",
        "`{\"type\":\"anpr_read\",\"lane\":1.5}`|field lane: must be a string, got 1.5",
        "`{\"type\":\"people_count\",\"count_in\":-1}`|field count_in: must be an integer 0..1000000, got -1",
        "`{\"type\":\"people_count\",\"interval_s\":0}`|field interval_s: must be an integer 1..86400, got 0",
        "`{\"type\":\"people_count\",\"device\":\"c\",\"time\":\"2026-11-26T06:00:00Z\",\"interval_s\":60,\"count_in\":1,\"count_out\":1}`|field zone: is required but missing",
        "`{\"type\":\"device_health\",\"online\":\"yes\"}`|field online: must be true or false, got \"yes\"",
        "`{\"type\":\"device_health\",\"temperature_c\":200}`|field temperature_c: must be a number -60..150, got 200",
        "`{\"type\":\"device_health\",\"device\":\"c\",\"time\":\"2026-11-26T06:00:00Z\"}`|field online: is required but missing",
        "`{\"type\":\"device_health\",\"device\":\"a b\"}`|field device: must be a string of 1..64 characters of [A-Za-z0-9._:-], got \"a b\"",
        "`{\"type\":\"device_health\",\"time\":\"2026-11-26 06:00\"}`|field time: must be an ISO-8601 instant with offset (Z or ±hh:mm), got \"2026-11-26 06:00\"",
        "`{\"type\":\"device_health\",\"type\":\"anpr_read\"}`|byte 30: malformed JSON: Duplicate field 'type'",
        "`[1]`|byte 0: expected a JSON object, got an array",
        "`{} {}`|byte 3: unexpected content after the JSON object",
        "`  `|byte 0: empty frame: expected a JSON object",
    })
    void rejectsWithFieldAndReason(String json, String message) {
        assertThatThrownBy(() -> driver.decode(frame(bytes(json))))
                .isInstanceOf(DecodeException.class).hasMessage(message);
    }

    @Test
    void refusesDeepNestingInIgnoredKeys() {
        String deep = "{\"x\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";

        assertThatThrownBy(() -> driver.decode(frame(bytes(deep))))
                .isInstanceOf(DecodeException.class).hasMessageContaining("malformed JSON").hasMessageContaining("nesting depth");
    }

    @Test
    void encodesTheSchemaLayout() throws DecodeException {
        String people = new String(driver.encode(driver.decode(frame(bytes(PEOPLE))).get(0)), StandardCharsets.UTF_8);
        String anpr = new String(driver.encode(driver.decode(frame(bytes(ANPR))).get(0)), StandardCharsets.UTF_8);

        assertThat(people).isEqualTo("""
                {"type":"people_count","device":"cam-gate-2","time":"2026-11-26T06:01:00Z","zone":"hall-a",\
                "interval_s":60,"count_in":14,"count_out":9}""");
        assertThat(anpr).isEqualTo("""
                {"type":"anpr_read","device":"cam-ras-ajdir-2","time":"2026-11-26T06:00:00Z","plate":"5-123456",\
                "confidence_pct":97.5,"lane":"2","direction":"inbound","country":"LY","vehicle_type":"car",\
                "list":"blockList","plate_color":"white"}""");
    }

    @Test
    void encodeRejectsReadingsTheFormatCannotCarry() throws DecodeException {
        Reading people = driver.decode(frame(bytes(PEOPLE))).get(0);
        Reading anpr = driver.decode(frame(bytes(ANPR))).get(0);

        assertThatThrownBy(() -> driver.encode(new Reading("c", "", "radar_track", Map.of(), people.fields(),
                people.deviceTime(), RECEIVED_AT))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("radar_track");
        assertThatThrownBy(() -> driver.encode(with(people, "count_total", 5L)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("count_total");
        assertThatThrownBy(() -> driver.encode(people.withExtraTags(Map.of("lane", "1"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lane");
        assertThatThrownBy(() -> driver.encode(with(anpr, "confidence_pct", 97L)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("confidence_pct");
        assertThatThrownBy(() -> driver.encode(new Reading("c", "", "anpr_read", Map.of("direction", "forward"),
                anpr.fields(), anpr.deviceTime(), RECEIVED_AT))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("direction");
        assertThatThrownBy(() -> driver.encode(new Reading("c", "", "device_health", Map.of(), Map.of("fps", 25.0),
                anpr.deviceTime(), RECEIVED_AT))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("online");
    }

    @Test
    void factoryTakesNoOptions() {
        CameraJsonDriverFactory factory = new CameraJsonDriverFactory();

        assertThat(factory.create(DriverOptions.empty())).isInstanceOf(CameraJsonDriver.class);
        assertThatThrownBy(() -> factory.create(DriverOptions.of(Map.of("zone", "a"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown option zone");
    }

    private static Reading with(Reading r, String name, Object value) {
        TreeMap<String, Object> fields = new TreeMap<>(r.fields());
        fields.put(name, value);
        return new Reading(r.deviceId(), r.site(), r.kind(), r.tags(), fields, r.deviceTime(), r.receivedAt());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
