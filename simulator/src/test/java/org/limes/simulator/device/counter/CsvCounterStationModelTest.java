package org.limes.simulator.device.counter;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.limes.drivers.DecodeException;
import org.limes.drivers.Driver;
import org.limes.drivers.DriverContractTest;
import org.limes.drivers.DriverOptions;
import org.limes.drivers.Drivers;
import org.limes.drivers.Frame;
import org.limes.drivers.Reading;

class CsvCounterStationModelTest {

    private final CsvCounterStationModel model =
            new CsvCounterStationModel(7, "st", 6, 3, ZoneId.of("Africa/Tripoli"), 30);
    private final Driver driver = Drivers.load().create("counter-csv",
            DriverOptions.of(Map.of("zone", "Africa/Tripoli", "interval_s", "30")));

    @Test
    void everyStationLineDecodesBackToItsReadings() throws DecodeException {
        Instant t0 = Instant.parse("2026-11-26T06:00:00Z");
        for (int station = 1; station <= model.stations(); station++) {
            for (int i = 0; i < 20; i++) {
                Instant end = t0.plusSeconds(30L * i);
                List<Reading> expected = model.readings(station, end);

                List<Reading> decoded = driver.decode(new Frame(model.line(station, end), "sim", "csv", end));

                assertThat(decoded).hasSameSizeAs(expected);
                for (int k = 0; k < expected.size(); k++) {
                    DriverContractTest.assertSameReading(expected.get(k), decoded.get(k), "station " + station);
                }
            }
        }
    }

    @Test
    void everyThirdStationHasNoSpeedOnLaneOne() {
        Instant t = Instant.parse("2026-11-26T06:00:00Z");

        assertThat(model.readings(3, t).get(0).fields()).doesNotContainKey("speed_avg_mps");
        assertThat(model.readings(3, t).get(1).fields()).containsKey("speed_avg_mps");
        assertThat(model.readings(1, t).get(0).fields()).containsKey("speed_avg_mps");
    }

    @Test
    void isDeterministicBySeed() {
        Instant t = Instant.parse("2026-11-26T06:00:00Z");

        assertThat(new CsvCounterStationModel(7, "st", 6, 3, ZoneId.of("Africa/Tripoli"), 30).line(2, t))
                .isEqualTo(model.line(2, t));
        assertThat(new String(model.line(2, t))).startsWith("st-2,3,").endsWith(",2026-11-26 08:00:00");
    }
}
