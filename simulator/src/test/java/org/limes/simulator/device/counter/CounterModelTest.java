package org.limes.simulator.device.counter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.limes.drivers.Driver;
import org.limes.drivers.DriverOptions;
import org.limes.drivers.Drivers;
import org.limes.drivers.Frame;
import org.limes.drivers.Reading;

class CounterModelTest {

    private static final Instant MIDNIGHT = Instant.parse("2026-03-01T00:00:00Z");

    private final CounterModel model = new CounterModel(1, "cnt", 8);

    @Test
    void sameSeedGivesSameReadingsWhateverTheCallOrder() {
        CounterModel again = new CounterModel(1, "cnt", 8);
        List<Reading> forward = new ArrayList<>();
        List<Reading> backward = new ArrayList<>();
        for (int i = 1; i <= 8; i++) {
            forward.add(model.next(i, MIDNIGHT.plusSeconds(60L * i), i % 3 == 0));
        }
        for (int i = 8; i >= 1; i--) {
            backward.add(0, again.next(i, MIDNIGHT.plusSeconds(60L * i), i % 3 == 0));
        }
        assertThat(forward).isEqualTo(backward);
    }

    @Test
    void anotherSeedGivesOtherReadings() {
        CounterModel other = new CounterModel(2, "cnt", 8);
        List<Reading> a = new ArrayList<>();
        List<Reading> b = new ArrayList<>();
        for (int minute = 0; minute < 20; minute++) {
            a.add(model.next(1, MIDNIGHT.plusSeconds(60L * minute), false));
            b.add(other.next(1, MIDNIGHT.plusSeconds(60L * minute), false));
        }
        assertThat(a).isNotEqualTo(b);
    }

    @Test
    void devicesAreNamedLanedAndDirected() {
        assertThat(model.deviceId(1)).isEqualTo("cnt-01");
        assertThat(model.deviceId(8)).isEqualTo("cnt-08");
        assertThat(new CounterModel(1, "cnt", 120).deviceId(7)).isEqualTo("cnt-007");
        assertThat(List.of(1, 2, 3, 4, 5, 6).stream().map(model::lane)).containsExactly("1", "2", "3", "4", "1", "2");
        assertThat(List.of(1, 2, 3).stream().map(model::direction)).containsExactly("inbound", "outbound", "inbound");

        Reading r = model.next(6, MIDNIGHT, false);
        assertThat(r.deviceId()).isEqualTo("cnt-06");
        assertThat(r.site()).isEmpty();
        assertThat(r.kind()).isEqualTo("vehicle_count");
        assertThat(r.tags()).containsEntry("lane", "2").containsEntry("direction", "outbound").hasSize(2);
        assertThat(r.deviceTime()).isEqualTo(MIDNIGHT);
        assertThatThrownBy(() -> model.next(9, MIDNIGHT, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("deviceIndex must be 1..8");
    }

    @Test
    void normalCountsStayModestAllDayAndSurgeCountsExceedThem() {
        long maxNormal = 0;
        long minSurge = Long.MAX_VALUE;
        for (int minute = 0; minute < 24 * 60; minute += 7) {
            for (int device = 1; device <= 8; device++) {
                Instant t = MIDNIGHT.plus(Duration.ofMinutes(minute));
                Reading normal = model.next(device, t, false);
                Reading surge = model.next(device, t, true);
                assertWellFormed(normal);
                assertWellFormed(surge);
                assertThat(total(normal)).isBetween(5L, 15L);
                assertThat(total(surge)).isBetween(50L, 80L);
                assertThat(surge.number("speed_avg_mps")).isLessThan(normal.number("speed_avg_mps"));
                assertThat(surge.number("occupancy_pct")).isGreaterThan(normal.number("occupancy_pct"));
                maxNormal = Math.max(maxNormal, total(normal));
                minSurge = Math.min(minSurge, total(surge));
            }
        }
        assertThat(minSurge).isGreaterThan(3 * maxNormal);
    }

    @Test
    void afternoonIsBusierThanNight() {
        long night = 0;
        long afternoon = 0;
        for (int minute = 0; minute < 60; minute++) {
            night += total(model.next(1, Instant.parse("2026-03-01T03:00:00Z").plusSeconds(60L * minute), false));
            afternoon += total(model.next(1, Instant.parse("2026-03-01T15:00:00Z").plusSeconds(60L * minute), false));
        }
        assertThat(afternoon).isGreaterThan(night);
    }

    @Test
    void everyReadingEncodesAndDecodesThroughCounterJson() throws Exception {
        Driver driver = Drivers.load().create("counter-json", DriverOptions.empty());
        for (int minute = 0; minute < 24 * 60; minute += 13) {
            for (int device = 1; device <= 8; device++) {
                Instant t = MIDNIGHT.plus(Duration.ofMinutes(minute)).plusMillis(device);
                for (boolean surging : new boolean[] {false, true}) {
                    Reading reading = model.next(device, t, surging);
                    byte[] frame = driver.encode(reading);
                    List<Reading> decoded = driver.decode(new Frame(frame, "test", "crossing", reading.receivedAt()));
                    assertThat(decoded).containsExactly(reading);
                }
            }
        }
    }

    private static void assertWellFormed(Reading r) {
        long sum = CounterModel.CLASSES.stream().mapToLong(c -> (Long) r.fields().get("count_" + c)).sum();
        assertThat(r.fields().get("count_total")).isEqualTo(sum);
        assertThat(r.fields().get("interval_s")).isEqualTo(60L);
        assertThat(r.number("occupancy_pct")).isBetween(0.0, 100.0);
        assertThat(r.number("speed_avg_mps")).isPositive();
    }

    private static long total(Reading r) {
        return (Long) r.fields().get("count_total");
    }
}
