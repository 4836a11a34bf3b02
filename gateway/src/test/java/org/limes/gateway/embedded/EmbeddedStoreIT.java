package org.limes.gateway.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.influxdb.client.InfluxDBClient;
import com.influxdb.client.InfluxDBClientFactory;
import com.influxdb.client.domain.WritePrecision;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedStoreIT {

    private static final String HOST = "127.0.0.1";

    @TempDir
    static Path root;

    private static EmbeddedStore store;
    private static QuestDbClient sql;

    @BeforeAll
    static void startStore() {
        store = EmbeddedStore.start(root.resolve("questdb"), HOST, 0);
        sql = new QuestDbClient(store.url());
    }

    @AfterAll
    static void stopStore() {
        if (store != null) {
            store.close();
        }
        assertThat(questDbWorkerThreads()).as("QuestDB worker threads after close").isEmpty();
    }

    @Test
    void redeliveredPointOverwritesInsteadOfAddingARow() throws Exception {
        assertThat(store.url()).isEqualTo("http://" + HOST + ":" + store.httpPort());
        QuestDbSchema schema = new QuestDbSchema(sql);
        schema.ensure("lane_counts", List.of("device", "lane"));
        schema.ensure("lane_counts", List.of("device", "lane"));
        assertThat(sql.tableExists("lane_counts")).isTrue();
        assertThat(sql.tableExists("LANE_COUNTS")).isTrue();
        assertThat(sql.count("lane_counts")).isZero();

        String point = "lane_counts,device=counter_1,lane=3 vehicles=12i,speed_mps=13.5 1700000000123456000";
        String other = "lane_counts,device=counter_1,lane=4 vehicles=7i,speed_mps=9.25 1700000000123456000";
        try (InfluxDBClient influx = InfluxDBClientFactory.create(store.url(), "any-token".toCharArray(), "limes", "limes")) {
            influx.getWriteApiBlocking().writeRecords("limes", "limes", WritePrecision.NS, List.of(point));
            influx.getWriteApiBlocking().writeRecords("limes", "limes", WritePrecision.NS, List.of(point, other));
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> sql.count("lane_counts") == 2);
        JsonNode row = sql.exec("SELECT vehicles, speed_mps, timestamp FROM lane_counts WHERE lane = '3'");
        assertThat(row.path("count").asLong()).isEqualTo(1);
        assertThat(row.path("dataset").path(0).path(0).asLong()).isEqualTo(12);
        assertThat(row.path("dataset").path(0).path(1).asDouble()).isEqualTo(13.5);
        assertThat(row.path("dataset").path(0).path(2).asText()).isEqualTo("2023-11-14T22:13:20.123456Z");
    }

    @Test
    void countIsZeroForAMissingTable() throws Exception {
        assertThat(sql.tableExists("no_such_table")).isFalse();
        assertThat(sql.count("no_such_table")).isZero();
    }

    @Test
    void execReportsQuestDbsError() {
        assertThatThrownBy(() -> sql.exec("SELECT * FROM no_such_table"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("table does not exist");
    }

    @Test
    void addsAMissingTagAndWidensTheDedupKey() throws Exception {
        QuestDbSchema schema = new QuestDbSchema(sql);
        schema.ensure("radar_tracks", List.of("device"));
        schema.ensure("radar_tracks", List.of("device", "zone"));
        // A fresh instance (empty cache), possibly before the WAL applied the ALTERs, changes nothing.
        new QuestDbSchema(sql).ensure("radar_tracks", List.of("zone"));

        // ALTER on a WAL table is applied asynchronously.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(columns("radar_tracks", "upsertKey")).containsExactlyInAnyOrder("timestamp", "device", "zone"));
        assertThat(columns("radar_tracks", "type")).containsExactlyInAnyOrder("timestamp", "device", "zone");
    }

    @Test
    void retriesOnAnotherPortWhenTheChosenOneIsTaken() throws Exception {
        try (ServerSocket squatter = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            int taken = squatter.getLocalPort();
            int free = freePort();
            AtomicInteger calls = new AtomicInteger();
            try (EmbeddedStore second = EmbeddedStore.start(root.resolve("second"), HOST, 0,
                    () -> calls.getAndIncrement() == 0 ? taken : free)) {
                assertThat(second.httpPort()).isEqualTo(free);
                assertThat(new QuestDbClient(second.url()).count("anything")).isZero();
            }
            assertThat(calls).hasValue(2);
        }
    }

    @Test
    void aHalfStartedStoreReportsTheRealCauseNotTheNullPointerExceptionOfItsClose() throws Exception {
        // A file where QuestDB wants a system table's folder: start() fails half-way, as it does when a
        // full disk cannot map the table, and QuestDB's own close() then throws a NullPointerException.
        Path third = root.resolve("third");
        Path blocker = Files.createDirectories(third.resolve("db")).resolve("sys.text_import_log");
        Files.writeString(blocker, "not a table");

        assertThatThrownBy(() -> EmbeddedStore.start(third, HOST, 0))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("QuestDB failed to start on " + HOST + ":")
                .hasMessageContaining("QuestDB's log: " + third.resolve("log"))
                .hasMessageNotContaining("NullPointerException")
                .hasMessageNotContaining("cannot lock")
                .satisfies(e -> assertThat(e.getCause()).isNotInstanceOf(NullPointerException.class))
                .satisfies(e -> assertThat(e.getSuppressed()).extracting(Throwable::getClass)
                        .containsOnly(NullPointerException.class));
    }

    @Test
    void questDbLogsToFilesOnly() throws Exception {
        String logConf = Files.readString(root.resolve("questdb").resolve("conf").resolve("log.conf"));
        assertThat(logConf).contains("writers=file").doesNotContain("LogConsoleWriter");
        // QuestDB logs several INFO lines per commit; under load writing them cost a fifth of a core.
        assertThat(logConf.lines().filter(l -> l.startsWith("w.file.level="))).singleElement()
                .satisfies(l -> assertThat(l).contains("ERROR", "CRITICAL", "ADVISORY").doesNotContain("INFO"));
    }

    /**
     * QuestDB's idle workers spin through 7,000 empty polls by default before they nap: on a
     * two-core box three spinning workers took the cores the pipeline needed. They nap after
     * 20; QuestDB started with the keys (it refuses unknown ones), so they are its own.
     */
    @Test
    void idleWorkersNapSoonInsteadOfSpinning() throws Exception {
        Properties conf = new Properties();
        try (var in = Files.newInputStream(root.resolve("questdb").resolve("conf").resolve("server.conf"))) {
            conf.load(in);
        }
        for (String pool : List.of("shared.worker.", "wal.apply.worker.")) {
            assertThat(Long.parseLong(conf.getProperty(pool + "nap.threshold"))).as(pool).isLessThanOrEqualTo(100);
            assertThat(Long.parseLong(conf.getProperty(pool + "sleep.threshold"))).as(pool).isLessThanOrEqualTo(1000);
        }
    }

    /**
     * The store's share of a gateway's memory is bounded where QuestDB's defaults are sized for a
     * server: its own accounting ({@code memory_metrics()}) shows the log's queue and buffer and
     * the HTTP connections' buffers small after writes and queries went through them, and the
     * SQL compiler's pools start small (they grow on demand).
     */
    @Test
    void theStoresOwnMemoryIsSizedForAnEdgeBox() throws Exception {
        Properties conf = new Properties();
        try (var in = Files.newInputStream(root.resolve("questdb").resolve("conf").resolve("server.conf"))) {
            conf.load(in);
        }
        for (String pool : List.of("cairo.model.pool.capacity", "cairo.expression.pool.capacity",
                "cairo.column.pool.capacity", "cairo.lexer.pool.capacity")) {
            assertThat(Long.parseLong(conf.getProperty(pool))).as(pool).isLessThanOrEqualTo(512);
        }
        QuestDbSchema schema = new QuestDbSchema(sql);
        schema.ensure("memory_probe", List.of("device"));
        try (InfluxDBClient influx = InfluxDBClientFactory.create(store.url(), "any-token".toCharArray(), "limes", "limes")) {
            influx.getWriteApiBlocking().writeRecords("limes", "limes", WritePrecision.NS,
                    List.of("memory_probe,device=d1 v=1i 1700000000000000000"));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> sql.count("memory_probe") == 1);

        JsonNode metrics = sql.exec("SELECT memory_tag, bytes FROM memory_metrics()");
        Map<String, Long> bytes = new HashMap<>();
        for (JsonNode row : metrics.path("dataset")) {
            bytes.put(row.path(0).asText(), row.path(1).asLong());
        }
        // QuestDB's defaults: 8 MiB for the log (4 MiB queue, 4 MiB file buffer), 4 MiB per HTTP connection.
        assertThat(bytes).containsKeys("NATIVE_LOGGER", "NATIVE_HTTP_CONN");
        assertThat(bytes.get("NATIVE_LOGGER")).as("log queue and buffer").isLessThanOrEqualTo(1L << 20);
        assertThat(bytes.get("NATIVE_HTTP_CONN")).as("HTTP connection buffers").isLessThanOrEqualTo(2L << 20);
    }

    /** Columns of the table for which the given SHOW COLUMNS flag is true (or, for "type", all). */
    private static Set<String> columns(String table, String flag) throws IOException {
        JsonNode answer = sql.exec("SHOW COLUMNS FROM " + table);
        int at = 0;
        for (int i = 0; i < answer.path("columns").size(); i++) {
            if (answer.path("columns").get(i).path("name").asText().equals(flag)) {
                at = i;
            }
        }
        int index = at;
        return StreamSupport.stream(answer.path("dataset").spliterator(), false)
                .filter(row -> flag.equals("type") || row.path(index).asBoolean())
                .map(row -> row.path(0).asText())
                .collect(Collectors.toSet());
    }

    private static Set<String> questDbWorkerThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(name -> name.startsWith("questdb"))
                .collect(Collectors.toSet());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        }
    }
}
