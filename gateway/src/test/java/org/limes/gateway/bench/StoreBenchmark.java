package org.limes.gateway.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.influxdb.client.InfluxDBClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.limes.gateway.embedded.EmbeddedStore;
import org.limes.gateway.embedded.QuestDbClient;
import org.limes.gateway.embedded.QuestDbSchema;
import org.limes.gateway.outbox.DestinationQueue;
import org.limes.gateway.outbox.Outbox;
import org.limes.gateway.outbox.OutboxLimits;
import org.limes.gateway.outbox.OutboxMetrics;
import org.limes.gateway.outbox.OutboxRecord;
import org.limes.gateway.sink.DeliveryFailed;
import org.limes.gateway.sink.SinkMetrics;
import org.limes.gateway.sink.influx.InfluxClientFactory;
import org.limes.gateway.sink.influx.InfluxSink;
import org.limes.gateway.sink.influx.StoreConfig;
import org.limes.gateway.sink.influx.StoreSchema;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The store path per record: {@link InfluxSink#deliver} of batches of {@code counter-json}
 * readings as the outbox holds them (line-protocol bytes, about 200 B) into the embedded
 * QuestDB, wired as the gateway wires it (its schema step, its HTTP client, its server.conf).
 * 10,000 devices interleaved in one table, each device's clock a little off (up to 2 s), so
 * rows arrive out of order as they do from a real fleet; every record a new row.
 *
 * <p>One invocation delivers {@value #RECORDS} records in batches of {@code batchSize}, so the
 * score is records/s and {@code gc.alloc.rate.norm} is bytes per record (this thread's
 * and QuestDB's threads, and the 200 B payload plus {@link OutboxRecord} the outbox's poll
 * would allocate anyway). At the end of the trial it waits until QuestDB has applied every
 * WAL transaction, then prints the process's CPU time per record over the whole trial
 * (utime + stime of {@code /proc/self/stat}: the sink, the HTTP server, the WAL apply) and
 * checks that the table holds exactly one row per record delivered.
 *
 * <pre>
 * mvn -B -q -P bench -DskipTests -pl gateway -am verify \
 *   -Djmh.args="\\.StoreBenchmark -f 1 -wi 2 -w 3 -i 3 -r 3 -prof gc"
 * </pre>
 * QuestDB settings can be tried without a rebuild through its environment overrides, e.g.
 * {@code QDB_CAIRO_O3_MAX_LAG=...} before {@code mvn}.
 *
 * <p>BEFORE (main at bb8500a, 2026-12-05 09:11 UTC, the 2-core machine shared and noisy, the
 * command above with {@code -w 5 -r 5}): records/s 4,642 / 4,862 / 8,592 (batch 500 / 2000 / 5000;
 * error bars wider than the scores); allocation 3,283 / 3,302 / 3,271 B per record; CPU of the
 * whole store path 104.3 / 89.3 / 48.7 µs per record; rows exactly one per record.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class StoreBenchmark {

    static final int RECORDS = 10_000;
    private static final int DEVICES = 10_000;
    private static final long BASE_NS = 1_795_680_000_000_000_000L;
    /** 10,000 devices each reporting once a minute: one reading every 6 ms on average. */
    private static final long STEP_NS = 6_000_000L;

    @Param({"500", "2000", "5000"})
    public int batchSize;

    private Path dir;
    private EmbeddedStore store;
    private InfluxDBClient influx;
    private InfluxSink sink;
    private QuestDbClient sql;
    private byte[][] prefixes;
    private long next;
    private long cpuAtStartTicks;

    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = Files.createTempDirectory("limes-store-bench");
        store = EmbeddedStore.start(dir.resolve("questdb"), "127.0.0.1", 0);
        sql = new QuestDbClient(store.url());
        QuestDbSchema questdb = new QuestDbSchema(sql);
        StoreSchema schema = questdb::ensure;
        StoreConfig config = new StoreConfig("embedded", null, 0, null, null, null, null, null, batchSize, 250,
                30_000, null, null, null);
        influx = InfluxClientFactory.create(store.url(), "embedded", config);
        OutboxLimits limits = new OutboxLimits(64L << 20, 16L << 20, 4 << 20, 1 << 20);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        DestinationQueue queue = new DestinationQueue("store",
                Outbox.open("store-alerts", dir.resolve("alerts"), limits, new OutboxMetrics(registry, "store-a")),
                Outbox.open("store", dir.resolve("readings"), limits, new OutboxMetrics(registry, "store")), 0);
        sink = new InfluxSink(queue, influx.getWriteApiBlocking(), config, schema, new SinkMetrics(registry, "store"),
                Clock.systemUTC());
        prefixes = new byte[DEVICES][];
        for (int d = 0; d < DEVICES; d++) {
            prefixes[d] = String.format("vehicle_count,device=cnt-%05d,site=site-%03d,lane=%d,direction=%s "
                    + "count_car=7i,count_van=2i,count_truck=1i,count_bus=0i,count_motorcycle=1i,count_total=11i,"
                    + "interval_s=60i,speed_avg_mps=9.5,occupancy_pct=12.5 ", d, d % 250, d % 4 + 1,
                    d % 2 == 0 ? "inbound" : "outbound").getBytes(StandardCharsets.US_ASCII);
        }
        cpuAtStartTicks = cpuTicks();
    }

    @TearDown(Level.Trial)
    public void close() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (!applied() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        long ticks = cpuTicks() - cpuAtStartTicks;
        long rows = sql.count("vehicle_count");
        double usPerRecord = ticks * (1_000_000.0 / 100) / next;
        System.out.printf("%nstore path CPU (batch %d): %.1f us/record over %d records (%d ticks at 100 Hz, "
                + "all threads of this JVM, WAL applied); rows %d, %s%n", batchSize, usPerRecord, next, ticks, rows,
                rows == next ? "one per record" : "EXPECTED " + next);
        sink.close();
        influx.close();
        store.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public int deliver() throws DeliveryFailed {
        int delivered = 0;
        for (int b = 0; b < RECORDS; b += batchSize) {
            List<OutboxRecord> batch = new ArrayList<>(batchSize);
            for (int i = 0; i < batchSize; i++) {
                batch.add(new OutboxRecord(next, OutboxRecord.READING, 0L, record(next++)));
            }
            delivered += sink.deliver(batch);
        }
        return delivered;
    }

    /** Reading {@code n}: device {@code n mod 10,000}, its clock up to 2 s behind. */
    private byte[] record(long n) {
        int device = (int) (n % DEVICES);
        long ts = BASE_NS + n * STEP_NS - (device * 7919L % 2000) * 1_000_000L;
        byte[] prefix = prefixes[device];
        String digits = Long.toString(ts);
        byte[] line = new byte[prefix.length + digits.length() + 1];
        System.arraycopy(prefix, 0, line, 0, prefix.length);
        for (int i = 0; i < digits.length(); i++) {
            line[prefix.length + i] = (byte) digits.charAt(i);
        }
        line[line.length - 1] = '\n';
        return line;
    }

    private boolean applied() throws IOException {
        JsonNode answer = sql.exec("SELECT writerTxn, sequencerTxn FROM wal_tables() WHERE name = 'vehicle_count'");
        JsonNode row = answer.path("dataset").path(0);
        return row.size() == 2 && row.path(0).asLong() >= row.path(1).asLong();
    }

    /** utime + stime of this process, in clock ticks (100 Hz on Linux). */
    static long cpuTicks() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }
}
