package org.limes.gateway.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The free-space check before the embedded store starts, with a minimum above what the disk has. */
class EmbeddedStoreSpaceTest {

    private static final long MIB = 1024 * 1024;

    @TempDir
    Path dir;

    @Test
    void refusesADataDirWithLessThanTheMinimumFreeNamingBoth() throws Exception {
        Path dataDir = dir.resolve("data");
        long usable = Files.getFileStore(dir).getUsableSpace();
        long minimum = usable + 1024 * MIB;
        assertThatThrownBy(() -> EmbeddedStore.requireFreeSpace(dataDir, minimum))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("data_dir: " + dataDir + ": needs at least " + minimum / MIB
                        + " MiB free, has ")
                .hasMessageMatching("(?s).* has \\d+ MiB .*");
    }

    @Test
    void acceptsEnoughSpaceAndMeasuresTheNearestExistingParent() {
        assertThatCode(() -> EmbeddedStore.requireFreeSpace(dir.resolve("not/yet/made"), MIB))
                .doesNotThrowAnyException();
        assertThatCode(() -> EmbeddedStore.requireFreeSpace(Path.of("relative-not-made"), MIB))
                .doesNotThrowAnyException();
    }

    @Test
    void theDocumentedMinimumIsWhatTheGatewayChecks() {
        // README: "has less than **256 MiB** usable"
        assertThat(EmbeddedStore.MIN_FREE_BYTES).isEqualTo(256 * MIB);
    }
}
