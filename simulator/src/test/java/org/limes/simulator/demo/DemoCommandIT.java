package org.limes.simulator.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.simulator.Main;

/**
 * The demo as a user runs it, in a child JVM with its own temporary folder: standard output holds
 * the demo's report (the status page first) and nothing of QuestDB's, the whole crossing's readings
 * are stored and its three alerts raised and cleared at both centres ({@code --json}), and the
 * demo's data folder is gone after it exits — at the end of a run, and after SIGTERM.
 */
class DemoCommandIT {

    @TempDir
    Path dir;

    private final List<Process> children = new ArrayList<>();

    @AfterEach
    void stopChildren() {
        children.forEach(Process::destroyForcibly);
    }

    @Test
    void playsTheWholeCrossingPrintsWhereToLookAndNothingOfQuestDbAndRemovesItsFolder() throws Exception {
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Process demo = startDemo(tmp, "60s", "normal", "--json");
        assertThat(demo.waitFor(300, TimeUnit.SECONDS)).as("the demo ends").isTrue();
        String stdout = Files.readString(dir.resolve("normal.out"), StandardCharsets.UTF_8);
        assertThat(demo.exitValue()).as("exit code; stdout:%n%s%nstderr:%n%s", stdout, stderr("normal")).isZero();

        List<String> lines = stdout.lines().filter(l -> !l.isBlank()).toList();
        assertThat(lines.get(0)).startsWith("Limes demo");
        assertThat(lines.get(1)).matches("  status page +http://127\\.0\\.0\\.1:\\d+/");
        assertThat(stdout).contains("summary after", "QuestDB console");
        assertThat(stdout).as("QuestDB's own lines on stdout")
                .doesNotContain("server-main", "SYSTEM COULD BE UNSTABLE", "QuestDB is shutting down", " E i.q.")
                .doesNotContainPattern("(?m)^\\d{4}-\\d\\d-\\d\\dT\\S+Z [ACEI] ");
        assertThat(demoFolders(tmp)).as("limes-demo-* left in %s", tmp).isEmpty();
        // Started as `java -jar limes-simulator.jar demo`, the demo's gateway runs in a JVM with the
        // options the gateway ships with (DemoJvm relaunches it), not the JVM's defaults.
        assertThat(Files.readString(dir.resolve("normal.err"), StandardCharsets.UTF_8))
                .doesNotContain("runs without the options the gateway ships with");

        JsonNode summary = new ObjectMapper().readTree(lines.get(lines.size() - 1));
        assertThat(summary.path("ok").asBoolean()).as("summary %s", summary).isTrue();
        JsonNode kinds = summary.path("readings_by_kind");
        for (String kind : List.of("vehicle_count", "anpr_read", "radar_track", "alert")) {
            assertThat(kinds.path(kind).asLong()).as("%s rows stored; %s", kind, summary).isPositive();
        }
        assertThat(kinds.path("vehicle_count").asLong() + kinds.path("anpr_read").asLong()
                + kinds.path("radar_track").asLong()).isEqualTo(summary.path("readings_received").asLong());
        JsonNode rules = summary.path("alerts_by_rule");
        for (String rule : List.of("queue-surge", "plate-watchlist", "exclusion-zone")) {
            // One each: the plate read by two cameras of lane 3 within the passage window is one passage.
            assertThat(rules.path(rule).path("raised").asLong()).as("%s raised at both centres; %s", rule, summary)
                    .isEqualTo(1);
            assertThat(rules.path(rule).path("cleared").asLong()).as("%s cleared at both centres; %s", rule, summary)
                    .isEqualTo(1);
        }
    }

    @Test
    void sigtermRemovesTheFolderToo() throws Exception {
        Path tmp = Files.createDirectories(dir.resolve("tmp-term"));
        Process demo = startDemo(tmp, "10m", "term");
        await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(200))
                .until(() -> !demo.isAlive() || stdout("term").contains("status page"));
        assertThat(demo.isAlive()).as("the demo runs; stdout:%n%s%nstderr:%n%s", stdout("term"), stderr("term"))
                .isTrue();
        assertThat(demoFolders(tmp)).hasSize(1);
        demo.destroy();
        assertThat(demo.waitFor(120, TimeUnit.SECONDS)).as("the demo stops on SIGTERM").isTrue();
        assertThat(demoFolders(tmp)).as("limes-demo-* left in %s; stderr:%n%s", tmp, stderr("term")).isEmpty();
    }

    private Process startDemo(Path tmp, String duration, String name, String... more) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-Djava.io.tmpdir=" + tmp));
        Path jar = Path.of("target", "limes-simulator.jar");
        if (Files.isRegularFile(jar)) {
            cmd.addAll(List.of("-jar", jar.toString()));
        } else {
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        }
        cmd.addAll(List.of("demo", "--duration", duration, "--rate", "20",
                "--config", Path.of("..", "config", "demo.yml").toString()));
        cmd.addAll(List.of(more));
        File out = dir.resolve(name + ".out").toFile();
        File err = dir.resolve(name + ".err").toFile();
        Process p = new ProcessBuilder(cmd).redirectOutput(out).redirectError(err).start();
        children.add(p);
        return p;
    }

    private String stdout(String name) throws IOException {
        return Files.readString(dir.resolve(name + ".out"), StandardCharsets.UTF_8);
    }

    private String stderr(String name) throws IOException {
        List<String> lines = Files.readAllLines(dir.resolve(name + ".err"), StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    private static List<Path> demoFolders(Path tmp) throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.filter(p -> p.getFileName().toString().startsWith("limes-demo-")).toList();
        }
    }
}
