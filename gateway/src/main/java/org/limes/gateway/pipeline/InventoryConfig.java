package org.limes.gateway.pipeline;

import java.util.List;
import java.util.Set;
import org.limes.gateway.config.Require;

/**
 * {@code inventory:} — the devices of the crossing.
 *
 * @param unknownDevices {@code reject} (default: counted and dropped) or {@code accept}
 * @param defaultSite    site given to accepted unknown devices
 * @param devices        the known devices
 */
public record InventoryConfig(String unknownDevices, String defaultSite, List<DeviceConfig> devices) {

    public InventoryConfig {
        unknownDevices = Require.oneOf("unknown_devices", unknownDevices, "reject", Set.of("reject", "accept"));
        defaultSite = defaultSite == null ? "unknown" : defaultSite;
        devices = devices == null ? List.of() : List.copyOf(devices);
    }

    public boolean acceptUnknown() {
        return "accept".equals(unknownDevices);
    }
}
