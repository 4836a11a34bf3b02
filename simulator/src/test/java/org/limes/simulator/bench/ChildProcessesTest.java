package org.limes.simulator.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
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
}
