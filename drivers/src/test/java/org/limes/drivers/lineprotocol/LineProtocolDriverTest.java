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
                bytes("people_count,device=cam-07,zone=gate\\ 2 in=12i,out=9i,ok=T,note=\"a \\\"b\\\"\" 1764136800000000000"),
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
    void backslashesInNamesAndTagValuesSurviveEncodeAndDecode(String value) throws DecodeException {
        Reading r = new Reading("d\\", "", "m" + value, Map.of("t" + value, value, "z", "after"),
                Map.of("f" + value, 1L, "s", value), Instant.parse("2026-11-26T06:00:00Z"), RECEIVED_AT);

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

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
