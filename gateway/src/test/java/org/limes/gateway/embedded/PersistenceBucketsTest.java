package org.limes.gateway.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PersistenceBucketsTest {

    @TempDir
    Path data;

    @Test
    void aFreshOrEmptyDataFolderGetsTheFreshCount() throws Exception {
        assertThat(PersistenceBuckets.of(data)).isEqualTo(new PersistenceBuckets(4, 4));
        Files.createDirectories(data.resolve("persistence/client_queue/040500"));
        assertThat(PersistenceBuckets.of(data)).isEqualTo(new PersistenceBuckets(4, 4));
    }

    @Test
    void aFolderWrittenWithHiveMqsSixtyFourBucketsKeepsThem() throws Exception {
        // As HiveMQ CE 2025.5 lays it out with its defaults.
        for (int b = 0; b < 64; b++) {
            Files.createDirectories(data.resolve("persistence/client_session_store/040000/client_session_store_" + b));
            Files.createDirectories(data.resolve("persistence/client_queue/040500/client_queue_" + b));
            Files.createDirectories(
                    data.resolve("persistence/publish_payload_store/040500_R/publish_payload_store_" + b));
        }
        assertThat(PersistenceBuckets.of(data)).isEqualTo(new PersistenceBuckets(64, 64));
    }

    @Test
    void eachCountIsReadFromItsOwnStoresAndTheHighestBucketWins() throws Exception {
        Files.createDirectories(data.resolve("persistence/client_session_store/040000/client_session_store_1"));
        Files.createDirectories(data.resolve("persistence/retained_messages/040500_R/retained_messages_15"));
        Files.createDirectories(data.resolve("persistence/publish_payload_store/040500_R/publish_payload_store_7"));
        // Not buckets: another store's name, a file, a number out of range.
        Files.createDirectories(data.resolve("persistence/client_queue/040500/client_session_store_99"));
        Files.createFile(data.resolve("persistence/client_session_store/040000/client_session_store_40"));
        Files.createDirectories(data.resolve("persistence/client_queue/040500/client_queue_12345678901"));
        assertThat(PersistenceBuckets.of(data)).isEqualTo(new PersistenceBuckets(16, 8));
    }

    @Test
    void countsMustBePositive() {
        assertThatThrownBy(() -> new PersistenceBuckets(0, 4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("positive");
    }

    @Test
    void aPortionNeverGivesMoreThanTheBoundNorFallsBelowHiveMqsOwn() {
        long gib = 1024L * 1024 * 1024;
        long eightMib = 8L * 1024 * 1024;
        // 23.5 GiB host, 4 payload buckets: HiveMQ would give 23.5 GiB / 32 / 4 = 188 MiB per write buffer.
        long physical = (long) (23.5 * gib);
        int memtable = EmbeddedBroker.portion(physical, 4 * eightMib, 32);
        assertThat(physical / memtable / 4).isLessThanOrEqualTo(eightMib).isGreaterThan(eightMib - 1024);
        assertThat(physical / EmbeddedBroker.portion(physical, eightMib, 64)).isLessThanOrEqualTo(eightMib);
        // A 512 MiB device: HiveMQ's own portion already gives less; it is kept.
        assertThat(EmbeddedBroker.portion(512L * 1024 * 1024, 4 * eightMib, 32)).isEqualTo(32);
    }
}
