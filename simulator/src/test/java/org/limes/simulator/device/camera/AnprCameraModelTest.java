package org.limes.simulator.device.camera;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.limes.drivers.Driver;
import org.limes.drivers.DriverContractTest;
import org.limes.drivers.DriverOptions;
import org.limes.drivers.Drivers;
import org.limes.drivers.EventKey;
import org.limes.drivers.Frame;
import org.limes.drivers.Reading;
import org.limes.simulator.device.camera.AnprCameraModel.Wire;

class AnprCameraModelTest {

    private static final Instant START = Instant.parse("2026-03-01T06:00:00Z");
    private static final Map<String, String> PLATE_FORMS = Map.of(
            "LY", "[1-9][0-9]?-[0-9]{4,6}",
            "TN", "[1-9][0-9]{0,2} TU [1-9][0-9]{0,3}",
            "EG", "\\p{InArabic} \\p{InArabic} \\p{InArabic} [\u0661-\u0669][\u0660-\u0669]{3}",
            "DZ", "[0-9]{5} [12][0-9]{2} (0[1-9]|[1-4][0-9]|5[0-8])");

    @ParameterizedTest
    @EnumSource(Wire.class)
    void everyFrameDecodesBackThroughItsDriver(Wire wire) throws Exception {
        AnprCameraModel model = new AnprCameraModel(7, "anpr", 4, wire);
        Driver driver = Drivers.load().create(wire.driver(), DriverOptions.empty());
        for (int second = 0; second < 400; second += 3) {
            for (int camera = 1; camera <= 4; camera++) {
                Instant t = START.plusSeconds(second).plusMillis(camera);
                // Decoding marks each read an event, as precise as the time the camera wrote.
                Reading expected = EventKey.mark(model.next(camera, t), EventKey.precisionOf(t.toString()));

                List<Reading> decoded = driver.decode(new Frame(model.frame(camera, t), "test", "camera", t));

                assertThat(decoded).hasSize(1);
                DriverContractTest.assertSameReading(expected, decoded.get(0), "camera " + camera + " at " + t);
            }
        }
    }

    @Test
    void platesFollowTheirCountrysFormAndSharesAreRoughlyRight() {
        AnprCameraModel model = new AnprCameraModel(3, "anpr", 2, Wire.CAMERA_JSON);
        Map<String, Integer> perCountry = new HashMap<>();
        int n = 4000;
        for (int i = 0; i < n; i++) {
            Reading r = model.next(1 + i % 2, START.plusSeconds(i));
            String country = r.tags().get("country");
            assertThat((String) r.fields().get("plate")).as(country).matches(PLATE_FORMS.get(country));
            assertThat(r.number("confidence_pct")).isBetween(30.0, 99.9);
            perCountry.merge(country, 1, Integer::sum);
        }
        assertThat(perCountry.get("LY")).isBetween(n * 45 / 100, n * 55 / 100);
        assertThat(perCountry.get("TN")).isBetween(n * 30 / 100, n * 40 / 100);
        assertThat(perCountry.get("EG")).isBetween(n * 7 / 100, n * 13 / 100);
        assertThat(perCountry.get("DZ")).isBetween(n * 3 / 100, n * 8 / 100);
    }

    @Test
    void sameSeedSameReadsAnotherSeedOthers() {
        AnprCameraModel a = new AnprCameraModel(1, "anpr", 3, Wire.HIKVISION);
        AnprCameraModel b = new AnprCameraModel(1, "anpr", 3, Wire.HIKVISION);
        AnprCameraModel c = new AnprCameraModel(2, "anpr", 3, Wire.HIKVISION);
        List<Reading> ra = new ArrayList<>();
        List<Reading> rb = new ArrayList<>();
        List<Reading> rc = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            ra.add(a.next(1 + i % 3, START.plusSeconds(i)));
            rc.add(c.next(1 + i % 3, START.plusSeconds(i)));
        }
        for (int i = 29; i >= 0; i--) {
            rb.add(0, b.next(1 + i % 3, START.plusSeconds(i)));
        }
        assertThat(ra).isEqualTo(rb).isNotEqualTo(rc);
        assertThat(a.frame(2, START)).isEqualTo(b.frame(2, START));
    }

    @Test
    void camerasAreNamedForTheirWire() {
        assertThat(new AnprCameraModel(1, "anpr", 3, Wire.HIKVISION).deviceId(3)).isEqualTo("10.20.0.13");
        assertThat(new AnprCameraModel(1, "anpr", 3, Wire.CAMERA_JSON).deviceId(3)).isEqualTo("anpr-03");
        Reading hik = new AnprCameraModel(1, "anpr", 3, Wire.HIKVISION).next(2, START);
        assertThat(hik.tags()).containsEntry("direction", "reverse").containsEntry("lane", "2");
        assertThat(hik.number("picture_bytes")).isBetween(60_000.0, 260_000.0);
        assertThatThrownBy(() -> new AnprCameraModel(1, "anpr", 3, Wire.HIKVISION).next(4, START))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1..3");
    }
}
