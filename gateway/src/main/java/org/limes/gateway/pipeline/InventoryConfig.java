package org.limes.gateway.pipeline;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
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
        // With classes defined, a device naming another is a typo that would silently lose its class's settings.
        if (!classes.isEmpty()) {
            for (int i = 0; i < devices.size(); i++) {
                String c = devices.get(i).deviceClass();
                if (c != null && !classes.containsKey(c)) {
                    throw new IllegalArgumentException("devices[" + i + "].class is '" + c + "', which classes does "
                            + "not define; defined: " + classes.keySet());
                }
            }
        }
    }

    public InventoryConfig(String unknownDevices, String defaultSite, List<DeviceConfig> devices) {
        this(unknownDevices, defaultSite, null, devices);
    }

    public boolean acceptUnknown() {
        return "accept".equals(unknownDevices);
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
