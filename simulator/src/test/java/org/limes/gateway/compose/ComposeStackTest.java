package org.limes.gateway.compose;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.limes.drivers.Drivers;
import org.limes.gateway.config.ConfigLoader;
import org.limes.gateway.config.GatewayConfig;
import org.limes.gateway.sink.centre.MqttCentreConfig;
import org.limes.gateway.source.mqtt.MqttSourceConfig;
import org.limes.simulator.scenario.Scenario;
import org.limes.simulator.scenario.ScenarioLoader;

/**
 * The docker-compose stack holds together without Docker: every service, volume, mounted file,
 * datasource and host name it refers to exists, the gateway's config parses, and the secrets
 * and names that must agree between InfluxDB, the gateway, Grafana and Prometheus do.
 */
class ComposeStackTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JsonNode compose = read(YAML, "docker-compose.yml");
    private final JsonNode services = compose.path("services");

    @Test
    void everyDependencyVolumeEnvFileAndDockerfileResolves() {
        assertThat(names(services)).contains("mosquitto", "influxdb", "grafana", "prometheus", "gateway", "simulator");
        Set<String> volumes = names(compose.path("volumes"));
        services.fields().forEachRemaining(s -> {
            String name = s.getKey();
            JsonNode svc = s.getValue();
            assertThat(svc.has("image") || svc.has("build")).as("%s has an image or a build", name).isTrue();
            names(svc.path("depends_on")).forEach(d -> assertThat(names(services)).as("%s depends on", name)
                    .contains(d));
            for (JsonNode v : svc.path("volumes")) {
                String source = v.asText().split(":")[0];
                if (source.startsWith("./")) {
                    assertThat(ROOT.resolve(source)).as("%s mounts %s", name, source).exists();
                } else {
                    assertThat(volumes).as("%s uses the named volume %s", name, source).contains(source);
                }
            }
            for (JsonNode f : svc.path("env_file")) {
                assertThat(ROOT.resolve(f.asText())).as("%s env_file", name).isRegularFile();
            }
            if (svc.has("build")) {
                assertThat(ROOT.resolve(svc.path("build").path("context").asText())
                        .resolve(svc.path("build").path("dockerfile").asText())).as("%s Dockerfile", name).isRegularFile();
            }
            for (JsonNode p : svc.path("ports")) {
                assertThat(p.asText()).as("%s publishes on loopback only", name).startsWith("127.0.0.1:");
            }
        });
    }

    @Test
    void theGatewaysConfigParsesAndPointsAtComposeServicesWithMountedSecrets() throws Exception {
        JsonNode gateway = services.path("gateway");
        Map<String, Path> mounts = mounts(gateway);
        Path configFile = mounts.get("/etc/limes/gateway.yml");
        assertThat(configFile).as("the gateway's config is mounted at its default path").isNotNull();
        assertThat(gateway.path("ports").get(0).asText()).endsWith(":8080");

        GatewayConfig config = new ConfigLoader(Drivers.load()).load(configFile);
        assertThat(config.store().kind()).isEqualTo("influxdb");
        assertThat(host(config.store().url())).isIn(names(services));
        assertThat(host(config.mqtt().broker())).isIn(names(services));
        config.sources().forEach(s -> assertThat(host(((MqttSourceConfig) s).broker() == null ? config.mqtt().broker()
                : ((MqttSourceConfig) s).broker())).isIn(names(services)));
        config.centres().forEach(c -> assertThat(host(((MqttCentreConfig) c).broker())).isIn(names(services)));
        assertThat(config.admin().host()).isEqualTo("0.0.0.0");
        assertThat(config.admin().port()).isEqualTo(8080);
        assertThat(mounts).containsKeys(config.store().tokenFile(), config.admin().tokenFile());

        Map<String, String> influxEnv = envFile(ROOT.resolve(services.path("influxdb").path("env_file").get(0).asText()));
        String influxToken = Files.readString(mounts.get(config.store().tokenFile())).strip();
        assertThat(influxEnv).containsEntry("DOCKER_INFLUXDB_INIT_MODE", "setup")
                .containsEntry("DOCKER_INFLUXDB_INIT_ORG", config.store().org())
                .containsEntry("DOCKER_INFLUXDB_INIT_BUCKET", config.store().bucket())
                .containsEntry("DOCKER_INFLUXDB_INIT_ADMIN_TOKEN", influxToken);
        assertThat(services.path("influxdb").path("image").asText()).startsWith("influxdb:2.7");

        JsonNode simulator = services.path("simulator");
        List<String> args = new ArrayList<>();
        simulator.path("command").forEach(a -> args.add(a.asText()));
        // The simulator plays the normal-day scenario, mounted from config/scenarios, at the gateway's broker.
        String inContainer = args.get(args.indexOf("--scenario") + 1);
        Path scenarioFile = mounts(simulator).entrySet().stream()
                .filter(m -> inContainer.startsWith(m.getKey() + "/"))
                .map(m -> m.getValue().resolve(inContainer.substring(m.getKey().length() + 1)))
                .findFirst().orElse(null);
        assertThat(scenarioFile).as("the scenario is mounted").isNotNull().isRegularFile();
        assertThat(scenarioFile.getFileName().toString()).isEqualTo("normal-day.yml");
        Scenario scenario = new ScenarioLoader().load(scenarioFile);
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals("--target")) {
                String[] target = args.get(i + 1).split("=", 2);
                assertThat(scenario.targets()).containsKey(target[0]);
                assertThat(host(target[1])).isEqualTo(host(config.mqtt().broker()));
            }
        }
        assertThat(args.stream().filter("--target"::equals).count()).isEqualTo(scenario.targets().size());
        assertThat(scenario.deviceIds()).hasSize(10);
        for (String id : scenario.deviceIds()) {
            assertThat(config.inventory().devices()).as("the simulator's %s is in the inventory", id)
                    .anyMatch(d -> d.id().equals(id));
        }
    }

    @Test
    void prometheusScrapesTheGatewayWithTheAdminToken() {
        JsonNode prometheus = services.path("prometheus");
        Map<String, Path> mounts = mounts(prometheus);
        JsonNode config = read(YAML, ROOT.relativize(mounts.get("/etc/prometheus/prometheus.yml")).toString());
        JsonNode job = config.path("scrape_configs").get(0);
        assertThat(job.path("metrics_path").asText()).isEqualTo("/metrics");
        String target = job.path("static_configs").get(0).path("targets").get(0).asText();
        assertThat(target.split(":")[0]).isEqualTo("gateway");
        assertThat(target.split(":")[1]).isEqualTo("8080");
        Path credentials = mounts.get(job.path("authorization").path("credentials_file").asText());
        assertThat(credentials).as("the scrape token is mounted").isNotNull();
        assertThat(credentials).hasSameTextualContentAs(mounts(services.path("gateway")).get("/run/secrets/admin.token"));
    }

    @Test
    void everyDashboardDatasourceIsProvisionedAndPointsAtAService() throws IOException {
        JsonNode grafana = services.path("grafana");
        Map<String, Path> mounts = mounts(grafana);
        JsonNode datasources = read(YAML, ROOT.relativize(
                mounts.get("/etc/grafana/provisioning/datasources/influxdb.yml")).toString()).path("datasources");
        Map<String, String> typeByUid = new HashMap<>();
        for (JsonNode ds : datasources) {
            typeByUid.put(ds.path("uid").asText(), ds.path("type").asText());
            assertThat(host(ds.path("url").asText())).as("datasource %s", ds.path("name")).isIn(names(services));
        }
        JsonNode influx = null;
        for (JsonNode ds : datasources) {
            influx = ds.path("type").asText().equals("influxdb") ? ds : influx;
        }
        assertThat(influx).as("an InfluxDB datasource is provisioned").isNotNull();
        assertThat(influx.path("jsonData").path("version").asText()).isEqualTo("Flux");
        Map<String, String> influxEnv = envFile(ROOT.resolve(services.path("influxdb").path("env_file").get(0).asText()));
        assertThat(influx.path("jsonData").path("organization").asText())
                .isEqualTo(influxEnv.get("DOCKER_INFLUXDB_INIT_ORG"));
        assertThat(influx.path("jsonData").path("defaultBucket").asText())
                .isEqualTo(influxEnv.get("DOCKER_INFLUXDB_INIT_BUCKET"));
        String tokenVariable = influx.path("secureJsonData").path("token").asText();
        assertThat(tokenVariable).startsWith("$");
        assertThat(grafana.path("environment").path(tokenVariable.substring(1)).asText())
                .isEqualTo(influxEnv.get("DOCKER_INFLUXDB_INIT_ADMIN_TOKEN"));

        JsonNode provider = read(YAML, ROOT.relativize(
                mounts.get("/etc/grafana/provisioning/dashboards/limes.yml")).toString()).path("providers").get(0);
        Path dashboards = mounts.get(provider.path("options").path("path").asText());
        assertThat(dashboards).as("the provider's path is mounted").isDirectory();
        String home = grafana.path("environment").path("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH").asText();
        assertThat(dashboards.resolve(Path.of(provider.path("options").path("path").asText()).relativize(Path.of(home))))
                .isRegularFile();

        List<Path> files;
        try (var s = Files.list(dashboards)) {
            files = s.filter(p -> p.toString().endsWith(".json")).toList();
        }
        assertThat(files).isNotEmpty();
        for (Path file : files) {
            JsonNode dash = JSON.readTree(file.toFile());
            assertThat(dash.path("uid").asText()).isNotBlank();
            List<JsonNode> refs = dash.findValues("datasource");
            assertThat(refs).isNotEmpty();
            for (JsonNode ref : refs) {
                String uid = ref.path("uid").asText();
                assertThat(typeByUid).as("%s refers to datasource %s", file.getFileName(), ref).containsKey(uid);
                assertThat(ref.path("type").asText()).isEqualTo(typeByUid.get(uid));
            }
            Set<String> titles = new HashSet<>();
            for (JsonNode panel : dash.path("panels")) {
                titles.add(panel.path("title").asText());
                assertThat(panel.path("targets")).as("panel %s has queries", panel.path("title")).isNotEmpty();
                for (JsonNode t : panel.path("targets")) {
                    String q = t.has("query") ? t.path("query").asText() : t.path("expr").asText();
                    assertThat(q).as("panel %s query", panel.path("title")).isNotBlank();
                }
            }
            assertThat(titles).contains("Traffic per lane and class", "Radar tracks", "ANPR reads", "Alerts",
                    "Device health: readings per device");
        }
    }

    private static Map<String, Path> mounts(JsonNode service) {
        Map<String, Path> out = new HashMap<>();
        for (JsonNode v : service.path("volumes")) {
            String[] parts = v.asText().split(":");
            if (parts[0].startsWith("./")) {
                out.put(parts[1], ROOT.resolve(parts[0]).normalize());
            }
        }
        return out;
    }

    private static Map<String, String> envFile(Path file) throws IOException {
        Map<String, String> env = new HashMap<>();
        for (String line : Files.readAllLines(file)) {
            if (!line.isBlank() && !line.startsWith("#")) {
                env.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
            }
        }
        return env;
    }

    private static String host(String uri) {
        return URI.create(uri).getHost();
    }

    private static Set<String> names(JsonNode node) {
        Set<String> out = new HashSet<>();
        if (node.isArray()) {
            node.forEach(n -> out.add(n.asText()));
        } else {
            node.fieldNames().forEachRemaining(out::add);
        }
        return out;
    }

    private static JsonNode read(ObjectMapper mapper, String file) {
        try {
            return mapper.readTree(ROOT.resolve(file).toFile());
        } catch (IOException e) {
            throw new AssertionError("cannot read " + file, e);
        }
    }
}
