package org.limes.simulator.device.radar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.limes.drivers.DecodeException;
import org.limes.drivers.Driver;
import org.limes.drivers.DriverOptions;
import org.limes.drivers.Drivers;
import org.limes.drivers.Frame;
import org.limes.drivers.Reading;

class AsterixRadarModelTest {

    private static final Instant START = Instant.parse("2026-11-26T06:00:00Z");

    private final AsterixRadarModel model = new AsterixRadarModel(7, "radar-north", 6, 25, 12, START);
    private final Driver gatewayDriver = Drivers.load().create("radar-asterix",
            DriverOptions.of(Map.of("device", "radar-north", "sensor_lat", "32.8843", "sensor_lon", "11.5563")));

    @Test
    void framesDecodeThroughTheDriverToTheModelsTracks() throws DecodeException {
        Instant t = START.plusSeconds(90).plusMillis(250);
        List<Reading> sent = model.readings(t);

        List<Reading> got = gatewayDriver.decode(new Frame(model.frame(t), "udp", "radar", t.plusMillis(300)));

        assertThat(got).hasSize(6);
        for (int i = 0; i < 6; i++) {
            Reading want = sent.get(i);
            Reading r = got.get(i);
            assertThat(r.tags()).isEqualTo(want.tags());
            assertThat(r.deviceTime()).isEqualTo(t);
            assertThat(r.number("x_m")).isCloseTo(want.number("x_m"), within(0.25));
            assertThat(r.number("y_m")).isCloseTo(want.number("y_m"), within(0.25));
            assertThat(r.number("vx_mps")).isCloseTo(want.number("vx_mps"), within(0.125));
            assertThat(r.number("speed_mps")).isBetween(0.5, 25.5);
            assertThat(r.fields()).containsKeys("lat_deg", "lon_deg", "heading_deg");
            assertThat(r.number("lat_deg")).isCloseTo(32.8843, within(0.2));
        }
    }

    @Test
    void tracksMoveInStraightLinesAtPeopleAndVehicleSpeeds() {
        Reading a = model.readings(START).get(1);
        Reading b = model.readings(START.plusSeconds(10)).get(1);

        assertThat(b.number("x_m") - a.number("x_m")).isCloseTo(10 * a.number("vx_mps"), within(1e-6));
        assertThat(b.number("y_m") - a.number("y_m")).isCloseTo(10 * a.number("vy_mps"), within(1e-6));
        Reading walker = model.readings(START).get(0);
        assertThat(Math.hypot(walker.number("vx_mps"), walker.number("vy_mps"))).isBetween(0.8, 2.0);
        assertThat(Math.hypot(a.number("vx_mps"), a.number("vy_mps"))).isBetween(4.0, 25.0);
    }

    @Test
    void theSameSeedGivesTheSameFramesAndAnotherSeedOtherOnes() {
        Instant t = START.plusSeconds(30);

        assertThat(new AsterixRadarModel(7, "radar-north", 6, 25, 12, START).frame(t)).isEqualTo(model.frame(t));
        assertThat(new AsterixRadarModel(8, "radar-north", 6, 25, 12, START).frame(t)).isNotEqualTo(model.frame(t));
    }

    @Test
    void rejectsImpossibleSettings() {
        assertThatThrownBy(() -> new AsterixRadarModel(1, "r", 0, 1, 1, START))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tracks must be 1..4095");
        assertThatThrownBy(() -> new AsterixRadarModel(1, "r", 1, 256, 1, START))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sac and sic");
    }
}
