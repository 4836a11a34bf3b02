package org.limes.drivers.counter.csv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.limes.drivers.DecodeException;
import org.limes.drivers.Driver;
import org.limes.drivers.DriverContractTest;
import org.limes.drivers.DriverOptions;
import org.limes.drivers.Frame;
import org.limes.drivers.Framing;
import org.limes.drivers.Reading;

class CsvCounterDriverTest extends DriverContractTest {

    private final CsvCounterDriver driver = new CsvCounterDriver(ZoneId.of("Africa/Tripoli"), 30, "inbound");

    @Override
    protected Driver driver() {
        return driver;
    }

    @Override
    protected DriverOptions options() {
        return DriverOptions.of(Map.of("zone", "Africa/Tripoli"));
    }

    @Override
    protected List<byte[]> validFrames() {
        return List.of(bytes("401,2,12,61.5,120,9,58.0,95,2026-11-26 08:00:00"),
                bytes("s-7,3,,,,0,0,0,1000,250,1000,2026-11-26 07:59:30"),
                bytes("x,1,5,,,2026-11-26 08:00:00"));
    }

    @Test
    void declaresNewlineFramingAndItsName() {
        assertThat(driver.framing()).isEqualTo(Framing.NEWLINE);
        assertThat(driver.name()).isEqualTo("counter-csv");
    }

    @Test
    void decodesTheWorkedExample() throws DecodeException {
        List<Reading> readings = driver.decode(frame(bytes("401,2,12,61.5,120,9,,95,2026-11-26 08:00:00")));

        assertThat(readings).hasSize(2);
        Reading lane1 = readings.get(0);
        assertThat(lane1.deviceId()).isEqualTo("401");
        assertThat(lane1.tags()).isEqualTo(Map.of("lane", "1", "direction", "inbound"));
        assertThat(lane1.fields()).containsOnly(Map.entry("count_total", 12L), Map.entry("interval_s", 30L),
                Map.entry("speed_avg_mps", 61.5 * 0.44704), Map.entry("occupancy_pct", 12.0));
        assertThat(lane1.deviceTime()).isEqualTo(Instant.parse("2026-11-26T06:00:00Z"));
        assertThat(readings.get(1).fields()).doesNotContainKey("speed_avg_mps").containsEntry("occupancy_pct", 9.5);
    }

    @Test
    void encodeStationWritesEveryLaneAndEmptyGroupsForMissingOnes() throws DecodeException {
        List<Reading> readings = driver.decode(frame(bytes("401,3,12,61.5,120,,,,4,40,300,2026-11-26 08:00:00")));

        String line = new String(driver.encodeStation(readings), StandardCharsets.US_ASCII);

        assertThat(line).isEqualTo("401,3,12,61.5,120,,,,4,40,300,2026-11-26 08:00:00");
    }

    @Test
    void encodeRefusesWhatTheOptionsOrFormatCannotCarry() throws DecodeException {
        Reading r = driver.decode(frame(bytes("401,1,12,61.5,120,2026-11-26 08:00:00"))).get(0);
        CsvCounterDriver outbound = new CsvCounterDriver(ZoneId.of("Africa/Tripoli"), 60, "outbound");

        assertThatThrownBy(() -> outbound.encode(r)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("direction");
        assertThatThrownBy(() -> driver.encode(r.withExtraTags(Map.of("zone", "z"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tags");
        Reading fractional = new Reading("401", "", "vehicle_count", r.tags(), r.fields(),
                r.deviceTime().plusMillis(500), r.receivedAt());
        assertThatThrownBy(() -> driver.encode(fractional)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fraction");
    }

    @Test
    void aRepeatedLocalHourTakesTheOffsetNearestTheReceiveTime() throws DecodeException {
        CsvCounterDriver berlin = new CsvCounterDriver(ZoneId.of("Europe/Berlin"), 30, "inbound");
        byte[] line = bytes("401,1,5,,,2026-10-25 02:30:00");

        Instant early = berlin.decode(new Frame(line, "t", "t", Instant.parse("2026-10-25T00:31:00Z"))).get(0).deviceTime();
        Instant late = berlin.decode(new Frame(line, "t", "t", Instant.parse("2026-10-25T01:31:00Z"))).get(0).deviceTime();

        assertThat(early).isEqualTo(Instant.parse("2026-10-25T00:30:00Z"));
        assertThat(late).isEqualTo(Instant.parse("2026-10-25T01:30:00Z"));
    }

    @Test
    void factoryValidatesItsOptionsNamingThem() {
        CsvCounterDriverFactory factory = new CsvCounterDriverFactory();

        assertThatThrownBy(() -> factory.create(DriverOptions.empty()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("option zone is required");
        assertThatThrownBy(() -> factory.create(DriverOptions.of(Map.of("zone", "Mars/Olympus"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("option zone must be an IANA time zone id").hasMessageContaining("Mars/Olympus");
        assertThatThrownBy(() -> factory.create(DriverOptions.of(Map.of("zone", "UTC", "interval_s", "0"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("option interval_s must be");
        assertThatThrownBy(() -> factory.create(DriverOptions.of(Map.of("zone", "UTC", "direction", "north"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("option direction must be");
        assertThatThrownBy(() -> factory.create(DriverOptions.of(Map.of("zone", "UTC", "lanes", "2"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lanes");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
