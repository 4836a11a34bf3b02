package org.limes.gateway.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The acknowledged position on a real disk: replaced whole, never trusted when damaged. */
class AckFileTest {

    @TempDir
    Path dir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final FullDisk disk = new FullDisk();
    private AckFile ack;

    @BeforeEach
    void open() {
        ack = new AckFile(dir, "store", new OutboxMetrics(registry, "store"), disk);
    }

    private double corrupt() {
        return registry.get("limes.errors").tag("error_type", "corrupt_record").counter().count();
    }

    @Test
    void noFileMeansNothingAcknowledged() throws IOException {
        assertThat(ack.read()).isEqualTo(-1);
        assertThat(corrupt()).isZero();
    }

    @Test
    void aRewriteReplacesThePositionAndLeavesNoTemporaryFile() throws IOException {
        ack.write(5);
        ack.write(1_234_567_890_123L);

        assertThat(ack.read()).isEqualTo(1_234_567_890_123L);
        assertThat(Files.size(dir.resolve("ack"))).isEqualTo(AckFile.BYTES);
        assertThat(dir.resolve("ack.tmp")).doesNotExist();
        assertThat(new AckFile(dir, "store", new OutboxMetrics(new SimpleMeterRegistry(), "store"),
                DiskWrites.DIRECT).read()).as("a fresh reader, as after a restart").isEqualTo(1_234_567_890_123L);
    }

    @Test
    void aCrashBeforeTheRenameKeepsTheOldPosition() throws IOException {
        ack.write(7);
        // What a crash between writing ack.tmp and renaming it leaves behind.
        Files.write(dir.resolve("ack.tmp"), new byte[] {9, 0, 0});

        assertThat(ack.read()).isEqualTo(7);
        ack.write(9);
        assertThat(ack.read()).isEqualTo(9);
        assertThat(dir.resolve("ack.tmp")).doesNotExist();
    }

    @Test
    void aFailedWriteOnAFullDiskKeepsTheOldPosition() throws IOException {
        ack.write(3);
        disk.fill();

        assertThatThrownBy(() -> ack.write(8)).isInstanceOf(IOException.class).hasMessageContaining("No space");
        assertThat(ack.read()).isEqualTo(3);
        disk.free();
        ack.write(8);
        assertThat(ack.read()).isEqualTo(8);
    }

    @Test
    void aFileOfTheWrongSizeIsCountedAndReadAsNothingAcknowledged() throws IOException {
        Files.write(dir.resolve("ack"), new byte[] {1, 0, 0, 0, 0, 0, 0, 0});

        assertThat(ack.read()).isEqualTo(-1);
        assertThat(corrupt()).isEqualTo(1.0);
    }

    @Test
    void aFlippedBitIsCaughtByTheChecksum() throws IOException {
        ack.write(42);
        byte[] raw = Files.readAllBytes(dir.resolve("ack"));
        raw[0] ^= 0x01;
        Files.write(dir.resolve("ack"), raw);

        assertThat(ack.read()).isEqualTo(-1);
        assertThat(corrupt()).isEqualTo(1.0);
    }
}
