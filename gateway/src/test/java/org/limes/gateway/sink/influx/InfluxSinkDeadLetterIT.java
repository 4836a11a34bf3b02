package org.limes.gateway.sink.influx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.influxdb.client.InfluxDBClient;
import com.influxdb.client.InfluxDBClientFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.gateway.embedded.EmbeddedStore;
import org.limes.gateway.embedded.QuestDbClient;
import org.limes.gateway.embedded.QuestDbSchema;
import org.limes.gateway.outbox.DestinationQueue;
import org.limes.gateway.outbox.OutboxCommitter;
import org.limes.gateway.outbox.OutboxRecord;
import org.limes.gateway.outbox.TestQueues;
import org.limes.gateway.sink.SinkMetrics;

/**
 * The store sink against the embedded QuestDB with a record it can never take at the head of
 * its outbox: the record is set aside in the store's dead-letter file (owner-only, readable
 * line protocol with a comment saying why), counted, and the records behind it are stored —
 * it used to be retried for ever, holding every later reading back, across restarts.
 */
class InfluxSinkDeadLetterIT {

    @TempDir
    static Path root;

    @TempDir
    Path dir;

    private static EmbeddedStore store;
    private static QuestDbClient sql;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private OutboxCommitter committer;
    private InfluxDBClient influx;
    private InfluxSink sink;

    @BeforeAll
    static void startStore() {
        store = EmbeddedStore.start(root.resolve("questdb"), "127.0.0.1", 0);
        sql = new QuestDbClient(store.url());
    }

    @AfterAll
    static void stopStore() {
        if (store != null) {
            store.close();
        }
    }

    @AfterEach
    void stop() {
        if (sink != null) {
            sink.close();
        }
        if (influx != null) {
            influx.close();
        }
        if (committer != null) {
            committer.close();
        }
    }

    @Test
    void aLineTheStoreCanNeverTakeIsSetAsideAndTheLinesBehindItAreStored() throws Exception {
        committer = new OutboxCommitter(2);
        committer.start();
        DestinationQueue queue = TestQueues.open(dir, "store", committer, registry);
        // The measurement name QuestDbSchema refuses (issue 13): it used to stall the store for ever.
        String bad = "plc-x,device=lp-1 v=1 1700000000000000000";
        queue.append(OutboxRecord.READING, line("dl_lanes,device=cnt-01 count=1i 1700000000000000000"));
        queue.append(OutboxRecord.READING, line(bad));
        queue.append(OutboxRecord.READING, line("dl_lanes,device=cnt-01 count=2i 1700000001000000000"));
        start(queue, 100);

        await().atMost(Duration.ofSeconds(30)).until(() -> queue.depth() == 0);
        await().atMost(Duration.ofSeconds(30)).until(() -> sql.count("dl_lanes") == 2);

        // Later records flow too: the sink is not stuck behind the bad one.
        queue.append(OutboxRecord.READING, line("dl_lanes,device=cnt-01 count=3i 1700000002000000000"));
        await().atMost(Duration.ofSeconds(30)).until(() -> sql.count("dl_lanes") == 3);

        Path file = queue.deadLetters().file(OutboxRecord.READING);
        List<String> kept = Files.readAllLines(file);
        assertThat(kept).hasSize(2);
        assertThat(kept.get(0)).startsWith("# ").contains("reason=client_error", "id=plc-x device=lp-1", "seq=1");
        assertThat(kept.get(1)).isEqualTo(bad);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())))
                .isEqualTo("rwx------");
        assertThat(queue.deadLetters().count()).isEqualTo(1);
        assertThat(queue.deadLetters().lastReason()).isEqualTo("client_error");
        assertThat(queue.readings().acknowledgedSeq()).isEqualTo(4);
    }

    @Test
    void aBatchWithALineTheStoreRejectsStoresTheRestAndSetsTheLineAside() throws Exception {
        committer = new OutboxCommitter(2);
        committer.start();
        DestinationQueue queue = TestQueues.open(dir, "store", committer, registry);
        queue.append(OutboxRecord.READING, line("dl_types,device=cnt-02 speed=1.5 1700000000000000000"));
        start(queue, 100);
        await().atMost(Duration.ofSeconds(30)).until(() -> sql.count("dl_types") == 1);
        sink.close();

        // A string where the column is a double: QuestDB answers 400 for that line, every time.
        queue.append(OutboxRecord.READING, line("dl_types,device=cnt-02 speed=\"fast\" 1700000001000000000"));
        queue.append(OutboxRecord.READING, line("dl_types,device=cnt-02 speed=2.5 1700000002000000000"));
        start(queue, 100);

        await().atMost(Duration.ofSeconds(30)).until(() -> queue.depth() == 0);
        await().atMost(Duration.ofSeconds(30)).until(() -> sql.count("dl_types") == 2);
        assertThat(queue.deadLetters().count()).isEqualTo(1);
        assertThat(queue.deadLetters().lastReason()).isEqualTo("rejected_by_store");
        assertThat(Files.readAllLines(queue.deadLetters().file(OutboxRecord.READING)).get(1)).contains("\"fast\"");
    }

    private void start(DestinationQueue queue, int batch) {
        influx = InfluxDBClientFactory.create(store.url(), "any-token".toCharArray(), "limes", "limes");
        QuestDbSchema questdb = new QuestDbSchema(sql);
        StoreSchema schema = questdb::ensure;
        StoreConfig config = new StoreConfig("embedded", null, 0, null, null, null, null, null, batch, 10, 50, null,
                null, 0);
        sink = new InfluxSink(queue, influx.getWriteApiBlocking(), config, schema,
                new SinkMetrics(registry, "store"), Clock.systemUTC());
        sink.start();
    }

    private static byte[] line(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
