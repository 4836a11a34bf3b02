package org.limes.gateway.pipeline;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.limes.drivers.Reading;
import org.limes.drivers.SortedArrayMap;

/**
 * The devices of the crossing, from configuration: adds each known device's site and
 * static tags (class, lane, location) to its readings, and rejects readings of unknown
 * devices unless configured to accept them. Immutable; safe to share between shards.
 */
public final class Inventory {

    private final Map<String, Entry> devices = new HashMap<>();
    private final List<String> ids = new ArrayList<>();
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
            devices.put(d.id(), new Entry(d.site(), SortedArrayMap.copyOf(tags), config.expectedIntervalMs(d)));
            ids.add(d.id());
        }
    }

    /**
     * The reading with its inventory site and tags, or null when the device is unknown and
     * unknown devices are rejected. An inventory tag wins over a tag of the same key the device
     * reported itself: a device may not restate what the gateway says about it (its class, lane,
     * location); the same key in another letter case is refused before this (see
     * {@link StoreGuard}).
     */
    public Reading normalise(Reading r) {
        Entry e = devices.get(r.deviceId());
        if (e == null) {
            return acceptUnknown ? r.withSite(defaultSite) : null;
        }
        if (e.tags.isEmpty()) {
            return r.withSite(e.site);
        }
        SortedArrayMap.Builder<String> tags = SortedArrayMap.builder(r.tags().size() + e.tags.size());
        tags.putAll(r.tags()).putAll(e.tags);
        return new Reading(r.deviceId(), e.site, r.kind(), tags.build(), r.fields(), r.deviceTime(), r.receivedAt());
    }

    public int size() {
        return devices.size();
    }

    public boolean knows(String deviceId) {
        return devices.containsKey(deviceId);
    }

    /** The inventory's device ids, in configuration order. */
    public List<String> ids() {
        return Collections.unmodifiableList(ids);
    }

    /** The site of a known device, or the default site of accepted unknown devices. */
    public String site(String deviceId) {
        Entry e = devices.get(deviceId);
        return e == null ? defaultSite : e.site;
    }

    /** The static tags a known device's readings get (class, lane, location, …); empty when unknown. */
    public Map<String, String> tags(String deviceId) {
        Entry e = devices.get(deviceId);
        return e == null ? Map.of() : e.tags;
    }

    /** The expected reporting interval of a known device in milliseconds, 0 when it has none. */
    public long expectedIntervalMs(String deviceId) {
        Entry e = devices.get(deviceId);
        return e == null ? 0 : e.expectedIntervalMs;
    }

    public String defaultSite() {
        return defaultSite;
    }

    public boolean acceptsUnknown() {
        return acceptUnknown;
    }

    private record Entry(String site, Map<String, String> tags, long expectedIntervalMs) {
    }
}
