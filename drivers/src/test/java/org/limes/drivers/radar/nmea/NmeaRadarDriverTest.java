package org.limes.drivers.radar.nmea;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.limes.drivers.DecodeException;
import org.limes.drivers.DecodeResult;
import org.limes.drivers.Driver;
import org.limes.drivers.DriverContractTest;
import org.limes.drivers.DriverOptions;
import org.limes.drivers.Frame;
import org.limes.drivers.Framing;
import org.limes.drivers.Reading;

class NmeaRadarDriverTest extends DriverContractTest {

    private final NmeaRadarDriver driver = new NmeaRadarDriver("radar-north", true);

    @Override
    protected Driver driver() {
        return driver;
    }

    @Override
    protected DriverOptions options() {
        return DriverOptions.of(Map.of("device", "radar-north"));
    }

    @Override
    protected List<byte[]> validFrames() {
        return List.of(
                sentence("RATTM,07,0.50,045.0,T,10.0,270.0,T,0.10,-1.5,N,PED1,T,R,060000.50,A"),
                sentence("RATTM,12,,,,,,,,,,,L,,,"),
                sentence("GPTLL,8,3253.0580,N,01133.3780,E,CAR^2C1,060001,T,"));
    }

    private static byte[] sentence(String body) {
        return NmeaEncoder.withChecksum(body);
    }

    private static String text(String body) {
        return new String(sentence(body), StandardCharsets.US_ASCII);
    }

    @Test
    void declaresNewlineFramingAndItsName() {
        assertThat(driver.framing()).isEqualTo(Framing.NEWLINE);
        assertThat(driver.name()).isEqualTo("radar-nmea");
    }

    @Test
    void convertsEveryUnitToCanonicalOnes() throws DecodeException {
        Reading n = decodeOne(text("RATTM,1,1,0,T,1,0,T,1,1,N,,T,,,A"));
        Reading k = decodeOne(text("RATTM,1,1,0,T,1,0,T,1,1,K,,T,,,A"));
        Reading s = decodeOne(text("RATTM,1,1,0,T,1,0,T,1,1,S,,T,,,A"));

        assertThat(n.fields()).containsEntry("range_m", 1852.0).containsEntry("cpa_m", 1852.0)
                .containsEntry("tcpa_s", 60.0);
        assertThat((Double) n.fields().get("speed_mps")).isCloseTo(0.514444, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(k.fields()).containsEntry("range_m", 1000.0);
        assertThat((Double) k.fields().get("speed_mps")).isCloseTo(1 / 3.6, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(s.fields()).containsEntry("range_m", 1609.344);
        assertThat((Double) s.fields().get("speed_mps")).isCloseTo(0.44704, org.assertj.core.data.Offset.offset(1e-12));
    }

    @ParameterizedTest(name = "{0} received {1} -> {2}")
    @CsvSource({
        "235959.00, 2026-11-26T00:00:01Z, 2026-11-25T23:59:59Z",
        "000001.00, 2026-11-25T23:59:59Z, 2026-11-26T00:00:01Z",
        "120000.00, 2026-11-26T12:00:00Z, 2026-11-26T12:00:00Z",
        "000000.00, 2026-11-26T12:00:00Z, 2026-11-26T00:00:00Z",
        "060000.123456789, 2026-11-26T06:00:00Z, 2026-11-26T06:00:00.123456789Z",
    })
    void aTimeOfDayTakesTheDayNearestTheReceiveTime(String utc, String received, String expected) throws DecodeException {
        Frame f = new Frame(sentence("RATTM,1,,,,,,,,,,,T,," + utc + ",A"), "t", "t", Instant.parse(received));

        assertThat(driver.decode(f).get(0).deviceTime()).isEqualTo(Instant.parse(expected));
        assertThat(NmeaFields.nearest(LocalTime.parse("12:00"), Instant.parse("2026-11-26T00:00:00Z")))
                .as("a tie goes to the earlier day").isEqualTo(Instant.parse("2026-11-25T12:00:00Z"));
    }

    @Test
    void aFrameOfSeveralSentencesKeepsTheGoodOnesAroundABadOne() {
        String frame = text("RATTM,1,1,0,T,,,,,,N,,T,,,A") + "\r\n" + text("RATTM,2,x,0,T,,,,,,N,,T,,,A") + "\r\n"
                + text("RATTM,3,1,0,T,,,,,,N,,T,,,A") + "\r\n";

        DecodeResult result = driver.decodeAll(frame(frame.getBytes(StandardCharsets.US_ASCII)));

        assertThat(result.readings()).extracting(r -> r.tags().get("track")).containsExactly("1", "3");
        assertThat(result.errors()).extracting(Throwable::getMessage)
                .containsExactly("field TTM.2 (distance): not a number: 'x'");
        assertThatThrownBy(() -> driver.decode(frame(frame.getBytes(StandardCharsets.US_ASCII))))
                .hasMessage("field TTM.2 (distance): not a number: 'x'");
    }

    @Test
    void aChecksumIsVerifiedEvenWhenNotRequired() {
        NmeaRadarDriver relaxed = new NmeaRadarDriver("r", false);
        byte[] bad = "$RATTM,1,,,,,,,,,,,T,,,A*00".getBytes(StandardCharsets.US_ASCII);

        assertThatThrownBy(() -> relaxed.decode(frame(bad))).hasMessageStartingWith("byte 25: checksum mismatch");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "$RATTM,1,,,,,,,,,,,T,,,A*4|byte 25: checksum must be two hex digits after '*', got '4'",
        "$RA$TTM,1*00|byte 3: unexpected '$' inside a sentence",
        "$RATT,1,,,,,,,,,,,T,,,A|byte 1: the address must be a two-letter talker and a three-letter sentence formatter, e.g. RATTM, got 'RATT'",
    })
    void rejectsMalformedSentencesByOffset(String raw, String message) {
        NmeaRadarDriver relaxed = new NmeaRadarDriver("r", false);
        assertThatThrownBy(() -> relaxed.decode(frame(raw.getBytes(StandardCharsets.US_ASCII))))
                .isInstanceOf(DecodeException.class).hasMessage(message);
    }

    @Test
    void factoryRequiresTheDeviceAndRejectsUnknownOptions() {
        NmeaRadarDriverFactory factory = new NmeaRadarDriverFactory();

        assertThatThrownBy(() -> factory.create(DriverOptions.empty()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("option device is required");
        assertThatThrownBy(() -> factory.create(DriverOptions.of(Map.of("device", "r", "talker", "RA"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("talker");
        assertThatThrownBy(() -> factory.create(DriverOptions.of(Map.of("device", "r", "require_checksum", "no"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("require_checksum");
    }

    @Test
    void encodeWritesTheSentenceWithItsChecksum() throws DecodeException {
        Reading r = decodeOne(text("RATTM,07,0.50,045.0,T,10.0,270.0,T,0.10,-1.5,N,PED1,T,,060000.50,A"));

        assertThat(new String(driver.encode(r), StandardCharsets.US_ASCII))
                .isEqualTo(text("RATTM,07,0.5,45,T,10,270,T,0.1,-1.5,N,PED1,T,,060000.50,A"));
    }

    @Test
    void encodeRefusesWhatTheFormatCannotCarry() throws DecodeException {
        Reading r = decodeOne(text("RATTM,07,0.50,045.0,T,,,,,,N,,T,,060000.50,A"));

        assertThatThrownBy(() -> driver.encode(r.withExtraTags(Map.of("zone", "z"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("zone");
        Reading farFromReceipt = new Reading(r.deviceId(), "", r.kind(), r.tags(), r.fields(),
                r.receivedAt().minusSeconds(13 * 3600), r.receivedAt());
        assertThatThrownBy(() -> driver.encode(farFromReceipt))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("12 h");
    }

    private Reading decodeOne(String s) throws DecodeException {
        List<Reading> readings = driver.decode(frame(s.getBytes(StandardCharsets.US_ASCII)));
        assertThat(readings).hasSize(1);
        return readings.get(0);
    }
}
