package org.limes.gateway.pipeline;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.limes.drivers.Reading;

/**
 * The devices of the crossing, from configuration: adds each known device's site and
 * static tags (class, lane, location) to its readings, and rejects readings of unknown
 * devices unless configured to accept them. Immutable; safe to share between shards.
 */
public final class Inventory {

    private final Map<String, Entry> devices = new HashMap<>();
    private final boolean acceptUnknown;
    private final String defaultSite;

    public Inventory(InventoryConfig config) {
        this.acceptUnknown = config.acceptUnknown();
        this.defaultSite = config.defaultSite();
        for (DeviceConfig d : config.devices()) {
            Map<String, String> tags = new TreeMap<>(d.tags());
            tags.put("device_class", d.deviceClass());
            if (d.lane() != null) {
                tags.put("lane", d.lane());
            }
            if (d.location() != null) {
                tags.put("lat", Double.toString(d.location().lat()));
                tags.put("lon", Double.toString(d.location().lon()));
            }
            devices.put(d.id(), new Entry(d.site(), Map.copyOf(tags)));
        }
    }

    /**
     * The reading with its inventory site and tags, or null when the device is unknown and
     * unknown devices are rejected. Tags the device reported itself win over inventory tags.
     */
    public Reading normalise(Reading r) {
        Entry e = devices.get(r.deviceId());
        if (e == null) {
            return acceptUnknown ? r.withSite(defaultSite) : null;
        }
        return r.withSite(e.site).withExtraTags(e.tags);
    }

    public int size() {
        return devices.size();
    }

    public boolean knows(String deviceId) {
        return devices.containsKey(deviceId);
    }

    private record Entry(String site, Map<String, String> tags) {
    }
}
