package org.limes.gateway.pipeline;

import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.limes.gateway.config.CheckContext;
import org.limes.gateway.config.Require;

/**
 * {@code inventory:} — the devices of the crossing.
 *
 * @param unknownDevices {@code reject} (default: counted and dropped) or {@code accept}
 * @param defaultSite    site given to accepted unknown devices
 * @param classes        per device class settings, e.g. the expected reporting interval
 * @param devices        the known devices
 */
public record InventoryConfig(String unknownDevices, String defaultSite, Map<String, DeviceClassConfig> classes,
        List<DeviceConfig> devices) {

    public InventoryConfig {
        unknownDevices = Require.oneOf("unknown_devices", unknownDevices, "reject", Set.of("reject", "accept"));
        defaultSite = defaultSite == null ? "unknown" : defaultSite;
        classes = classes == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(classes));
        devices = devices == null ? List.of() : List.copyOf(devices);
    }

    public InventoryConfig(String unknownDevices, String defaultSite, List<DeviceConfig> devices) {
        this(unknownDevices, defaultSite, null, devices);
    }

    public boolean acceptUnknown() {
        return "accept".equals(unknownDevices);
    }

    /**
     * Why a device names a class that {@code classes} does not define (with classes defined,
     * that is a typo that would silently lose the class's settings), or null. The loader asks
     * it of a configuration file; code may build an inventory with classes as bare labels.
     */
    public String undefinedClass() {
        if (classes.isEmpty()) {
            return null;
        }
        for (int i = 0; i < devices.size(); i++) {
            String c = devices.get(i).deviceClass();
            if (c != null && !classes.containsKey(c)) {
                return "devices[" + i + "].class is '" + c + "', which classes does not define; defined: "
                        + classes.keySet();
            }
        }
        return null;
    }

    /**
     * Checks what a configuration file's inventory must hold beyond its constructor: every
     * device's class defined (see {@link #undefinedClass}) and every device id listed once.
     *
     * @param ctx at this section, {@code inventory}
     * @throws org.limes.gateway.config.ConfigException e.g. {@code inventory.devices[2].id must be unique, 'd' is
     *                                                   listed twice}
     */
    public void check(CheckContext ctx) {
        String undefined = undefinedClass();
        if (undefined != null) {
            int space = undefined.indexOf(' ');
            throw ctx.fail(undefined.substring(0, space), undefined.substring(space + 1));
        }
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < devices.size(); i++) {
            if (!ids.add(devices.get(i).id())) {
                throw ctx.fail("devices[" + i + "].id", "must be unique, '" + devices.get(i).id()
                        + "' is listed twice");
            }
        }
    }

    /** The expected reporting interval of a device (its own, else its class's), or 0 when none is set. */
    public long expectedIntervalMs(DeviceConfig d) {
        long own = d.expectedIntervalMs();
        if (own > 0) {
            return own;
        }
        DeviceClassConfig c = classes.get(d.deviceClass());
        return c == null ? 0 : c.expectedIntervalMs();
    }
}
