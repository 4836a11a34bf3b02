package org.limes.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.limes.drivers.Reading;

/** The remembered shapes of admitted readings never admit what the full check refuses. */
class StoreGuardTest {

    private static final Instant T = Instant.parse("2026-12-05T10:00:00Z");

    private static Reading reading(Map<String, String> tags, Map<String, Object> fields) {
        return new Reading("dev-1", "", "weather", tags, fields, T, T);
    }

    @Test
    void aReadingOfAnAdmittedShapeIsAdmittedAgain() {
        StoreGuard guard = new StoreGuard(100);
        Reading r = reading(Map.of("lane", "1"), Map.of("wind_mps", 3.5, "gusts", 2L));
        assertThat(guard.check(r, Map.of("device_class", "station"), true)).isNull();
        assertThat(guard.check(reading(Map.of("lane", "2"), Map.of("wind_mps", 9.0, "gusts", 7L)),
                Map.of("device_class", "station"), true)).isNull();
        assertThat(guard.fieldTypes()).isEqualTo(2);
    }

    @Test
    void anotherFieldTypeIsStillRefusedAfterTheShapeWasRemembered() {
        StoreGuard guard = new StoreGuard(100);
        assertThat(guard.check(reading(Map.of(), Map.of("gusts", 2L)), Map.of(), true)).isNull();
        assertThat(guard.check(reading(Map.of(), Map.of("gusts", 2L)), Map.of(), true)).isNull();
        assertThat(guard.check(reading(Map.of(), Map.of("gusts", "two")), Map.of(), true).reason())
                .isEqualTo("field_type");
    }

    @Test
    void aShapeAdmittedForOneDeviceIsCheckedAgainForADeviceWithOtherInventoryTags() {
        StoreGuard guard = new StoreGuard(100);
        Reading r = reading(Map.of("Lane", "1"), Map.of("gusts", 2L));
        assertThat(guard.check(r, Map.of("device_class", "station"), true)).isNull();
        // The inventory of this device writes "lane" itself: the device's "Lane" would write over it.
        assertThat(guard.check(r, Map.of("lane", "3"), true).reason()).isEqualTo("gateway_name");
    }

    @Test
    void aReadingNotRememberedCannotFixAFirstTypeThroughTheShapes() {
        StoreGuard guard = new StoreGuard(100);
        assertThat(guard.check(reading(Map.of(), Map.of("gusts", "two")), Map.of(), false)).isNull();
        assertThat(guard.check(reading(Map.of(), Map.of("gusts", 2L)), Map.of(), true)).isNull();
        assertThat(guard.check(reading(Map.of(), Map.of("gusts", "two")), Map.of(), true).reason())
                .isEqualTo("field_type");
    }
}
