package org.limes.simulator.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.drivers.Drivers;
import org.limes.gateway.JvmOptions;
import org.limes.gateway.config.ConfigLoader;
import org.limes.gateway.sink.influx.StoreConfig;
import org.limes.gateway.source.mqtt.MqttSourceConfig;
import org.limes.simulator.device.counter.CounterModel;

class GatewayProcessTest {

    private static final String BROKER = "tcp://127.0.0.1:4242";

    @Test
    void configurationListsEveryDeviceAndTheProbeAndPointsAtTheBenchBroker() throws Exception {
        CounterModel fleet = new CounterModel(1, "cnt", 250);

        String yml = GatewayProcess.configuration(Path.of("/tmp/x y/data"), fleet, 8081, BROKER)
                .externalBroker(BROKER).embeddedStore(9001).yaml();

        JsonNode config = new ObjectMapper(new YAMLFactory()).readTree(yml);
        assertThat(config.path("data_dir").asText()).isEqualTo("/tmp/x y/data");
        assertThat(config.path("mqtt").path("broker").asText()).isEqualTo("tcp://127.0.0.1:4242");
        assertThat(config.path("store").path("kind").asText()).isEqualTo("embedded");
        assertThat(config.path("store").path("http_port").asInt()).isEqualTo(9001);
        assertThat(config.path("admin").path("port").asInt()).isEqualTo(8081);
        assertThat(config.path("sources").path(0).path("topics").path(0).path("filter").asText())
                .isEqualTo(BenchLoad.TOPIC_FILTER);
        JsonNode devices = config.path("inventory").path("devices");
        assertThat(devices).hasSize(251);
        assertThat(devices.path(0).path("id").asText()).isEqualTo(AlertProbe.DEVICE);
        assertThat(devices.path(250).path("id").asText()).isEqualTo("cnt-250");
        assertThat(config.path("centres").path(0).path("topic").asText()).isEqualTo(AlertProbe.CENTRE_TOPIC);
        assertThat(config.path("centres").path(0).path("broker").asText()).isEqualTo("tcp://127.0.0.1:4242");
    }

    /** The gateway under test starts as it ships: the options its jar carries, then the bench's own. */
    @Test
    void theChildJvmHasTheShippedOptionsThenTheBenchsOwn() {
        List<String> command = GatewayProcess.command(Path.of("/opt/limes-gateway.jar"),
                List.of("-Xmx256m", "-XX:+UseSerialGC"), List.of("-XX:NativeMemoryTracking=summary"),
                Path.of("/tmp/gateway.yml"));

        assertThat(command.subList(1, command.size())).containsExactly("-Xmx256m", "-XX:+UseSerialGC",
                "-XX:NativeMemoryTracking=summary", "-jar", "/opt/limes-gateway.jar", "run", "--config",
                "/tmp/gateway.yml");
    }

    /** The jar the bench runs carries the options file the gateway's build put in it. */
    @Test
    void theGatewayJarCarriesItsOptions(@TempDir Path dir) throws Exception {
        Path jar = dir.resolve("limes-gateway.jar");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(jar))) {
            zip.putNextEntry(new ZipEntry(JvmOptions.RESOURCE));
            zip.write("# heap\n-Xmx256m\n".getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        Path old = dir.resolve("old.jar");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(old))) {
            zip.putNextEntry(new ZipEntry("META-INF/MANIFEST.MF"));
            zip.closeEntry();
        }

        assertThat(JvmOptions.of(jar)).containsExactly("-Xmx256m");
        assertThat(JvmOptions.of(old)).as("a jar built before it carried them").isEmpty();
    }

    @Test
    void bothStoreSectionsAreConfigurationsTheGatewayAccepts() {
        CounterModel fleet = new CounterModel(1, "cnt", 3);
        ConfigLoader loader = new ConfigLoader(Drivers.load());

        StoreConfig embedded = loader.parse("gateway.yml", GatewayProcess.configuration(Path.of("/tmp/data"),
                fleet, 8081, BROKER).externalBroker(BROKER).embeddedStore(9001).yaml()).store();
        StoreConfig external = loader.parse("gateway.yml", GatewayProcess.configuration(Path.of("/tmp/data"),
                fleet, 8081, BROKER).externalBroker(BROKER).influxStore("http://127.0.0.1:9002",
                        Path.of("/tmp/x y/store.token")).yaml()).store();

        assertThat(embedded.embedded()).isTrue();
        assertThat(embedded.httpPort()).isEqualTo(9001);
        assertThat(external.embedded()).isFalse();
        assertThat(external.url()).isEqualTo("http://127.0.0.1:9002");
        assertThat(external.tokenFile()).isEqualTo("/tmp/x y/store.token");
        assertThat(external.batchSize()).isEqualTo(embedded.batchSize()).isEqualTo(5000);
    }

    /**
     * With {@code --broker embedded} the devices publish to the gateway's own broker, taken in by
     * the in-broker ingest (no {@code ingest:} key: the default), and its centre publishes there.
     */
    @Test
    void theEmbeddedBrokerConfigurationIsAcceptedAndIngestsInsideTheBroker() throws Exception {
        CounterModel fleet = new CounterModel(1, "cnt", 3);
        ConfigLoader loader = new ConfigLoader(Drivers.load());
        String yml = GatewayProcess.configuration(Path.of("/tmp/data"), fleet, 8081, "tcp://127.0.0.1:4243")
                .embeddedBroker(4243).embeddedStore(9001).yaml();

        var config = loader.parse("gateway.yml", yml);

        assertThat(config.mqtt().embedded()).isTrue();
        assertThat(config.mqtt().port()).isEqualTo(4243);
        assertThat(config.sources()).singleElement().satisfies(s ->
                assertThat(((MqttSourceConfig) s).inBroker()).isTrue());
        assertThat(new ObjectMapper(new YAMLFactory()).readTree(yml).path("centres").path(0).path("broker").asText())
                .isEqualTo("tcp://127.0.0.1:4243");
    }

    @Test
    void heapIsTheSumOfTheHeapPoolsOnly() {
        String metrics = """
                # HELP jvm_memory_used_bytes The amount of used memory
                # TYPE jvm_memory_used_bytes gauge
                jvm_memory_used_bytes{area="heap",id="G1 Eden Space"} 0.0
                jvm_memory_used_bytes{area="heap",id="G1 Old Gen"} 4.2E7
                jvm_memory_used_bytes{area="heap",id="G1 Survivor Space"} 1000000.0
                jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 9.9E7
                jvm_memory_max_bytes{area="heap",id="G1 Old Gen"} 1.0E9
                """;

        assertThat(GatewayProcess.heapBytes(metrics)).isEqualTo(43_000_000L);
        assertThat(GatewayProcess.heapBytes("limes_frames_received_total 3.0\n")).isEqualTo(-1);
    }
}
