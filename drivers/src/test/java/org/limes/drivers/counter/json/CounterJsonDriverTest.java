package org.limes.drivers.counter.json;

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
import org.limes.drivers.Framing;
import org.limes.drivers.Reading;

class CounterJsonDriverTest extends DriverContractTest {

    private static final String FULL = """
            {"device":"cnt-north-01","time":"2026-11-26T06:00:00Z","lane":"1","direction":"inbound",\
            "interval_s":60,"counts":{"car":12,"van":2,"truck":3,"bus":0,"motorcycle":1},\
            "avg_speed_kmh":23.4,"occupancy_pct":12.5}""";
    private static final String MINIMAL = """
            {"device":"c","time":"2026-01-01T00:00:00.123456789-05:30","lane":7,"direction":"outbound",\
            "interval_s":86400,"counts":{"car":0}}""";
    private static final String UNKNOWN_KEYS = """
            {"fw":{"v":[1,2,{"x":null}]},"device":"a.b_c:d-1","time":"2026-11-26T06:00:00+03:00","lane":"A 2",\
            "direction":"inbound","interval_s":1,"counts":{"x9_":1000000},"avg_speed_kmh":400,\
            "occupancy_pct":null,"battery_v":12.6}""";

    private final CounterJsonDriver driver = new CounterJsonDriver();

    @Override
    protected Driver driver() {
        return driver;
    }

    @Override
    protected List<byte[]> validFrames() {
        return List.of(bytes(FULL), bytes(MINIMAL), bytes(UNKNOWN_KEYS));
    }

    @Test
    void declaresNewlineFraming() {
        assertThat(driver.framing()).isEqualTo(Framing.NEWLINE);
        assertThat(driver.name()).isEqualTo("counter-json");
    }

    @Test
    void decodesTheSchemaExample() throws DecodeException {
        Reading r = driver.decode(frame(bytes(FULL))).get(0);

        assertThat(r.deviceId()).isEqualTo("cnt-north-01");
        assertThat(r.site()).isEmpty();
        assertThat(r.kind()).isEqualTo("vehicle_count");
        assertThat(r.tags()).isEqualTo(Map.of("lane", "1", "direction", "inbound"));
        assertThat(r.fields()).containsOnly(
                Map.entry("count_car", 12L), Map.entry("count_van", 2L), Map.entry("count_truck", 3L),
                Map.entry("count_bus", 0L), Map.entry("count_motorcycle", 1L), Map.entry("count_total", 18L),
                Map.entry("interval_s", 60L), Map.entry("speed_avg_mps", 23.4 / 3.6), Map.entry("occupancy_pct", 12.5));
        assertThat(r.deviceTime()).isEqualTo(Instant.parse("2026-11-26T06:00:00Z"));
        assertThat(r.receivedAt()).isEqualTo(RECEIVED_AT);
    }

    @Test
    void nullOptionalValueIsAbsentAndNumericLaneKeepsItsText() throws DecodeException {
        Reading r = driver.decode(frame(bytes(UNKNOWN_KEYS))).get(0);

        assertThat(r.fields()).doesNotContainKey("occupancy_pct").containsEntry("speed_avg_mps", 400 / 3.6);
        assertThat(driver.decode(frame(bytes(MINIMAL))).get(0).tags()).containsEntry("lane", "7");
    }

    @Test
    void toleratesTheLineTerminatorOfAStream() throws DecodeException {
        assertThat(driver.decode(frame(bytes(FULL + "\r\n")))).isEqualTo(driver.decode(frame(bytes(FULL))));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "`{\"device\":\"d\",\"device\":\"e\"}`|field device: appears more than once",
        "`{\"counts\":{\"car\":1,\"car\":2}}`|field counts.car: appears more than once",
        "`{\"counts\":{\"total\":1}}`|field counts.total: is reserved: count_total is the sum of all classes",
        "`{\"counts\":{\"Car\":1}}`|field counts: class names must match [a-z][a-z0-9_]{0,31}, got \"Car\"",
        "`{\"counts\":{\"car\":1.0}}`|field counts.car: must be an integer 0..1000000, got 1.0",
        "`{\"counts\":{\"car\":99999999999999999999}}`|field counts.car: must be an integer 0..1000000, got 99999999999999999999",
        "`{\"counts\":[]}`|field counts: must be an object of vehicle class to count, got an array",
        "`{\"device\":12}`|field device: must be a string, got 12",
        "`{\"device\":\"a b\"}`|field device: must be 1..64 characters of [A-Za-z0-9._:-], got \"a b\"",
        "`{\"lane\":\"  \"}`|field lane: must be a non-blank string of at most 16 characters, got \"  \"",
        "`{\"lane\":true}`|field lane: must be a string, got true",
        "`{\"avg_speed_kmh\":\"fast\"}`|field avg_speed_kmh: must be a number 0..400, got \"fast\"",
        "`{\"avg_speed_kmh\":1e999}`|field avg_speed_kmh: must be a number 0..400, got 1e999",
        "`[1]`|byte 0: expected a JSON object, got an array",
        "`{} {}`|byte 3: unexpected content after the JSON object: an object",
    })
    void rejectsWithFieldAndReason(String json, String message) {
        assertThatThrownBy(() -> driver.decode(frame(bytes(json))))
                .isInstanceOf(DecodeException.class)
                .hasMessage(message);
    }

    @Test
    void longValuesAreShortenedInMessages() {
        String device = "x".repeat(100);
        assertThatThrownBy(() -> driver.decode(frame(bytes("{\"device\":\"" + device + "\"}"))))
                .hasMessage("field device: must be 1..64 characters of [A-Za-z0-9._:-], got \"" + "x".repeat(40) + "…\"");
    }

    @Test
    void encodesTheSchemaLayoutWithoutTotalOrLineTerminator() throws DecodeException {
        Reading r = driver.decode(frame(bytes(FULL))).get(0);

        String encoded = new String(driver.encode(r), StandardCharsets.UTF_8);

        assertThat(encoded).isEqualTo("""
                {"device":"cnt-north-01","time":"2026-11-26T06:00:00Z","lane":"1","direction":"inbound",\
                "interval_s":60,"counts":{"bus":0,"car":12,"motorcycle":1,"truck":3,"van":2},\
                "avg_speed_kmh":23.4,"occupancy_pct":12.5}""");
    }

    @Test
    void encodeRejectsReadingsTheFormatCannotCarry() throws DecodeException {
        Reading good = driver.decode(frame(bytes(FULL))).get(0);

        assertThatThrownBy(() -> driver.encode(new Reading("cnt", "", "radar_track", good.tags(), good.fields(),
                good.deviceTime(), good.receivedAt())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("radar_track");
        assertThatThrownBy(() -> driver.encode(good.withExtraTags(Map.of("zone", "z1"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("zone");
        assertThatThrownBy(() -> driver.encode(withField(good, "count_total", 17L)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("count_total");
        assertThatThrownBy(() -> driver.encode(withField(good, "count_car", -3L)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("count_car");
        assertThatThrownBy(() -> driver.encode(withField(good, "count_car", 3.0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("count_car");
        assertThatThrownBy(() -> driver.encode(withField(good, "speed_avg_mps", 200.0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("speed_avg_mps");
        assertThatThrownBy(() -> driver.encode(withField(good, "occupancy_pct", 100.5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("occupancy_pct");
        assertThatThrownBy(() -> driver.encode(withField(good, "temperature_c", 20.0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("temperature_c");
        assertThatThrownBy(() -> driver.encode(withoutField(good, "interval_s")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("interval_s");
    }

    @Test
    void encodeDerivesTheTotalWhenTheReadingHasNone() throws DecodeException {
        Reading good = driver.decode(frame(bytes(FULL))).get(0);

        Reading decoded = driver.decode(frame(driver.encode(withoutField(good, "count_total")))).get(0);

        assertThat(decoded.fields()).containsEntry("count_total", 18L);
    }

    @Test
    void factoryTakesNoOptions() {
        CounterJsonDriverFactory factory = new CounterJsonDriverFactory();

        assertThat(factory.create(DriverOptions.empty())).isInstanceOf(CounterJsonDriver.class);
        assertThatThrownBy(() -> factory.create(DriverOptions.of(Map.of("units", "mph"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("units");
    }

    private static Reading withField(Reading r, String name, Object value) {
        TreeMap<String, Object> fields = new TreeMap<>(r.fields());
        fields.put(name, value);
        return new Reading(r.deviceId(), r.site(), r.kind(), r.tags(), fields, r.deviceTime(), r.receivedAt());
    }

    private static Reading withoutField(Reading r, String name) {
        TreeMap<String, Object> fields = new TreeMap<>(r.fields());
        fields.remove(name);
        return new Reading(r.deviceId(), r.site(), r.kind(), r.tags(), fields, r.deviceTime(), r.receivedAt());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
