package org.limes.drivers.counter.csv;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.Set;
import org.limes.drivers.Driver;
import org.limes.drivers.DriverFactory;
import org.limes.drivers.DriverOptions;

/**
 * Creates the {@link CsvCounterDriver}. Options: {@code zone} (required, an IANA zone id
 * such as {@code Africa/Tripoli}: the station's clock), {@code interval_s} (1..86400,
 * default 30), {@code direction} ({@code inbound} default, or {@code outbound}).
 */
public final class CsvCounterDriverFactory implements DriverFactory {

    @Override
    public String name() {
        return CsvCounterDriver.NAME;
    }

    @Override
    public String description() {
        return "PeMS-style counting stations: one CSV line per interval with flow, speed (mph) and occupancy per lane";
    }

    @Override
    public Driver create(DriverOptions options) {
        options.requireOnly(Set.of("zone", "interval_s", "direction"));
        String zoneId = options.required("zone", "the IANA time zone of the station's clock, e.g. Africa/Tripoli");
        ZoneId zone;
        try {
            zone = ZoneId.of(zoneId);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("option zone must be an IANA time zone id such as Africa/Tripoli, got '"
                    + zoneId + "'", e);
        }
        long interval = options.integer("interval_s", 30, 1, 86_400);
        String direction = options.oneOf("direction", "inbound", Set.of("inbound", "outbound"));
        return new CsvCounterDriver(zone, interval, direction);
    }
}
