package org.limes.gateway.source;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.limes.drivers.Driver;
import org.limes.drivers.DriverOptions;
import org.limes.drivers.Drivers;

/**
 * The driver of a listener, per device: drivers whose frames carry no device id (NMEA,
 * ASTERIX) take a {@code device} option, and a listener that knows the device from the
 * peer address or the client certificate gets one driver per device, created once. For
 * drivers that take no such option every device shares the one driver.
 *
 * <p>Threading: safe to call from every event loop. Bounded: devices come from the
 * configuration ({@code devices_by_peer}) or the inventory (certificate identities).
 */
public final class DeviceDrivers {

    private final Drivers drivers;
    private final String name;
    private final Map<String, String> options;
    private final Driver plain;
    private final boolean perDevice;
    private final Map<String, Driver> byDevice = new ConcurrentHashMap<>();

    public DeviceDrivers(Drivers drivers, String name, Map<String, String> options) {
        this.drivers = drivers;
        this.name = name;
        this.options = Map.copyOf(options);
        this.plain = drivers.create(name, DriverOptions.of(options));
        this.perDevice = acceptsDevice(drivers, name, options);
    }

    /** Whether the driver takes a {@code device} option. */
    public static boolean acceptsDevice(Drivers drivers, String driver, Map<String, String> options) {
        Map<String, String> withDevice = new HashMap<>(options);
        withDevice.put("device", "probe");
        try {
            drivers.create(driver, DriverOptions.of(withDevice));
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The driver as configured, without a device. */
    public Driver plain() {
        return plain;
    }

    /** Whether {@link #forDevice} has {@code device}'s driver already (or needs none of its own). */
    public boolean hasDriverFor(String device) {
        return device == null || !perDevice || byDevice.containsKey(device);
    }

    /** The driver for frames of {@code device} (null: the device is in the payload). */
    public Driver forDevice(String device) {
        if (device == null || !perDevice) {
            return plain;
        }
        return byDevice.computeIfAbsent(device, d -> {
            Map<String, String> o = new HashMap<>(options);
            o.put("device", d);
            return drivers.create(name, DriverOptions.of(o));
        });
    }
}
