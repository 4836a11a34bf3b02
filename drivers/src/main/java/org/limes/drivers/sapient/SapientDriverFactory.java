package org.limes.drivers.sapient;

import java.util.Locale;
import java.util.Set;
import org.limes.drivers.DeviceId;
import org.limes.drivers.Driver;
import org.limes.drivers.DriverFactory;
import org.limes.drivers.DriverOptions;
import org.limes.drivers.radar.asterix.SensorPosition;

/**
 * Creates the {@link SapientDriver}. Every option is optional, so {@code decode --driver
 * sapient} reads any capture:
 * <ul>
 *   <li>{@code device}: the device id of every reading (1..64 of {@code [A-Za-z0-9._:-]});
 *       absent, the message's node id (a UUID, lower case) is the device id;
 *   <li>{@code node_id}: the only node (UUID) whose messages this driver accepts; others fail;
 *   <li>{@code sensor_lat}, {@code sensor_lon} (degrees, both or neither): where the sensor
 *       stands, so that range/bearing positions also yield {@code lat_deg}/{@code lon_deg}.
 * </ul>
 */
public final class SapientDriverFactory implements DriverFactory {

    static final String DEVICE = "device";
    static final String NODE_ID = "node_id";
    static final String SENSOR_LAT = SensorPosition.LAT_OPTION;
    static final String SENSOR_LON = SensorPosition.LON_OPTION;

    @Override
    public String name() {
        return SapientDriver.NAME;
    }

    @Override
    public String description() {
        return "border and perimeter sensors (radars, cameras, fence and seismic sensors) speaking SAPIENT, "
                + "BSI Flex 335 v2.0";
    }

    @Override
    public Driver create(DriverOptions options) {
        options.requireOnly(Set.of(DEVICE, NODE_ID, SENSOR_LAT, SENSOR_LON));
        String device = options.string(DEVICE, null);
        if (device != null && !DeviceId.isWellFormed(device)) {
            throw new IllegalArgumentException("option device must be 1.." + DeviceId.MAX_CHARS
                    + " characters of [A-Za-z0-9._:-], got '" + device + "'");
        }
        String node = options.string(NODE_ID, null);
        if (node != null && !SapientMessages.isUuid(node)) {
            throw new IllegalArgumentException("option node_id must be a UUID (8-4-4-4-12 hexadecimal digits), got '"
                    + node + "'");
        }
        SensorPosition sensor = SensorPosition.fromOptions(options);
        return new SapientDriver(device, node == null ? null : node.toLowerCase(Locale.ROOT), sensor);
    }
}
