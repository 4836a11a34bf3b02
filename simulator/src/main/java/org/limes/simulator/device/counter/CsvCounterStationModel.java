package org.limes.simulator.device.counter;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.limes.drivers.Reading;
import org.limes.drivers.counter.csv.CsvCounterDriver;

/**
 * A set of PeMS-style counting stations, producing per-lane {@code vehicle_count} readings
 * and the station lines the {@code counter-csv} driver decodes.
 *
 * <p>Station {@code i} (1-based) is {@code <prefix>-<i>} with {@code lanes} lanes. Per lane
 * and interval of {@code intervalS} seconds:
 *
 * <pre>
 *   flow       vehicles, ~ 0.2 × interval_s / 30 × (1..3), busier mid-afternoon UTC
 *   speed      25..45 mph in steps of 0.1; left empty on lane 1 of every third station
 *              (stations without speed traps)
 *   occupancy  20..200 tenths of a percent
 * </pre>
 *
 * <p>Deterministic and stateless: a reading is a pure function of the seed, the station,
 * the lane and the interval end. Immutable and safe to call from any number of threads.
 */
public final class CsvCounterStationModel {

    private final long seed;
    private final String prefix;
    private final int stations;
    private final int lanes;
    private final long intervalS;
    private final CsvCounterDriver driver;

    /**
     * @param seed      the seed every reading derives from
     * @param prefix    the station id prefix
     * @param stations  how many stations, at least 1
     * @param lanes     lanes per station, 1..16
     * @param zone      the stations' clock zone (the driver's {@code zone} option)
     * @param intervalS the counting interval (the driver's {@code interval_s} option)
     */
    public CsvCounterStationModel(long seed, String prefix, int stations, int lanes, ZoneId zone, long intervalS) {
        if (stations < 1) {
            throw new IllegalArgumentException("stations must be at least 1, got " + stations);
        }
        if (lanes < 1 || lanes > 16) {
            throw new IllegalArgumentException("lanes must be 1..16, got " + lanes);
        }
        this.seed = seed;
        this.prefix = prefix;
        this.stations = stations;
        this.lanes = lanes;
        this.intervalS = intervalS;
        this.driver = new CsvCounterDriver(zone, intervalS, "inbound");
    }

    public String stationId(int station) {
        return prefix + "-" + station;
    }

    public int stations() {
        return stations;
    }

    /** The lane readings of one station for the interval ending at {@code end} (whole seconds). */
    public List<Reading> readings(int station, Instant end) {
        if (station < 1 || station > stations) {
            throw new IllegalArgumentException("station must be 1.." + stations + ", got " + station);
        }
        Instant t = end.truncatedTo(ChronoUnit.SECONDS);
        int hour = t.atOffset(ZoneOffset.UTC).getHour();
        double busy = 1 + 2 * Math.max(0, Math.sin(Math.PI * (hour - 6) / 12.0));
        List<Reading> readings = new ArrayList<>(lanes);
        for (int lane = 1; lane <= lanes; lane++) {
            SplittableRandom random = new SplittableRandom(((seed * 31 + station) * 31 + lane) * 1_000_003L
                    + t.getEpochSecond());
            TreeMap<String, Object> fields = new TreeMap<>();
            fields.put("interval_s", intervalS);
            fields.put("count_total", Math.round(0.2 * intervalS / 30.0 * busy * (1 + 2 * random.nextDouble())));
            if (!(lane == 1 && station % 3 == 0)) {
                double mph = (250 + random.nextInt(201)) / 10.0;
                fields.put("speed_avg_mps", mph * CsvCounterDriver.MPS_PER_MPH);
            }
            fields.put("occupancy_pct", (20 + random.nextInt(181)) / 10.0);
            readings.add(new Reading(stationId(station), "", CsvCounterDriver.KIND,
                    Map.of("lane", Integer.toString(lane), "direction", "inbound"), fields, t, t));
        }
        return readings;
    }

    /** The station's line for the interval ending at {@code end}, without a line terminator. */
    public byte[] line(int station, Instant end) {
        return driver.encodeStation(readings(station, end));
    }
}
