package org.limes.simulator.device.camera;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.limes.drivers.Driver;
import org.limes.drivers.DriverOptions;
import org.limes.drivers.Drivers;
import org.limes.drivers.Frame;
import org.limes.drivers.Reading;

class CameraHealthModelTest {

    private static final Instant MIDNIGHT = Instant.parse("2026-07-01T00:00:00Z");

    private final CameraHealthModel model = new CameraHealthModel(11, "cam", 6);

    @Test
    void everyReportDecodesBackThroughCameraJson() throws Exception {
        Driver driver = Drivers.load().create("camera-json", DriverOptions.empty());
        for (int minute = 0; minute < 24 * 60; minute += 11) {
            for (int camera = 1; camera <= 6; camera++) {
                Instant t = MIDNIGHT.plusSeconds(60L * minute);
                List<Reading> decoded = driver.decode(new Frame(model.frame(camera, t), "test", "camera", t));

                assertThat(decoded).containsExactly(model.next(camera, t));
            }
        }
    }

    @Test
    void mostlyHealthyWithOccasionalTamperVideoLossAndOutage() {
        int tamper = 0;
        int videoLoss = 0;
        int offline = 0;
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            Reading r = model.next(1 + i % 6, MIDNIGHT.plusSeconds(30L * i));
            if (Boolean.FALSE.equals(r.fields().get("online"))) {
                offline++;
                assertThat(r.fields()).hasSize(1);
                continue;
            }
            assertThat(r.number("temperature_c")).isBetween(25.0, 60.0);
            if (Boolean.TRUE.equals(r.fields().get("tamper"))) {
                tamper++;
            }
            if (Boolean.TRUE.equals(r.fields().get("video_loss"))) {
                videoLoss++;
                assertThat(r.number("fps")).isZero();
            } else {
                assertThat(r.number("fps")).isBetween(24.0, 25.0);
            }
        }
        assertThat(offline).isBetween(n / 200, n / 50);
        assertThat(videoLoss).isBetween(n / 200, n / 50);
        assertThat(tamper).isBetween(n / 800, n / 100);
    }

    @Test
    void afternoonIsHotterThanNightAndSeedIsDeterministic() {
        double night = 0;
        double afternoon = 0;
        for (int m = 0; m < 60; m++) {
            night += temperature(model.next(1, Instant.parse("2026-07-01T03:00:00Z").plusSeconds(60L * m)));
            afternoon += temperature(model.next(1, Instant.parse("2026-07-01T15:00:00Z").plusSeconds(60L * m)));
        }
        assertThat(afternoon).isGreaterThan(night + 60 * 5);
        assertThat(new CameraHealthModel(11, "cam", 6).next(4, MIDNIGHT)).isEqualTo(model.next(4, MIDNIGHT));
        assertThat(model.deviceId(4)).isEqualTo("cam-04");
    }

    private static double temperature(Reading r) {
        return r.fields().containsKey("temperature_c") ? r.number("temperature_c") : 42.5;
    }
}
