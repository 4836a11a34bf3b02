package org.limes.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.limes.drivers.Reading;

class InventoryTest {

    private static final Instant T = Instant.parse("2026-11-26T06:00:00Z");

    private static final List<DeviceConfig> DEVICES = List.of(
            new DeviceConfig("cnt-01", "ras-ajdir", "counter", "1", new DeviceConfig.Location(33.15, 11.5),
                    Map.of("zone", "north", "direction", "inbound")),
            new DeviceConfig("cam-01", "wazin", null, null, null, null));

    private static Reading reading(String device, Map<String, String> tags) {
        return new Reading(device, "", "vehicle_count", tags, Map.of("count_total", 3L), T, T);
    }

    @Test
    void addsSiteAndInventoryTags() {
        Inventory inventory = new Inventory(new InventoryConfig(null, null, DEVICES));

        Reading r = inventory.normalise(reading("cnt-01", Map.of("lane_state", "open")));

        assertThat(r.site()).isEqualTo("ras-ajdir");
        assertThat(r.tags()).containsExactlyInAnyOrderEntriesOf(Map.of("device_class", "counter", "lane", "1",
                "lat", "33.15", "lon", "11.5", "zone", "north", "direction", "inbound", "lane_state", "open"));
        assertThat(r.fields()).isEqualTo(Map.of("count_total", 3L));
        assertThat(r.deviceId()).isEqualTo("cnt-01");
    }

    @Test
    void optionalPartsAreLeftOutAndClassDefaultsToUnknown() {
        Inventory inventory = new Inventory(new InventoryConfig(null, null, DEVICES));

        Reading r = inventory.normalise(reading("cam-01", Map.of()));

        assertThat(r.site()).isEqualTo("wazin");
        assertThat(r.tags()).isEqualTo(Map.of("device_class", "unknown"));
    }

    @Test
    void inventoryTagsWinOverTheSameKeysTheDeviceReported() {
        Inventory inventory = new Inventory(new InventoryConfig(null, null, DEVICES));

        Reading r = inventory.normalise(reading("cnt-01", Map.of("lane", "2", "direction", "outbound",
                "device_class", "camera", "gate", "g1")));

        assertThat(r.tags()).containsEntry("lane", "1").containsEntry("direction", "inbound")
                .containsEntry("device_class", "counter").containsEntry("zone", "north").containsEntry("gate", "g1");
    }

    @Test
    void inventoryTagKeysMustBeStoreNamesOtherThanTheGateways() {
        assertThatThrownBy(() -> new DeviceConfig("cnt-01", "ras-ajdir", "counter", null, null, Map.of("zo-ne", "a")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("tags key 'zo-ne': names the store");
        assertThatThrownBy(() -> new DeviceConfig("cnt-01", "ras-ajdir", "counter", null, null, Map.of("Site", "x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tags key 'Site' is");
        assertThatThrownBy(() -> new DeviceConfig("cnt-01", "ras-ajdir", "counter", null, null, Map.of("Lane", "x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tags key 'Lane' is");
        assertThatThrownBy(() -> new DeviceConfig("cnt-01", "ras-ajdir", "counter", null, null,
                Map.of("zone", "a", "Zone", "b"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("another key of tags");
    }

    @Test
    void unknownDevicesAreRejectedByDefault() {
        Inventory inventory = new Inventory(new InventoryConfig(null, null, DEVICES));

        assertThat(inventory.normalise(reading("stranger", Map.of("lane", "9")))).isNull();
        assertThat(inventory.knows("stranger")).isFalse();
        assertThat(inventory.knows("cnt-01")).isTrue();
        assertThat(inventory.size()).isEqualTo(2);
    }

    @Test
    void unknownDevicesAreAcceptedWithTheDefaultSiteWhenConfigured() {
        Inventory inventory = new Inventory(new InventoryConfig("accept", "ras-ajdir", DEVICES));

        Reading r = inventory.normalise(reading("stranger", Map.of("lane", "9")));

        assertThat(r).isNotNull();
        assertThat(r.site()).isEqualTo("ras-ajdir");
        assertThat(r.tags()).isEqualTo(Map.of("lane", "9"));
        assertThat(new Inventory(new InventoryConfig("ACCEPT", null, List.of()))
                .normalise(reading("x", Map.of())).site()).isEqualTo("unknown");
    }
}
