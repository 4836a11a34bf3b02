package org.limes.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.limes.drivers.DecodeResult;
import org.limes.drivers.Drivers;
import org.limes.drivers.Frame;
import org.limes.drivers.Reading;
import org.limes.gateway.config.ConfigLoader;
import org.limes.gateway.config.GatewayConfig;

/**
 * The rules' owner decodes a frame record with the driver and options of the source that
 * admitted it, from its own config: the real loader, the real drivers, real frames.
 */
class SourceDriversTest {

    private static final Drivers DRIVERS = Drivers.load();
    private static final String NMEA = "$RATTM,07,0.50,045.0,T,,,,,,N,,T,,060000.00,A\r\n";

    /** Sources of every kind that decides decoding (parsed only: the ports are never bound). */
    static final String SOURCES_YAML = """
            sources:
              - type: http
                name: web
                port: 8080
                drivers: [{driver: lineprotocol, options: {device_tag: sensor}}, {driver: counter-json}]
              - type: mqtt
                name: bus
                topics:
                  - {filter: "lp/sensor/#", driver: lineprotocol, options: {device_tag: sensor}}
                  - {filter: "lp/#", driver: lineprotocol}
              - type: tcp
                name: radars
                port: 10110
                driver: radar-nmea
                options: {device: radar-default, require_checksum: "false"}
                devices_by_peer: {"10.0.0.7": radar-7}
            """;

    private static final GatewayConfig CONFIG = new ConfigLoader(DRIVERS).parse("sources.yml", SOURCES_YAML);

    private final SourceDrivers drivers = new SourceDrivers(CONFIG.sources(), DRIVERS);

    private static FrameRecord record(String source, String origin, String driver, String payload, String identity) {
        return new FrameRecord(new Frame(payload.getBytes(StandardCharsets.UTF_8), source, origin,
                Instant.parse("2026-12-06T03:00:00Z"), identity), driver);
    }

    private List<String> devices(FrameRecord r) throws SourceDrivers.Unresolved {
        DecodeResult result = drivers.resolve(r).decodeAll(r.frame());
        assertThat(result.errors()).isEmpty();
        return result.readings().stream().map(Reading::deviceId).toList();
    }

    @Test
    void anHttpSourceDecodesWithItsDriversOptions() throws Exception {
        // The default device_tag ("device") would find no device in this line.
        assertThat(devices(record("web", "10.0.0.1:5000 /ingest/lineprotocol", "lineprotocol",
                "m,sensor=s-1 f=1i 1\n", null))).containsExactly("s-1");
    }

    @Test
    void anMqttSourceDecodesWithTheFirstMatchingTopicsOptions() throws Exception {
        String line = "m,sensor=s-1 f=1i 1\n";
        assertThat(devices(record("bus", "lp/sensor/a", "lineprotocol", line, null))).containsExactly("s-1");
        assertThat(devices(record("bus", "lp/other", "lineprotocol", "m,device=d-1 f=1i 1\n", null)))
                .containsExactly("d-1");
        FrameRecord other = record("bus", "lp/other", "lineprotocol", line, null);
        assertThat(drivers.resolve(other).decodeAll(other.frame()).readings())
                .as("the second topic's driver has the default device tag").isEmpty();
    }

    @Test
    void aListenerGivesTheDeviceItIdentifiedAsTheDriversDeviceOption() throws Exception {
        assertThat(devices(record("radars", "radar-7@10.0.0.7", "radar-nmea", NMEA, null))).containsExactly("radar-7");
        assertThat(devices(record("radars", "10.0.0.9", "radar-nmea", NMEA, null))).containsExactly("radar-default");
        // A certificate identity is a device the source named too.
        assertThat(devices(record("radars", "radar-9@10.0.0.9", "radar-nmea", NMEA, "radar-9")))
                .containsExactly("radar-9");
        assertThat(drivers.resolve(record("radars", "radar-7@10.0.0.8", "radar-nmea", NMEA, null)))
                .as("one driver per device, created once")
                .isSameAs(drivers.resolve(record("radars", "radar-7@10.0.0.7", "radar-nmea", NMEA, null)));
    }

    @Test
    void aSourceThisConfigLacksIsRefusedWithItsReason() {
        assertThatThrownBy(() -> drivers.resolve(record("elsewhere", "x", "lineprotocol", "", null)))
                .isInstanceOfSatisfying(SourceDrivers.Unresolved.class,
                        e -> assertThat(e.type()).isEqualTo("unknown_source"))
                .hasMessageContaining("source 'elsewhere'").hasMessageContaining("configured alike");
    }

    @Test
    void aDriverTheSourceDoesNotUseThereIsRefusedWithItsReason() {
        assertThatThrownBy(() -> drivers.resolve(record("web", "p /ingest/camera-json", "camera-json", "", null)))
                .isInstanceOfSatisfying(SourceDrivers.Unresolved.class,
                        e -> assertThat(e.type()).isEqualTo("unknown_driver"))
                .hasMessageContaining("source web").hasMessageContaining("'camera-json'");
        assertThatThrownBy(() -> drivers.resolve(record("bus", "cam/1", "lineprotocol", "", null)))
                .hasMessageContaining("no topics[] filter matches cam/1");
        assertThatThrownBy(() -> drivers.resolve(record("radars", "10.0.0.7", "counter-json", "", null)))
                .hasMessageContaining("it uses radar-nmea");
        // A device the source never names, without the identity to back it: no driver is made for it.
        assertThatThrownBy(() -> drivers.resolve(record("radars", "intruder@10.0.0.9", "radar-nmea", NMEA, null)))
                .isInstanceOfSatisfying(SourceDrivers.Unresolved.class,
                        e -> assertThat(e.type()).isEqualTo("unknown_driver"))
                .hasMessageContaining("devices_by_peer do not name device intruder");
    }

    @Test
    void theDeviceBeforeTheLastAtIsTheListenersDevice() {
        assertThat(SourceDrivers.originDevice("radar-7@10.0.0.7")).isEqualTo("radar-7");
        assertThat(SourceDrivers.originDevice("a@b@fe80::1")).isEqualTo("a@b");
        assertThat(SourceDrivers.originDevice("10.0.0.7")).isNull();
        assertThat(SourceDrivers.originDevice("@10.0.0.7")).isNull();
    }
}
