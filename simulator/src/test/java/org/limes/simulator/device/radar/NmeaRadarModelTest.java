package org.limes.simulator.device.radar;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.limes.drivers.DecodeResult;
import org.limes.drivers.Driver;
import org.limes.drivers.DriverOptions;
import org.limes.drivers.Drivers;
import org.limes.drivers.Frame;
import org.limes.drivers.Reading;

class NmeaRadarModelTest {

    private static final Instant START = Instant.parse("2026-11-26T23:59:00Z");

    private final NmeaRadarModel model = new NmeaRadarModel(42, "radar-north", 20, 3000, 32.8843, 11.5563, START);
    private final Driver driver = Drivers.load().create("radar-nmea", DriverOptions.of(Map.of("device", "radar-north")));

    @Test
    void everyScanDecodesBackThroughTheDriverAcrossMidnight() {
        for (int s = 0; s <= 600; s += 30) {
            Instant t = START.plusSeconds(s).plusMillis(250);
            List<Reading> expected = model.scan(t);

            DecodeResult decoded = driver.decodeAll(new Frame(model.scanSentences(t), "sim", "radar", t));

            assertThat(decoded.errors()).as("at " + t).isEmpty();
            assertThat(decoded.readings()).as("at " + t).hasSameSizeAs(expected);
            for (int i = 0; i < expected.size(); i++) {
                Reading want = expected.get(i);
                Reading got = decoded.readings().get(i);
                assertThat(got.tags()).isEqualTo(want.tags());
                assertThat(got.deviceTime()).isEqualTo(want.deviceTime());
                assertThat(got.fields().keySet()).isEqualTo(want.fields().keySet());
                want.fields().forEach((k, v) -> {
                    if (v instanceof Double d) {
                        assertThat((Double) got.fields().get(k)).as(k).isCloseTo(d, org.assertj.core.data.Offset.offset(1e-9));
                    } else {
                        assertThat(got.fields().get(k)).as(k).isEqualTo(v);
                    }
                });
            }
        }
    }

    @Test
    void peopleWalkAndVehiclesDriveAlongStraightLines() {
        List<Reading> first = model.scan(START);
        for (Reading r : first) {
            if (!r.fields().containsKey("speed_mps")) {
                continue;
            }
            int k = Integer.parseInt(r.tags().get("track"));
            double speed = r.number("speed_mps");
            if (NmeaRadarModel.isPerson(k)) {
                assertThat(speed).isBetween(1.0, 2.0);
            } else {
                assertThat(speed).isBetween(5.0, 30.0);
            }
        }
        Reading a = model.scan(START).get(0);
        Reading b = model.scan(START.plusSeconds(10)).get(0);
        assertThat(b.fields().get("course_deg")).as("a straight path keeps its course").isEqualTo(a.fields().get("course_deg"));
    }

    @Test
    void isDeterministicBySeed() {
        Instant t = START.plusSeconds(45);
        assertThat(new NmeaRadarModel(42, "radar-north", 20, 3000, 32.8843, 11.5563, START).scanSentences(t))
                .isEqualTo(model.scanSentences(t));
        assertThat(new NmeaRadarModel(43, "radar-north", 20, 3000, 32.8843, 11.5563, START).scanSentences(t))
                .isNotEqualTo(model.scanSentences(t));
    }

    @Test
    void tracksLeavingTheRangeAreReportedLost() {
        List<Reading> later = model.scan(START.plusSeconds(3600));

        assertThat(later).anySatisfy(r -> assertThat(r.tags()).containsEntry("status", "lost"));
    }
}
