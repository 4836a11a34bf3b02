package org.limes.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.limes.drivers.Drivers;
import org.limes.gateway.config.ConfigLoader;

/**
 * The config digest every frame record carries: equal for instances that decode alike however
 * their files are ordered or wherever they listen, different when a source decodes otherwise.
 * Parsed by the real loader.
 */
class ConfigDigestTest {

    private static final ConfigLoader LOADER = new ConfigLoader(Drivers.load());

    private static final String BASE = SourceDriversTest.SOURCES_YAML;

    private static String digest(String yaml) {
        return ConfigDigest.of(LOADER.parse("sources.yml", yaml).sources());
    }

    @Test
    void orderAndListeningAddressesDoNotChangeIt() {
        String reordered = """
                sources:
                  - type: tcp
                    name: radars
                    port: 20110
                    driver: radar-nmea
                    options: {require_checksum: "false", device: radar-default}
                    devices_by_peer: {"10.0.0.7": radar-7}
                  - type: mqtt
                    name: bus
                    topics:
                      - {filter: "lp/sensor/#", driver: lineprotocol, options: {device_tag: sensor}}
                      - {filter: "lp/#", driver: lineprotocol}
                  - type: http
                    name: web
                    port: 9090
                    drivers: [{driver: counter-json}, {driver: lineprotocol, options: {device_tag: sensor}}]
                """;
        assertThat(digest(BASE)).matches("[0-9a-f]{16}").isEqualTo(digest(reordered)).isEqualTo(digest(BASE));
    }

    @Test
    void aSourceThatDecodesOtherwiseChangesIt() {
        String base = digest(BASE);
        assertThat(digest(BASE.replace("device_tag: sensor}}, {driver: counter-json}",
                "device_tag: probe}}, {driver: counter-json}"))).as("an http driver's option").isNotEqualTo(base);
        assertThat(digest(BASE.replace("name: bus", "name: bus-2"))).as("a source renamed").isNotEqualTo(base);
        assertThat(digest(BASE.replace("{filter: \"lp/#\", driver: lineprotocol}",
                "{filter: \"lp/#\", driver: lineprotocol, options: {device_tag: probe}}")))
                .as("a topic route's options").isNotEqualTo(base);
        assertThat(digest(BASE.replace("radar-7", "radar-8"))).as("a device named by peer").isNotEqualTo(base);
        assertThat(digest(BASE.replace("device: radar-default", "device: radar-other"))).as("a listener's option")
                .isNotEqualTo(base);
    }
}
