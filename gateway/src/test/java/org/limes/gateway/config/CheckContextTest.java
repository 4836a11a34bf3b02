package org.limes.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.limes.drivers.Drivers;
import org.limes.gateway.pipeline.DeviceClassConfig;
import org.limes.gateway.pipeline.DeviceConfig;
import org.limes.gateway.pipeline.InventoryConfig;
import org.limes.gateway.sink.centre.MqttCentreConfig;
import org.limes.gateway.source.http.HttpSourceConfig;
import org.limes.gateway.source.mqtt.MqttSourceConfig;
import org.limes.gateway.source.tcp.TcpSourceConfig;
import org.limes.gateway.source.udp.UdpSourceConfig;
import org.limes.gateway.tls.TlsConfig;

/**
 * Each configuration record checks itself against what it needs to see, given a
 * {@link CheckContext}: one accepted and one refused case per rule, with the exact message the
 * loader has always given ({@code ConfigLoaderTest} and {@code CentreConfigLoaderTest} run the
 * same rules through the whole loader).
 */
class CheckContextTest {

    private static final Drivers DRIVERS = Drivers.load();
    /** The drivers on the class path, as the message lists them: {@code [camera-hikvision, …, radar-nmea]}. */
    private static final String DRIVER_NAMES = DRIVERS.names().toString();
    private static final InventoryConfig NO_DEVICES = new InventoryConfig(null, null, null);
    private static final InventoryConfig ONE_DEVICE = new InventoryConfig(null, null,
            List.of(new DeviceConfig("d-1", "s", null, null, null, null)));
    private static final TlsConfig MUTUAL = TlsConfig.server("c.pem", "k.pem", "ca.pem", null);
    private static final TlsConfig CLIENT = new TlsConfig("ca.pem", null, null);

    private static CheckContext top(InventoryConfig inventory, String broker) {
        return CheckContext.of("t.yml", DRIVERS, inventory, new MqttConfig(broker, null, null));
    }

    private static CheckContext source(int i) {
        return top(NO_DEVICES, null).at("sources[" + i + "]");
    }

    // --- the context itself: paths as the loader always wrote them

    @Test
    void pathsJoinKeysWithDotsAndIndexesWithout() {
        CheckContext ctx = top(NO_DEVICES, null);
        assertThat(ctx.path()).isEmpty();
        assertThat(ctx.at("sources[1]").path()).isEqualTo("sources[1]");
        assertThat(ctx.at("sources").at("[1]").path()).isEqualTo("sources[1]");
        assertThat(ctx.at("sources[1]").at("topics[0]").at("driver").path()).isEqualTo("sources[1].topics[0].driver");
        assertThat(ctx.at("sources[1]").at("").path()).isEqualTo("sources[1]");
        assertThat(ctx.at("sources[1]").fail("port", "must be 1..65535, got 70000"))
                .hasMessage("t.yml: sources[1].port must be 1..65535, got 70000")
                .satisfies(e -> assertThat(e.path()).isEqualTo("sources[1].port"))
                .satisfies(e -> assertThat(e.file()).isEqualTo("t.yml"));
        assertThat(ctx.fail("", "is empty")).hasMessage("t.yml: is empty");
    }

    // --- sources: drivers, framing, devices_by_peer, mutual TLS, the MQTT broker's scheme

    @Test
    void aSourceNamesDriversThatExist() {
        assertThatCode(() -> tcp("counter-json", Map.of(), null, Map.of(), null).check(source(0)))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> tcp("counter-jsn", Map.of(), null, Map.of(), null).check(source(1)))
                .isInstanceOf(ConfigException.class)
                .hasMessage("t.yml: sources[1].driver must be one of " + DRIVER_NAMES + ", got 'counter-jsn'");
    }

    @Test
    void aDriverNamedUnderAListIsReportedAtItsEntry() {
        MqttSourceConfig twoTopics = mqtt(null, null, new MqttSourceConfig.TopicRoute("a/#", "counter-json", null),
                new MqttSourceConfig.TopicRoute("b/#", "nope", null));
        assertThatThrownBy(() -> twoTopics.check(source(0)))
                .hasMessage("t.yml: sources[0].topics[1].driver must be one of " + DRIVER_NAMES + ", got 'nope'");
        HttpSourceConfig badOptions = http(null, new HttpSourceConfig.DriverRoute("counter-json", Map.of("x", "y")));
        assertThatThrownBy(() -> badOptions.check(source(2)))
                .isInstanceOf(ConfigException.class)
                .hasMessage("t.yml: sources[2].drivers[0].options unknown option x, expected one of []")
                .hasCauseInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aDriverTakesItsOptions() {
        assertThatCode(() -> udp("radar-nmea", Map.of("device", "r-1"), Map.of()).check(source(0)))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> udp("counter-json", Map.of("x", "y"), Map.of()).check(source(0)))
                .hasMessage("t.yml: sources[0].options unknown option x, expected one of []");
    }

    @Test
    void aTcpSourceWithADocumentDriverSaysHowTheStreamIsCut() {
        assertThatCode(() -> tcp("camera-hikvision", Map.of(), "newline", Map.of(), null).check(source(0)))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> tcp("camera-hikvision", Map.of(), null, Map.of(), null).check(source(0)))
                .hasMessage("t.yml: sources[0].framing is required: driver camera-hikvision frames whole documents, "
                        + "so say how the stream is cut (newline, length_prefixed, asterix)");
    }

    @Test
    void devicesByPeerNeedsADriverThatTakesADevice() {
        Map<String, String> byPeer = Map.of("10.0.0.1", "r-1");
        // The driver's own device option stays required: it names the device of any other peer.
        Map<String, String> fallback = Map.of("device", "r-0");
        assertThatCode(() -> udp("radar-asterix", fallback, byPeer).check(source(0))).doesNotThrowAnyException();
        assertThatCode(() -> tcp("radar-asterix", fallback, null, byPeer, null).check(source(0)))
                .doesNotThrowAnyException();
        String refused = ".devices_by_peer cannot be used with driver counter-json, which reads the device from the "
                + "payload and takes no device option";
        assertThatThrownBy(() -> tcp("counter-json", Map.of(), null, byPeer, null).check(source(0)))
                .hasMessage("t.yml: sources[0]" + refused);
        assertThatThrownBy(() -> udp("counter-json", Map.of(), byPeer).check(source(3)))
                .hasMessage("t.yml: sources[3]" + refused);
    }

    @Test
    void mutualTlsNeedsInventoryDevices() {
        CheckContext withDevices = top(ONE_DEVICE, null).at("sources[0]");
        String refused = ".tls.client_ca_file needs inventory.devices: a device certificate must name an inventory "
                + "device";
        assertThatCode(() -> tcp("counter-json", Map.of(), null, Map.of(), MUTUAL).check(withDevices))
                .doesNotThrowAnyException();
        assertThatCode(() -> http(MUTUAL, new HttpSourceConfig.DriverRoute("counter-json", null)).check(withDevices))
                .doesNotThrowAnyException();
        TlsConfig serverOnly = TlsConfig.server("c.pem", "k.pem", null, null);
        assertThatCode(() -> tcp("counter-json", Map.of(), null, Map.of(), serverOnly).check(source(0)))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> tcp("counter-json", Map.of(), null, Map.of(), MUTUAL).check(source(0)))
                .hasMessage("t.yml: sources[0]" + refused);
        assertThatThrownBy(() -> http(MUTUAL, new HttpSourceConfig.DriverRoute("counter-json", null))
                .check(source(1)))
                .hasMessage("t.yml: sources[1]" + refused);
        assertThatThrownBy(() -> MUTUAL.checkInventory(CheckContext.of("t.yml", DRIVERS, NO_DEVICES, null).at("tls")))
                .hasMessage("t.yml: tls.client_ca_file needs inventory.devices: a device certificate must name an "
                        + "inventory device");
    }

    @Test
    void anMqttSourceWithTlsNeedsATlsBrokerItsOwnOrTheDefault() {
        MqttSourceConfig.TopicRoute route = new MqttSourceConfig.TopicRoute("a/#", "counter-json", null);
        assertThatCode(() -> mqtt("ssl://b:8883", CLIENT, route).check(source(0))).doesNotThrowAnyException();
        assertThatCode(() -> mqtt(null, CLIENT, route).check(top(NO_DEVICES, "wss://b:443").at("sources[0]")))
                .doesNotThrowAnyException();
        assertThatCode(() -> mqtt(null, null, route).check(source(0))).doesNotThrowAnyException();
        assertThatThrownBy(() -> mqtt(null, CLIENT, route).check(source(0)))
                .hasMessage("t.yml: sources[0].tls needs an ssl:// or wss:// broker, and the source's broker is "
                        + "'embedded'");
        // Its own broker wins over the default, in the check as in the connection.
        assertThatThrownBy(() -> mqtt("tcp://x:1883", CLIENT, route)
                .check(top(NO_DEVICES, "ssl://b:8883").at("sources[2]")))
                .hasMessage("t.yml: sources[2].tls needs an ssl:// or wss:// broker, and the source's broker is "
                        + "'tcp://x:1883'");
    }

    // --- MqttConfig: the one place for the broker's form and its TLS schemes

    @Test
    void aBrokerIsEmbeddedOrAUriAndSslOrWssIsTls() {
        assertThat(MqttConfig.brokerProblem("embedded")).isNull();
        assertThat(MqttConfig.brokerProblem("tcp://broker:1883")).isNull();
        assertThat(MqttConfig.brokerProblem("ws://broker/")).isNull();
        assertThat(MqttConfig.brokerProblem("localhost:1883"))
                .isEqualTo("must be 'embedded' or a URI like tcp://host:1883, got 'localhost:1883'");
        assertThatThrownBy(() -> new MqttConfig("http://x", null, null))
                .hasMessage("broker must be 'embedded' or a URI like tcp://host:1883, got 'http://x'");
        assertThat(MqttConfig.tlsScheme("ssl://b:8883")).isTrue();
        assertThat(MqttConfig.tlsScheme("wss://b")).isTrue();
        assertThat(MqttConfig.tlsScheme("tcp://b:1883")).isFalse();
        assertThat(MqttConfig.tlsScheme("ws://b")).isFalse();
        assertThat(MqttConfig.tlsScheme("embedded")).isFalse();
        assertThat(new MqttConfig("tcp://b:1883", null, null).brokerFor(null)).isEqualTo("tcp://b:1883");
        assertThat(new MqttConfig("tcp://b:1883", null, null).brokerFor("ssl://c:8883")).isEqualTo("ssl://c:8883");
    }

    // --- centres: the broker's form, the TLS scheme

    @Test
    void anMqttCentreNamesABrokerOfTheRightForm() {
        CheckContext centre = top(NO_DEVICES, null).at("centres[0]");
        assertThatCode(() -> centre("tcp://alerts:1883", null).check(centre)).doesNotThrowAnyException();
        assertThatCode(() -> centre(null, null).check(centre)).doesNotThrowAnyException();
        assertThatThrownBy(() -> centre("http://x", null).check(centre))
                .isInstanceOf(ConfigException.class)
                .hasMessage("t.yml: centres[0].broker must be 'embedded' or a URI like tcp://host:1883, got "
                        + "'http://x'");
    }

    @Test
    void anMqttCentreWithTlsNeedsATlsBrokerItsOwnOrTheDefault() {
        assertThatCode(() -> centre("ssl://alerts:8883", CLIENT).check(top(NO_DEVICES, null).at("centres[0]")))
                .doesNotThrowAnyException();
        assertThatCode(() -> centre(null, CLIENT).check(top(NO_DEVICES, "ssl://b:8883").at("centres[0]")))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> centre(null, CLIENT).check(top(NO_DEVICES, null).at("centres[1]")))
                .hasMessage("t.yml: centres[1].tls needs an ssl:// or wss:// broker, and the centre's broker is "
                        + "'embedded'");
        assertThatThrownBy(() -> centre("tcp://b:1", CLIENT).check(top(NO_DEVICES, "ssl://b:8883").at("centres[0]")))
                .hasMessage("t.yml: centres[0].tls needs an ssl:// or wss:// broker, and the centre's broker is "
                        + "'tcp://b:1'");
    }

    // --- the inventory

    @Test
    void anInventoryDefinesTheClassesItsDevicesName() {
        Map<String, DeviceClassConfig> classes = Map.of("counter", new DeviceClassConfig("5m"));
        CheckContext inventory = top(NO_DEVICES, null).at("inventory");
        assertThatCode(() -> new InventoryConfig(null, null, classes,
                List.of(new DeviceConfig("d-1", "s", "counter", null, null, null))).check(inventory))
                .doesNotThrowAnyException();
        assertThatCode(() -> ONE_DEVICE.check(inventory)).doesNotThrowAnyException();
        assertThatThrownBy(() -> new InventoryConfig(null, null, classes,
                List.of(new DeviceConfig("d-1", "s", "countr", null, null, null))).check(inventory))
                .isInstanceOf(ConfigException.class)
                .hasMessage("t.yml: inventory.devices[0].class is 'countr', which classes does not define; defined: "
                        + "[counter]");
    }

    @Test
    void anInventoryListsEachDeviceOnce() {
        CheckContext inventory = top(NO_DEVICES, null).at("inventory");
        DeviceConfig d = new DeviceConfig("d", "s", null, null, null, null);
        DeviceConfig e = new DeviceConfig("e", "s", null, null, null, null);
        assertThatCode(() -> new InventoryConfig(null, null, List.of(d, e)).check(inventory))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> new InventoryConfig(null, null, List.of(d, e, d)).check(inventory))
                .hasMessage("t.yml: inventory.devices[2].id must be unique, 'd' is listed twice");
    }

    // --- builders of the records under test

    private static TcpSourceConfig tcp(String driver, Map<String, String> options, String framing,
            Map<String, String> devicesByPeer, TlsConfig tls) {
        return new TcpSourceConfig("t", null, 0, driver, options, framing, null, null, null, null, null, null, null,
                devicesByPeer, null, tls);
    }

    private static UdpSourceConfig udp(String driver, Map<String, String> options, Map<String, String> byPeer) {
        return new UdpSourceConfig("u", null, 0, driver, options, null, null, null, null, byPeer);
    }

    private static HttpSourceConfig http(TlsConfig tls, HttpSourceConfig.DriverRoute... drivers) {
        return new HttpSourceConfig("h", null, 0, List.of(drivers), null, null, null, null, null, null, null, null,
                null, tls);
    }

    private static MqttSourceConfig mqtt(String broker, TlsConfig tls, MqttSourceConfig.TopicRoute... topics) {
        return new MqttSourceConfig("m", broker, null, List.of(topics), null, null, tls, null, null, null, null, null, null);
    }

    private static MqttCentreConfig centre(String broker, TlsConfig tls) {
        return new MqttCentreConfig("c", null, null, broker, null, null, null, tls, null, null, null, null, null, null,
                null);
    }
}
