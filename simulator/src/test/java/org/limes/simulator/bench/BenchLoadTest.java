package org.limes.simulator.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.limes.drivers.DriverOptions;
import org.limes.drivers.Drivers;
import org.limes.drivers.Frame;
import org.limes.drivers.Reading;

class BenchLoadTest {

    @Test
    void everyMessageDecodesToADistinctDeviceAndTimeOnItsDevicesTopic() throws Exception {
        Instant start = Instant.parse("2026-11-26T06:00:00Z");
        BenchLoad load = new BenchLoad(1_000, 300, 1, start);
        var driver = Drivers.load().create("counter-json", DriverOptions.empty());

        Set<String> keys = new HashSet<>();
        for (int i = 0; i < load.size(); i++) {
            List<Reading> readings = driver.decode(new Frame(load.payload(i), "bench", load.topic(i), start));
            assertThat(readings).hasSize(1);
            Reading r = readings.get(0);
            assertThat(load.topic(i)).isEqualTo(BenchLoad.topic(r.deviceId()));
            assertThat(keys.add(r.deviceId() + "@" + r.deviceTime())).as("message %d repeats a (device, time)", i).isTrue();
        }
        assertThat(load.topic(0)).isEqualTo("crossing/ras-ajdir/counter/cnt-001");
        assertThat(load.topic(300)).isEqualTo(load.topic(0));
        assertThat(load.meanPayloadBytes()).isBetween(100.0, 400.0);
    }

    @Test
    void deviceTimesRiseWithTheMessageSoTheStoreGetsRowsInTimeOrder() throws Exception {
        Instant start = Instant.parse("2026-11-26T06:00:00Z");
        BenchLoad load = new BenchLoad(1_000, 300, 1, start);
        var driver = Drivers.load().create("counter-json", DriverOptions.empty());

        Instant previous = Instant.MIN;
        Set<Instant> times = new HashSet<>();
        for (int i = 0; i < load.size(); i++) {
            Instant t = driver.decode(new Frame(load.payload(i), "bench", load.topic(i), start)).get(0).deviceTime();
            assertThat(t).as("message %d", i).isAfterOrEqualTo(previous);
            assertThat(t).isBefore(start.plusSeconds(i / 300 + 1)).isAfterOrEqualTo(start.plusSeconds(i / 300));
            previous = t;
            times.add(t);
        }
        // Staggered within each second, not one time per round (which made every store commit a merge).
        assertThat(times).hasSizeGreaterThan(load.size() / 2);
    }

    @Test
    void theSameSeedGivesTheSameBytes() {
        Instant start = Instant.parse("2026-11-26T06:00:00Z");
        BenchLoad a = new BenchLoad(50, 7, 3, start);
        BenchLoad b = new BenchLoad(50, 7, 3, start);

        for (int i = 0; i < 50; i++) {
            assertThat(a.payload(i)).isEqualTo(b.payload(i));
        }
    }
}
