package org.limes.drivers.radar.asterix;

import java.util.Set;
import org.limes.drivers.Driver;
import org.limes.drivers.DriverFactory;
import org.limes.drivers.DriverOptions;
import org.limes.drivers.DeviceId;

/**
 * Creates the {@link AsterixDriver}. Options:
 * <ul>
 *   <li>{@code device} (required): the device id of every reading, 1..64 characters of
 *       {@code [A-Za-z0-9._:-]};
 *   <li>{@code sensor_lat}, {@code sensor_lon} (degrees, both or neither): where the
 *       sensor stands (for CAT062, the system reference point), so that local positions
 *       also yield {@code lat_deg}/{@code lon_deg}.
 * </ul>
 */
public final class AsterixDriverFactory implements DriverFactory {

    static final String DEVICE = "device";
    static final String SENSOR_LAT = SensorPosition.LAT_OPTION;
    static final String SENSOR_LON = SensorPosition.LON_OPTION;


    @Override
    public String name() {
        return AsterixDriver.NAME;
    }

    @Override
    public String description() {
        return "radars and surveillance data processors sending EUROCONTROL ASTERIX CAT048, CAT062 or CAT010 tracks";
    }

    @Override
    public Driver create(DriverOptions options) {
        options.requireOnly(Set.of(DEVICE, SENSOR_LAT, SENSOR_LON));
        String device = options.string(DEVICE, null);
        if (device == null) {
            throw new IllegalArgumentException("option device is required: the id of the sensor this source listens to");
        }
        if (!DeviceId.isWellFormed(device)) {
            throw new IllegalArgumentException("option device must be 1.." + DeviceId.MAX_CHARS
                    + " characters of [A-Za-z0-9._:-], got '" + device + "'");
        }
        SensorPosition sensor = SensorPosition.fromOptions(options);
        return new AsterixDriver(device, sensor);
    }
}
