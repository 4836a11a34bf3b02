package org.limes.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** data_dir holds the outboxes (plain plates for cleared centres) and alert state: owner-only, whatever the umask. */
class DataDirTest {

    @TempDir
    Path dir;

    @Test
    void aNewDataDirIsOwnerOnlyAndAnExistingOpenOneIsNarrowed() throws Exception {
        Path fresh = DataDir.ownerOnly(dir.resolve("a/data"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh))).isEqualTo("rwx------");

        Path old = Files.createDirectories(dir.resolve("old"));
        Files.createDirectories(old.resolve("outbox/tripoli"));
        Files.createDirectories(old.resolve("alerts"));
        for (Path p : new Path[] {old, old.resolve("outbox"), old.resolve("alerts")}) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxrwxr-x"));
        }
        DataDir.ownerOnly(old);
        for (Path p : new Path[] {old, old.resolve("outbox"), old.resolve("alerts")}) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p))).as(p.toString())
                    .isEqualTo("rwx------");
        }
    }
}
