package org.limes.gateway.pipeline;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.limes.drivers.StoreNames;
import org.limes.gateway.config.Require;

/**
 * One inventory entry: a device the gateway accepts readings from, and the tags the
 * normaliser adds to them.
 *
 * @param id               the device id as the device reports it
 * @param site             the crossing it belongs to
 * @param deviceClass      {@code class:} counter, radar, camera, … (free text)
 * @param lane             lane tag, optional
 * @param location         where it stands, optional
 * @param tags             further static tags, optional; keys are store names
 *                         ({@link StoreNames#problem}) other than the gateway's own, in any
 *                         letter case
 * @param expectedInterval how often it reports at the latest, e.g. {@code 5m}; overrides
 *                         its class's interval; watched by {@code deadman} rules
 */
public record DeviceConfig(String id, String site, @JsonProperty("class") String deviceClass, String lane,
        Location location, Map<String, String> tags, String expectedInterval) {

    /** The tag keys the inventory adds itself besides the gateway's own. */
    private static final Set<String> INVENTORY_TAGS = Set.of("device_class", "lane", "lat", "lon");

    public DeviceConfig {
        Require.identifier("id", id);
        Require.identifier("site", site);
        deviceClass = deviceClass == null ? "unknown" : deviceClass;
        tags = tags == null ? Map.of() : Map.copyOf(tags);
        // Most devices have no tags of their own: no sets to build for them (start-up with
        // 10,000 devices builds one record each).
        Set<String> names = tags.isEmpty() ? Set.of() : new HashSet<>(INVENTORY_TAGS);
        for (String key : tags.size() < 2 ? tags.keySet() : new TreeSet<>(tags.keySet())) {
            String problem = StoreNames.problem(key);
            if (problem != null) {
                throw new IllegalArgumentException("tags key '" + key + "': " + problem);
            }
            if (StoreNames.isGatewayKey(key) || !names.add(key.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("tags key '" + key + "' is, in some letter case, a name the "
                        + "gateway writes itself (device, site, timestamp, time, device_class, lane, lat, lon) or "
                        + "another key of tags");
            }
        }
        Require.duration("expected_interval", expectedInterval, 0, 1_000, 7 * 86_400_000L);
    }

    public DeviceConfig(String id, String site, String deviceClass, String lane, Location location,
            Map<String, String> tags) {
        this(id, site, deviceClass, lane, location, tags, null);
    }

    /** The device's own expected reporting interval in milliseconds, or 0 when it has none. */
    public long expectedIntervalMs() {
        return Require.duration("expected_interval", expectedInterval, 0, 1_000, 7 * 86_400_000L);
    }

    /**
     * WGS-84 position of a device.
     *
     * @param lat latitude, degrees
     * @param lon longitude, degrees
     */
    public record Location(Double lat, Double lon) {
        public Location {
            Require.present("lat", lat);
            Require.present("lon", lon);
            if (lat < -90 || lat > 90) {
                throw new IllegalArgumentException("lat must be -90..90, got " + lat);
            }
            if (lon < -180 || lon > 180) {
                throw new IllegalArgumentException("lon must be -180..180, got " + lon);
            }
        }
    }
}
