package org.limes.drivers.lineprotocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.limes.drivers.DecodeException;
import org.limes.drivers.DecodeResult;
import org.limes.drivers.Driver;
import org.limes.drivers.DriverContractTest;
import org.limes.drivers.DriverOptions;
import org.limes.drivers.Framing;
import org.limes.drivers.Reading;

class LineProtocolDriverTest extends DriverContractTest {

    private final LineProtocolDriver driver = new LineProtocolDriver("device", LineProtocolDriver.Precision.NS);

    @Override
    protected Driver driver() {
        return driver;
    }

    @Override
    protected List<byte[]> validFrames() {
        return List.of(
                bytes("gate_count,device=cam-07,zone=gate\\ 2 in=12i,out=9i,ok=T,note=\"a \\\"b\\\"\" 1764136800000000000"),
                bytes("m,device=d,a=x\\\\,b=back\\slash f=1.5e3,u=3u,s=\"\\\\\" -5"),
                bytes("# c\nweather,device=ws-1 t=21.5\nweather,device=ws-2 t=-0.5 1\n"));
    }

    @Test
    void declaresNewlineFramingAndItsName() {
        assertThat(driver.framing()).isEqualTo(Framing.NEWLINE);
        assertThat(driver.name()).isEqualTo("lineprotocol");
    }

    @Test
    void theLinesAroundABadOneStillDecode() {
        DecodeResult result = driver.decodeAll(frame(bytes("m,device=a f=1i\nm,device=b f=\"x\nm,device=c f=2i\n")));

        assertThat(result.readings()).extracting(Reading::deviceId).containsExactly("a", "c");
        assertThat(result.errors()).singleElement().satisfies(e -> {
            assertThat(e.line()).isEqualTo(2);
            assertThat(e.column()).isEqualTo(14);
            assertThat(e.getMessage()).isEqualTo("line 2, column 14: field 'f': string value without its closing '\"'");
            assertThat(e.errorType()).isEqualTo("malformed");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\\", "\\", "a\\\\", "\\,", "x\\ y", "\\=", "q\\\"", "ends with \\\\\\"})
    void backslashesInTagValuesAndStringsSurviveEncodeAndDecode(String value) throws DecodeException {
        Reading r = new Reading("d\\", "", "m", Map.of("t", value, "z", "after"),
                Map.of("f", 1L, "s", value), Instant.parse("2026-11-26T06:00:00Z"), RECEIVED_AT);

        byte[] encoded = driver.encode(r);

        assertThat(driver.decode(frame(encoded))).as(new String(encoded, StandardCharsets.UTF_8))
                .containsExactly(r);
    }

    @Test
    void theStoreEncoderNoLongerLetsATrailingBackslashEscapeTheSeparator() throws DecodeException {
        Reading r = new Reading("cnt-01", "", "m", Map.of("a", "x\\", "b", "y"), Map.of("f", 1L),
                Instant.parse("2026-11-26T06:00:00Z"), RECEIVED_AT);

        String line = LineProtocolEncoder.encode(r);

        assertThat(line).isEqualTo("m,a=x\\\\,b=y,device=cnt-01 f=1i 1795672800000000000");
        assertThat(driver.decode(frame(bytes(line))).get(0).tags()).containsEntry("a", "x\\").containsEntry("b", "y");
    }

    @Test
    void invalidUtf8IsReportedAtItsLineAndColumn() {
        byte[] frame = {'m', ',', 'd', 'e', 'v', 'i', 'c', 'e', '=', 'd', ' ', 'f', '=', '"', (byte) 0xC3, '"'};

        assertThatThrownBy(() -> driver.decode(frame(frame))).hasMessage("line 1, column 15: not valid UTF-8 (frame byte 14)");
    }

    @Test
    void precisionAndDeviceTagOptions() throws DecodeException {
        Driver seconds = new LineProtocolDriverFactory().create(DriverOptions.of(Map.of("precision", "s",
                "device_tag", "host")));

        Reading r = seconds.decode(frame(bytes("cpu,host=gw usage=1 1764136800"))).get(0);

        assertThat(r.deviceId()).isEqualTo("gw");
        assertThat(r.deviceTime()).isEqualTo(Instant.parse("2025-11-26T06:00:00Z"));
        assertThat(new String(seconds.encode(r), StandardCharsets.UTF_8)).isEqualTo("cpu,host=gw usage=1.0 1764136800");
        assertThatThrownBy(() -> seconds.encode(new Reading("gw", "", "cpu", Map.of(), Map.of("u", 1L),
                Instant.parse("2025-11-26T06:00:00.5Z"), RECEIVED_AT)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("precision s");
    }

    @Test
    void factoryValidatesItsOptionsNamingThem() {
        LineProtocolDriverFactory factory = new LineProtocolDriverFactory();

        assertThatThrownBy(() -> factory.create(DriverOptions.of(Map.of("precision", "h"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("option precision must be one of");
        assertThatThrownBy(() -> factory.create(DriverOptions.of(Map.of("device_tag", " "))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("option device_tag");
        assertThatThrownBy(() -> factory.create(DriverOptions.of(Map.of("measurement", "x"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("measurement");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "plc-x,device=lp-1 v=1|line 1, column 1: measurement 'plc-x': names the store can hold are 1..127 ASCII "
                    + "letters, digits or underscores, starting with a letter",
            "plc,device=lp-1,zo-ne=a v=1|line 1, column 17: tag key 'zo-ne': names the store can hold are 1..127 "
                    + "ASCII letters, digits or underscores, starting with a letter",
            "plc,device=lp-1 v.x=1|line 1, column 17: field key 'v.x': names the store can hold are 1..127 ASCII "
                    + "letters, digits or underscores, starting with a letter",
            "_measurement,device=lp-1 v=1|line 1, column 1: measurement '_measurement': names the store can hold "
                    + "are 1..127 ASCII letters, digits or underscores, starting with a letter",
            "plc,device=lp-1 timestamp=1i|line 1, column 17: field 'timestamp' is, in some letter case, a name the "
                    + "gateway writes itself (device, site, timestamp and time are the gateway's)"})
    void aNameTheStoreCannotHoldIsAnErrorNamingIt(String lineAndError) {
        String[] parts = lineAndError.split("\\|");

        assertThatThrownBy(() -> driver.decode(frame(bytes(parts[0])))).isInstanceOf(DecodeException.class)
                .hasMessage(parts[1]);
    }

    @Test
    void aNameOfTheMaximumLengthIsAccepted() throws DecodeException {
        String longest = "m" + "x".repeat(126);

        String tag = "t" + "x".repeat(126);
        String field = "f" + "x".repeat(126);
        Reading r = driver.decode(frame(bytes(longest + ",device=d," + tag + "=v " + field + "=1i 1"))).get(0);

        assertThat(r.kind()).isEqualTo(longest);
        assertThatThrownBy(() -> driver.decode(frame(bytes(longest + "x,device=d f=1i 1"))))
                .hasMessageContaining("1..127");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "vehicle_count,device=lp-1,Device=cnt-01,Device_class=counter,Lane=1 count_car=999i,count_total=999i "
                    + "1764136800000000000|line 1, column 1: measurement 'vehicle_count' is a kind Limes drivers "
                    + "write; a line-protocol device may write it only when the source's option allow_kinds lists it",
            "alert,device=lp-1,Device=cam-01,Rule=watchlist alert_id=\"x\" 1|line 1, column 1: measurement 'alert' "
                    + "holds the gateway's alert transitions; a device may not write it",
            "ALERT,device=lp-1 v=1|line 1, column 1: measurement 'ALERT' holds the gateway's alert transitions; a "
                    + "device may not write it",
            "Vehicle_Count,device=lp-1 v=1|line 1, column 1: measurement 'Vehicle_Count' is a kind Limes drivers "
                    + "write; a line-protocol device may write it only when the source's option allow_kinds lists it",
            "plc,device=lp-1,Device=cnt-01 v=1|line 1, column 17: tag 'Device' is, in some letter case, a name the "
                    + "gateway writes itself ('device' names the device; device, site, timestamp and time are the "
                    + "gateway's)",
            "plc,device=lp-1,SITE=x v=1|line 1, column 17: tag 'SITE' is, in some letter case, a name the gateway "
                    + "writes itself ('device' names the device; device, site, timestamp and time are the gateway's)",
            "plc,device=lp-1,site=x v=1|line 1, column 17: tag 'site' is, in some letter case, a name the gateway "
                    + "writes itself ('device' names the device; device, site, timestamp and time are the gateway's)",
            "plc,device=lp-1,Lane=1,lane=2 v=1|line 1, column 24: tags 'Lane' and 'lane' differ only in letter case, "
                    + "and the store reads them as one",
            "plc,device=lp-1 v=1,V=2|line 1, column 21: fields 'v' and 'V' differ only in letter case, and the store "
                    + "reads them as one",
            "plc,device=lp-1,zone=a Zone=1i|line 1, column 24: field 'Zone' has the name of tag 'zone', and the "
                    + "store reads them as one column",
            "plc,device=lp-1 Device=\"cnt-01\"|line 1, column 17: field 'Device' is, in some letter case, a name "
                    + "the gateway writes itself (device, site, timestamp and time are the gateway's)"})
    void aDeviceCannotWriteTheGatewaysNamesOrMeasurements(String lineAndError) {
        String[] parts = lineAndError.split("\\|");

        assertThatThrownBy(() -> driver.decode(frame(bytes(parts[0])))).isInstanceOf(DecodeException.class)
                .hasMessage(parts[1]);
    }

    @Test
    void anotherDeviceTagStillCannotBeShadowed() {
        Driver host = new LineProtocolDriverFactory().create(DriverOptions.of(Map.of("device_tag", "host")));

        assertThatThrownBy(() -> host.decode(frame(bytes("cpu,host=gw,device=cnt-01 u=1"))))
                .hasMessageContaining("tag 'device' is, in some letter case, a name the gateway writes itself");
        assertThatThrownBy(() -> host.decode(frame(bytes("cpu,host=gw,HOST=gw2 u=1"))))
                .hasMessageContaining("tag 'HOST' is, in some letter case, a name the gateway writes itself");
    }

    @Test
    void optionAllowKindsLetsASourceWriteListedLimesKindsButNeverAlerts() throws DecodeException {
        LineProtocolDriverFactory factory = new LineProtocolDriverFactory();
        Driver plcCounter = factory.create(DriverOptions.of(Map.of("allow_kinds", "vehicle_count, people_count")));

        assertThat(plcCounter.decode(frame(bytes("vehicle_count,device=plc-1,lane=1 count_car=3i 1"))))
                .extracting(Reading::kind).containsExactly("vehicle_count");
        assertThatThrownBy(() -> plcCounter.decode(frame(bytes("radar_track,device=plc-1 range_m=3 1"))))
                .hasMessageContaining("option allow_kinds");
        assertThatThrownBy(() -> plcCounter.decode(frame(bytes("vehicle_count,device=plc-1,Device=cnt-01 c=3i 1"))))
                .hasMessageContaining("tag 'Device'");
        assertThatThrownBy(() -> factory.create(DriverOptions.of(Map.of("allow_kinds", "alert"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("option allow_kinds")
                .hasMessageContaining("got 'alert'");
        assertThatThrownBy(() -> factory.create(DriverOptions.of(Map.of("allow_kinds", "cpu"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 'cpu'");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
