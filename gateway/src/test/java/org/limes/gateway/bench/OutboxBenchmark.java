package org.limes.gateway.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.limes.gateway.outbox.Outbox;
import org.limes.gateway.outbox.OutboxCommitter;
import org.limes.gateway.outbox.OutboxLimits;
import org.limes.gateway.outbox.OutboxMetrics;
import org.limes.gateway.outbox.OutboxRecord;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
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
 * One destination's outbox on the real file system, with its group-commit thread
 * ({@link OutboxCommitter}, {@code sync_interval_ms} as a parameter) writing and fsyncing.
 * Records are 200-byte line-protocol lines, the size of a counter reading.
 *
 * <ul>
 *   <li>{@code flow}: one thread appends as fast as the bounded write buffer lets it while
 *       another drains like a sink — poll up to 1,000 durable records, acknowledge them —
 *       so the queue stays small. {@code flow:append} is sustained appends/s through group
 *       commit; {@code flow:drain} is invocations, and its {@code acknowledged} counter is
 *       records acknowledged per second (the ack throughput).</li>
 *   <li>{@code durable:appendAndAwaitDurable}: appends 256 records, then waits until they are
 *       durable, as the MQTT source does with an in-flight window of 256: appends/s when
 *       every batch pays one group-commit latency.</li>
 * </ul>
 *
 * <pre>
 * mvn -B -q -P bench -DskipTests -pl gateway -am verify \
 *   -Djmh.args="OutboxBenchmark -f 1 -wi 3 -w 2 -i 5 -r 2 -prof gc"
 * </pre>
 */
@State(Scope.Group)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class OutboxBenchmark {

    static final int DURABLE_BATCH = 256;
    private static final int DRAIN_BATCH = 1_000;

    @Param({"5"})
    public long syncIntervalMs;

    private final byte[] record = ("vehicle_count,device=cnt-00042,site=ras-ajdir,lane=2,direction=outbound "
            + "count_car=7i,count_van=2i,count_truck=1i,count_bus=0i,count_motorcycle=1i,count_total=11i,"
            + "interval_s=60i,speed_avg_mps=9.5,occupancy_pct=12.5 1795680000000000000\n")
            .substring(0, 200).getBytes(StandardCharsets.US_ASCII);

    private Path dir;
    private OutboxCommitter committer;
    private Outbox outbox;

    /** Records acknowledged by the draining thread, reported per second by JMH. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Drained {
        public long acknowledged;

        @Setup(Level.Iteration)
        public void reset() {
            acknowledged = 0;
        }
    }

    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = Files.createTempDirectory("limes-outbox-bench");
        committer = new OutboxCommitter(syncIntervalMs);
        outbox = Outbox.open("store", dir, new OutboxLimits(256L << 20, 16L << 20, 4 << 20, 1 << 20),
                new OutboxMetrics(new SimpleMeterRegistry(), "store"));
        committer.register(outbox);
        committer.start();
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        committer.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Benchmark
    @Group("flow")
    @GroupThreads(1)
    public long append() throws InterruptedException {
        return outbox.append(OutboxRecord.READING, record);
    }

    @Benchmark
    @Group("flow")
    @GroupThreads(1)
    public int drain(Drained drained) throws InterruptedException, IOException {
        List<OutboxRecord> batch = outbox.poll(DRAIN_BATCH, 4 << 20, 10, TimeUnit.MILLISECONDS);
        if (!batch.isEmpty()) {
            outbox.acknowledge(batch.get(batch.size() - 1).seq() + 1);
            drained.acknowledged += batch.size();
        }
        return batch.size();
    }

    @Benchmark
    @Group("durable")
    @GroupThreads(1)
    @OperationsPerInvocation(DURABLE_BATCH)
    public void appendAndAwaitDurable() throws InterruptedException, IOException {
        for (int i = 0; i < DURABLE_BATCH; i++) {
            outbox.append(OutboxRecord.READING, record);
        }
        CountDownLatch durable = new CountDownLatch(1);
        committer.afterDurable(durable::countDown);
        durable.await();
        List<OutboxRecord> batch = outbox.poll(DURABLE_BATCH, 4 << 20, 0, TimeUnit.MILLISECONDS);
        if (!batch.isEmpty()) {
            outbox.acknowledge(batch.get(batch.size() - 1).seq() + 1);
        }
    }
}
