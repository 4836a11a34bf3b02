package org.limes.drivers.radar.nmea;

import java.util.Set;
import org.limes.drivers.Driver;
import org.limes.drivers.DriverFactory;
import org.limes.drivers.DriverOptions;

/**
 * Creates the {@link NmeaRadarDriver}. Options: {@code device} (required: NMEA sentences
 * carry no device id, the source knows which radar it listens to) and
 * {@code require_checksum} ({@code true} by default).
 */
public final class NmeaRadarDriverFactory implements DriverFactory {

    @Override
    public String name() {
        return NmeaRadarDriver.NAME;
    }

    @Override
    public String description() {
        return "tracking radars emitting NMEA 0183 TTM and TLL target sentences";
    }

    @Override
    public Driver create(DriverOptions options) {
        options.requireOnly(Set.of("device", "require_checksum"));
        String device = options.required("device", "the id of the radar whose sentences this source carries");
        return new NmeaRadarDriver(device, options.bool("require_checksum", true));
    }
}
