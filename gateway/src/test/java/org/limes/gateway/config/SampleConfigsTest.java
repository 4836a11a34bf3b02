package org.limes.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.limes.drivers.Drivers;

/**
 * Every sample configuration a user may copy is loaded by the real {@link ConfigLoader}: each
 * {@code ```yaml} block of every {@code README*.md} in every folder of the repository, and every
 * gateway configuration under {@code config/}. The annotated reference,
 * {@code config/gateway.example.yml}, must also name every key the configuration records
 * accept, each in its own section. A README block is a whole configuration unless the line
 * before it marks it as a fragment — {@code <!-- fragment: rules[] -->} for a block of list items
 * that belong under {@code rules:} (likewise {@code sources[]}, {@code centres[]}) — which is then
 * put under that key and loaded the same way. Files a sample names relative to itself resolve
 * against {@code config/} (zones, watchlists), as they do for the samples there.
 */
class SampleConfigsTest {

    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final Path CONFIG = REPO.resolve("config");
    private static final Pattern FENCE = Pattern.compile("^```ya?ml\\s*$");
    private static final Pattern FRAGMENT = Pattern.compile("^<!--\\s*fragment:\\s*([a-z_]+)\\[]\\s*-->\\s*$");
    /** Folders of config/ that hold other tools' files (simulator scenarios, Grafana, Prometheus). */
    private static final Set<String> NOT_GATEWAY = Set.of("scenarios", "grafana", "prometheus");

    private final ConfigLoader loader = new ConfigLoader(Drivers.load());

    @Test
    void everyYamlBlockOfEveryReadmeLoads() throws IOException {
        List<Sample> samples = new ArrayList<>();
        for (Path readme : readmes()) {
            samples.addAll(samples(readme));
        }
        assertThat(samples).as("yaml blocks found").hasSizeGreaterThan(10);
        assertThat(samples).extracting(Sample::where)
                .anyMatch(w -> w.contains("camera/hikvision/README.md"))
                .anyMatch(w -> w.contains("gateway/source/README.md"))
                .anyMatch(w -> w.contains("gateway/rules/README.md"))
                .anyMatch(w -> w.contains("sink/centre/README.md"))
                .anyMatch(w -> w.contains("gateway/tls/README.md"));
        List<String> failures = new ArrayList<>();
        for (Sample s : samples) {
            try {
                loader.parse(CONFIG.resolve(s.where().replace('/', '_')).toString(), s.config());
            } catch (ConfigException e) {
                failures.add(s.where() + ": " + e.getMessage());
            }
        }
        if (!failures.isEmpty()) {
            fail("sample configurations that do not load:%n%s", String.join("\n", failures));
        }
    }

    @Test
    void everyGatewayConfigUnderConfigLoads() throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(CONFIG)) {
            files = walk.filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml"))
                    .filter(p -> !NOT_GATEWAY.contains(CONFIG.relativize(p).getName(0).toString()))
                    .sorted().toList();
        }
        assertThat(files).extracting(p -> CONFIG.relativize(p).toString())
                .contains("demo.yml", "gateway.example.yml", Path.of("compose", "gateway.yml").toString());
        for (Path f : files) {
            assertThat(loader.load(f)).as("%s", f).isNotNull();
        }
    }

    @Test
    void theReferenceNamesEveryKeyTheConfigurationAccepts() throws IOException {
        Path reference = CONFIG.resolve("gateway.example.yml");
        Map<String, String> sections = ConfigKeys.sections(Files.readString(reference, StandardCharsets.UTF_8));
        Map<String, Set<String>> keys = ConfigKeys.bySection(GatewayConfig.class);
        assertThat(keys).as("sections of GatewayConfig").containsKeys("", "sources", "rules", "centres", "outbox");
        assertThat(keys.get("sources")).contains("max_frame_bytes", "multicast_group", "token_sha256", "ca_file");
        assertThat(keys.get("rules")).contains("raise_above", "for", "class", "zones_file", "list_file")
                .doesNotContain("zones", "list");
        List<String> missing = new ArrayList<>();
        keys.forEach((section, names) -> {
            String text = section.isEmpty() ? String.join("\n", sections.values()) : sections.get(section);
            for (String key : names) {
                if (text == null || !ConfigKeys.names(text, key)) {
                    missing.add((section.isEmpty() ? "" : section + ": ") + key);
                }
            }
        });
        assertThat(missing).as("keys the configuration accepts that %s does not show (live or commented out)",
                reference).isEmpty();
    }

    @Test
    void aFragmentIsLoadedUnderItsKeyAndABadSampleIsCaught() {
        String readme = """
                Text.

                <!-- fragment: rules[] -->
                ```yaml
                  - id: flow-triples
                    type: rate_of_change
                    kind: vehicle_count
                    field: count_total
                    window: 10m
                    rise_factor: 3
                ```

                ```yaml
                sources:
                  - name: anpr-http
                    type: http
                    port: 8081
                    paths: [{path: /isapi/anpr, driver: camera-hikvision}]
                ```
                """;
        List<Sample> samples = samples("X/README.md", readme.lines().toList());
        assertThat(samples).hasSize(2);
        assertThat(samples.get(0).where()).isEqualTo("X/README.md:4");
        assertThat(loader.parse("fragment.yml", samples.get(0).config()).rules()).hasSize(1);
        try {
            loader.parse("whole.yml", samples.get(1).config());
            fail("a sample with keys check rejects must not load");
        } catch (ConfigException e) {
            assertThat(e.getMessage()).startsWith("whole.yml: sources[0]");
        }
    }

    record Sample(String where, String config) {
    }

    private static List<Path> readmes() throws IOException {
        try (Stream<Path> walk = Files.walk(REPO)) {
            return walk.filter(p -> p.getFileName().toString().matches("README.*\\.md"))
                    .filter(p -> {
                        String rel = REPO.relativize(p).toString();
                        return !rel.contains("target") && !rel.startsWith(".") && !rel.contains("node_modules");
                    })
                    .sorted().toList();
        }
    }

    private static List<Sample> samples(Path readme) throws IOException {
        return samples(REPO.relativize(readme).toString(), Files.readAllLines(readme, StandardCharsets.UTF_8));
    }

    /** The yaml blocks of one README, each as a whole configuration (fragments put under their key). */
    static List<Sample> samples(String name, List<String> lines) {
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!FENCE.matcher(lines.get(i)).matches()) {
                continue;
            }
            int open = i;
            StringBuilder block = new StringBuilder();
            for (i = i + 1; i < lines.size() && !lines.get(i).startsWith("```"); i++) {
                block.append(lines.get(i)).append('\n');
            }
            String before = "";
            for (int j = open - 1; j >= 0; j--) {
                if (!lines.get(j).isBlank()) {
                    before = lines.get(j).trim();
                    break;
                }
            }
            Matcher m = FRAGMENT.matcher(before);
            String config = m.matches() ? m.group(1) + ":\n" + block : block.toString();
            out.add(new Sample(name + ":" + (open + 1), config));
        }
        return out;
    }
}
