package org.limes.simulator.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChildProcessesTest {

    @TempDir
    Path dir;

    @Test
    void cleanUpStopsWhatIsStillRegisteredThenDeletesTheFolders() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("bench/gateway"));
        Files.writeString(folder.resolve("gateway.log"), "x");
        Process sleeper = ChildProcesses.start(new ProcessBuilder("sleep", "600"));
        ChildProcesses.deleteAtExit(dir.resolve("bench"));

        ChildProcesses.cleanUp();

        assertThat(sleeper.isAlive()).isFalse();
        assertThat(ChildProcesses.registered(sleeper)).isFalse();
        assertThat(dir.resolve("bench")).doesNotExist();
    }

    @Test
    void whatItsOwnerStoppedOrKeptIsLeftAlone() throws Exception {
        Path kept = Files.createDirectories(dir.resolve("kept"));
        Process done = ChildProcesses.start(new ProcessBuilder("true"));
        done.waitFor();
        ChildProcesses.forget(done);
        ChildProcesses.deleteAtExit(kept);
        ChildProcesses.keep(kept);

        ChildProcesses.cleanUp();

        assertThat(ChildProcesses.registered(done)).isFalse();
        assertThat(kept).isDirectory();
    }

    /** A child that ignores SIGTERM is killed once the grace is over, and forgotten. */
    @Test
    void stopKillsWhatIgnoresSigtermAfterTheGrace() throws Exception {
        Process stubborn = ChildProcesses.start(new ProcessBuilder("sh", "-c", "trap '' TERM; echo ready; exec sleep 600"));
        try (BufferedReader out = new BufferedReader(new InputStreamReader(stubborn.getInputStream(),
                StandardCharsets.US_ASCII))) {
            assertThat(out.readLine()).as("SIGTERM ignored from here on").isEqualTo("ready");

            ChildProcesses.stop(stubborn, Duration.ofMillis(300));
        }

        assertThat(stubborn.isAlive()).isFalse();
        assertThat(stubborn.exitValue()).as("killed: 128 + SIGKILL").isEqualTo(137);
        assertThat(ChildProcesses.registered(stubborn)).isFalse();
    }

    @Test
    void aJvmOnTheSimulatorsClassPathLogsAsTheSimulatorDoes() {
        List<String> command = ChildProcesses.javaCommand(List.of("-Xmx64m"), "org.example.Main", List.of("a", "b"));

        assertThat(command.get(0)).endsWith("java");
        assertThat(command.subList(1, command.size())).containsExactly("-Xmx64m",
                "-Dlogback.configurationFile=logback-simulator.xml", "-cp", System.getProperty("java.class.path"),
                "org.example.Main", "a", "b");
    }

    @Test
    void theTailOfALogIsItsLast2000Characters() throws Exception {
        Path log = Files.writeString(dir.resolve("child.log"), "x".repeat(5000) + "the end\n");

        assertThat(ChildProcesses.tail(log)).hasSize(2000).endsWith("the end");
        assertThat(ChildProcesses.tail(Files.writeString(dir.resolve("empty.log"), ""))).isEqualTo("(no output)");
        assertThat(ChildProcesses.tail(dir.resolve("none.log"))).startsWith("(log unreadable: ");
    }

    @Test
    void aListeningPortIsSeen() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            assertThat(ChildProcesses.listening(server.getLocalPort())).isTrue();
        }
    }
}
