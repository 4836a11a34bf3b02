package org.limes.simulator.device.camera;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.limes.drivers.Reading;

/**
 * Simulated people counters over the pedestrian halls of a crossing ({@code people_count}
 * in {@code camera-json}), one report per counter and interval.
 *
 * <pre>
 * zone        hall-a, hall-b, … by counter index ((i-1) % 4)
 * count_in    per interval: ~ interval_s / 60 × (2 at 03:00 UTC .. 22 at 13:00 UTC), ± 30 %
 * count_out   count_in ± 25 %
 * interval_s  the reporting interval, whole seconds
 * </pre>
 *
 * <p>Worked example: counter 1 at 13:00 UTC with a 60 s interval reports about 22 in and
 * 16..28 out in zone {@code hall-a}. Deterministic and stateless: a report is a pure
 * function of the seed, the counter and the time. Immutable and thread-safe.
 */
public final class PeopleCounterModel {

    private static final String[] ZONES = {"hall-a", "hall-b", "hall-c", "hall-d"};

    private final long seed;
    private final String devicePrefix;
    private final int counters;
    private final long intervalS;

    public PeopleCounterModel(long seed, String devicePrefix, int counters, long intervalS) {
        if (counters < 1) {
            throw new IllegalArgumentException("counters must be at least 1, got " + counters);
        }
        if (intervalS < 1 || intervalS > 86_400) {
            throw new IllegalArgumentException("intervalS must be 1..86400, got " + intervalS);
        }
        this.seed = seed;
        this.devicePrefix = Objects.requireNonNull(devicePrefix, "devicePrefix");
        this.counters = counters;
        this.intervalS = intervalS;
    }

    /** The id of counter {@code index}. */
    public String deviceId(int index) {
        return devicePrefix + "-" + String.format("%0" + Math.max(2, Integer.toString(counters).length()) + "d", index);
    }

    /** The report of counter {@code index} for the interval ending at {@code time}. */
    public Reading next(int index, Instant time) {
        if (index < 1 || index > counters) {
            throw new IllegalArgumentException("counter index must be 1.." + counters + ", got " + index);
        }
        SplittableRandom random = new SplittableRandom(AnprCameraModel.mix(seed ^ 0x50454F504C45L, index, time));
        double hour = time.atOffset(ZoneOffset.UTC).getHour() + time.atOffset(ZoneOffset.UTC).getMinute() / 60.0;
        double perMinute = 12 + 10 * Math.sin(2 * Math.PI * (hour - 7) / 24);
        long in = Math.max(0, Math.round(perMinute * intervalS / 60.0 * random.nextDouble(0.7, 1.3)));
        long out = Math.max(0, Math.round(in * random.nextDouble(0.75, 1.25)));
        TreeMap<String, Object> fields = new TreeMap<>();
        fields.put("count_in", in);
        fields.put("count_out", out);
        fields.put("count_total", in + out);
        fields.put("interval_s", intervalS);
        return new Reading(deviceId(index), "", "people_count", Map.of("zone", ZONES[(index - 1) % ZONES.length]),
                fields, time, time);
    }
}
