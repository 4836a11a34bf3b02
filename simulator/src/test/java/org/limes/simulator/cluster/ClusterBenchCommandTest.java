package org.limes.simulator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.simulator.Main;
import picocli.CommandLine;

class ClusterBenchCommandTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void helpListsEveryOptionAndTheExitCodes() {
        assertThat(execute("cluster-bench", "--help")).as(err::toString).isZero();

        assertThat(out.toString()).contains("--devices", "--duration", "--rate", "--hold", "--json", "--work-dir",
                "--gateway-jar", "--gateway-java-option", "--kafka-java-option", "--store-java-option",
                "--stall-timeout", "--seed", "--warmup", "--cluster-setting", "Exit codes", "lost 0, duplicate_rows 0");
    }

    @Test
    void badOptionsAreNamedBeforeAnythingStarts() throws IOException {
        String jar = Files.writeString(dir.resolve("limes-gateway.jar"), "not run").toString();

        assertThat(execute("cluster-bench", "--devices", "5", "--gateway-jar", jar)).isEqualTo(2);
        assertThat(execute("cluster-bench", "--duration", "5s", "--gateway-jar", jar)).isEqualTo(2);
        assertThat(execute("cluster-bench", "--rate", "0", "--gateway-jar", jar)).isEqualTo(2);
        assertThat(execute("cluster-bench", "--hold", "1", "--gateway-jar", jar)).isEqualTo(2);
        assertThat(execute("cluster-bench", "--gateway-jar", dir.resolve("none.jar").toString())).isEqualTo(2);
        assertThat(execute("cluster-bench", "--cluster-setting", "crossing=other", "--gateway-jar", jar)).isEqualTo(2);
        assertThat(execute("cluster-bench", "--cluster-setting", "Session-Timeout=1", "--gateway-jar", jar))
                .isEqualTo(2);

        assertThat(err.toString()).contains("--devices must be 10..10000, got 5",
                "--duration must be at least 10s", "--rate must be 10..100000, got 0.0", "--hold must be 2..30, got 1",
                "--gateway-jar: no file at " + dir.resolve("none.jar").toAbsolutePath(),
                "--cluster-setting crossing is the rehearsal's own; it cannot be set",
                "--cluster-setting Session-Timeout: a key of the cluster: section is lower case");
    }

    /**
     * A folder an earlier run left behind (here the first Kafka node's storage, already formatted)
     * is refused at once, as a usage error naming the folder and what to do, and left as it is:
     * nothing is started in it, nothing of it removed.
     */
    @Test
    void aWorkDirThatIsNotEmptyIsRefusedBeforeAnythingStarts() throws IOException {
        String jar = Files.writeString(dir.resolve("limes-gateway.jar"), "not run").toString();
        Path work = dir.resolve("earlier run");
        Path stale = Files.createDirectories(work.resolve("kafka/node-1/data")).resolve("meta.properties");
        Files.writeString(stale, "cluster.id=left-by-an-earlier-run\n");

        int code = execute("cluster-bench", "--work-dir", work.toString(), "--gateway-jar", jar);

        assertThat(code).as(err::toString).isEqualTo(2);
        assertThat(err.toString()).contains("--work-dir " + work.toAbsolutePath() + " is not empty",
                "give an empty or new folder");
        assertThat(work).isDirectoryContaining(p -> p.getFileName().toString().equals("kafka"));
        try (var entries = Files.list(work)) {
            assertThat(entries).as("nothing started in the folder").hasSize(1);
        }
        assertThat(stale).hasContent("cluster.id=left-by-an-earlier-run");
    }

    @Test
    void aWorkDirThatIsAFileIsRefused() throws IOException {
        String jar = Files.writeString(dir.resolve("limes-gateway.jar"), "not run").toString();
        Path file = Files.writeString(dir.resolve("work.txt"), "a file");

        assertThat(execute("cluster-bench", "--work-dir", file.toString(), "--gateway-jar", jar)).isEqualTo(2);

        assertThat(err.toString()).contains("--work-dir " + file.toAbsolutePath() + " is not a folder");
    }

    private int execute(String... args) {
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }
}
