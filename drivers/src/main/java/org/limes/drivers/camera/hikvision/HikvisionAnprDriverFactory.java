package org.limes.drivers.camera.hikvision;

import java.util.Arrays;
import java.util.Set;
import org.limes.drivers.Driver;
import org.limes.drivers.DriverFactory;
import org.limes.drivers.DriverOptions;

/**
 * Creates the {@link HikvisionAnprDriver}. Options: {@code device_from} ({@code ip}, the
 * default, {@code mac} or {@code channel_name}) names the element the device id comes from;
 * {@code device} instead fixes one id for every frame of the source. They exclude each other.
 */
public final class HikvisionAnprDriverFactory implements DriverFactory {

    static final String OPTION_DEVICE_FROM = "device_from";
    static final String OPTION_DEVICE = "device";

    private static final HikvisionAnprDriver DEFAULT = new HikvisionAnprDriver();

    @Override
    public String name() {
        return HikvisionAnprDriver.NAME;
    }

    @Override
    public String description() {
        return "Hikvision ANPR cameras pushing ISAPI EventNotificationAlert over HTTP (multipart/form-data or XML)";
    }

    @Override
    public Driver create(DriverOptions options) {
        options.requireOnly(Set.of(OPTION_DEVICE_FROM, OPTION_DEVICE));
        String from = options.string(OPTION_DEVICE_FROM, null);
        String device = options.string(OPTION_DEVICE, null);
        if (from != null && device != null) {
            throw new IllegalArgumentException("options device and device_from exclude each other: give one");
        }
        if (device != null) {
            return new HikvisionAnprDriver(HikvisionAnprDriver.DeviceFrom.IP, device);
        }
        if (from == null) {
            return DEFAULT;
        }
        HikvisionAnprDriver.DeviceFrom deviceFrom = HikvisionAnprDriver.DeviceFrom.of(from);
        if (deviceFrom == null) {
            throw new IllegalArgumentException("option device_from must be one of "
                    + Arrays.stream(HikvisionAnprDriver.DeviceFrom.values()).map(HikvisionAnprDriver.DeviceFrom::option).sorted().toList()
                    + ", got '" + from + "'");
        }
        return new HikvisionAnprDriver(deviceFrom, null);
    }
}
