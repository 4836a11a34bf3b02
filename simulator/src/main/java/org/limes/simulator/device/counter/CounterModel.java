package org.limes.simulator.device.counter;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import org.limes.drivers.Reading;

/**
 * A fleet of simulated lane vehicle counters, producing {@code vehicle_count} readings in
 * the shape the {@code counter-json} driver encodes.
 *
 * <p>Device {@code i} (1-based) is {@code <prefix>-<i>}, zero-padded to two digits or to
 * as many as the fleet size needs; it counts lane {@code ((i-1) % 4) + 1}, inbound for odd
 * {@code i} and outbound for even {@code i}. Each reading covers a 60 s interval:
 *
 * <pre>
 *   normal   count_total  ~5..15, higher mid-afternoon (UTC) than at night
 *            speed_avg_mps 7..12 (25..43 km/h)    occupancy_pct 5..20
 *   surging  count_total  50..80  (a queue building at the crossing)
 *            speed_avg_mps 1..3  (4..11 km/h)     occupancy_pct 60..95
 * </pre>
 *
 * <p>Deterministic and stateless: a reading is a pure function of the seed, the device,
 * the device time and the surge flag, so the same arguments always give the same reading
 * whatever the call order. Immutable and safe to call from any number of threads.
 */
public final class CounterModel {

    /** The vehicle classes counted, each reported as field {@code count_<class>}. */
    public static final List<String> CLASSES = List.of("car", "van", "truck", "bus", "motorcycle");

    /** The length of the counting interval each reading covers, in seconds. */
    public static final long INTERVAL_S = 60;

    private static final double KMH_PER_MPS = 3.6;
    private static final double[] CLASS_SHARE = {0.55, 0.15, 0.15, 0.05, 0.10};

    private final long seed;
    private final String devicePrefix;
    private final int devices;
    private final int idDigits;

    /**
     * @param seed         the seed every reading derives from
     * @param devicePrefix the device id prefix, e.g. {@code cnt}
     * @param devices      the fleet size, at least 1
     */
    public CounterModel(long seed, String devicePrefix, int devices) {
        if (devicePrefix == null || devicePrefix.isBlank()) {
            throw new IllegalArgumentException("devicePrefix must not be blank");
        }
        if (devices < 1) {
            throw new IllegalArgumentException("devices must be at least 1, got " + devices);
        }
        this.seed = seed;
        this.devicePrefix = devicePrefix;
        this.devices = devices;
        this.idDigits = Math.max(2, Integer.toString(devices).length());
    }

    /** The number of devices in the fleet. */
    public int devices() {
        return devices;
    }

    /** The id of device {@code deviceIndex} (1-based), e.g. {@code cnt-03}. */
    public String deviceId(int deviceIndex) {
        checkIndex(deviceIndex);
        return devicePrefix + "-" + String.format("%0" + idDigits + "d", deviceIndex);
    }

    /** The lane device {@code deviceIndex} counts: {@code "1"} to {@code "4"}. */
    public String lane(int deviceIndex) {
        checkIndex(deviceIndex);
        return Integer.toString((deviceIndex - 1) % 4 + 1);
    }

    /** The direction device {@code deviceIndex} counts: {@code inbound} or {@code outbound}. */
    public String direction(int deviceIndex) {
        checkIndex(deviceIndex);
        return deviceIndex % 2 == 1 ? "inbound" : "outbound";
    }

    /**
     * The reading device {@code deviceIndex} reports at {@code deviceTime}.
     *
     * @param deviceIndex 1-based device index, at most {@link #devices()}
     * @param deviceTime  the device's timestamp, also used as the receive time
     * @param surging     whether a queue surge is under way at this device
     */
    public Reading next(int deviceIndex, Instant deviceTime, boolean surging) {
        checkIndex(deviceIndex);
        Objects.requireNonNull(deviceTime, "deviceTime");
        SplittableRandom random = new SplittableRandom(mix(seed, deviceIndex, deviceTime, surging));

        long total = surging ? random.nextLong(50, 81) : normalTotal(random, deviceTime);
        long[] counts = split(random, total);
        Map<String, Object> fields = new LinkedHashMap<>();
        for (int c = 0; c < CLASSES.size(); c++) {
            fields.put("count_" + CLASSES.get(c), counts[c]);
        }
        fields.put("count_total", total);
        fields.put("interval_s", INTERVAL_S);
        // Counters report speed in km/h to a tenth; m/s is derived exactly as the decoder does.
        double speedKmh = tenths(surging ? random.nextDouble(4, 11) : random.nextDouble(25, 43));
        fields.put("speed_avg_mps", speedKmh / KMH_PER_MPS);
        fields.put("occupancy_pct", tenths(surging ? random.nextDouble(60, 95) : random.nextDouble(5, 20)));

        return new Reading(deviceId(deviceIndex), "", "vehicle_count",
                Map.of("lane", lane(deviceIndex), "direction", direction(deviceIndex)),
                fields, deviceTime, deviceTime);
    }

    private static long normalTotal(SplittableRandom random, Instant deviceTime) {
        double hour = deviceTime.atOffset(ZoneOffset.UTC).getHour()
                + deviceTime.atOffset(ZoneOffset.UTC).getMinute() / 60.0;
        // Quietest around 03:00, busiest around 15:00.
        double mean = 10 + 3.5 * Math.sin(2 * Math.PI * (hour - 9) / 24);
        long total = Math.round(mean + random.nextDouble(-1.5, 1.5));
        return Math.max(5, Math.min(15, total));
    }

    /** Splits a total into the vehicle classes; the parts always sum to the total. */
    private static long[] split(SplittableRandom random, long total) {
        long[] counts = new long[CLASSES.size()];
        for (long v = 0; v < total; v++) {
            double u = random.nextDouble();
            int c = 0;
            while (c < CLASSES.size() - 1 && u >= CLASS_SHARE[c]) {
                u -= CLASS_SHARE[c];
                c++;
            }
            counts[c]++;
        }
        return counts;
    }

    private static double tenths(double v) {
        return Math.round(v * 10) / 10.0;
    }

    private static long mix(long seed, int deviceIndex, Instant time, boolean surging) {
        long h = seed * 0x9E3779B97F4A7C15L;
        h = (h ^ deviceIndex) * 0xBF58476D1CE4E5B9L;
        h = (h ^ time.getEpochSecond()) * 0x94D049BB133111EBL;
        h = (h ^ time.getNano()) * 0x9E3779B97F4A7C15L;
        return h ^ (surging ? 0x5DEECE66DL : 0) ^ (h >>> 31);
    }

    private void checkIndex(int deviceIndex) {
        if (deviceIndex < 1 || deviceIndex > devices) {
            throw new IllegalArgumentException("deviceIndex must be 1.." + devices + ", got " + deviceIndex);
        }
    }
}
