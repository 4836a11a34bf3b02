package org.limes.gateway.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.limes.drivers.Attachment;
import org.limes.drivers.Reading;
import org.limes.gateway.picture.PictureConfig;
import org.limes.gateway.picture.PictureStore;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Keeping the pictures of ANPR reads ({@code pictures.policy: keep}) on the real file system:
 * each operation is one read of a camera with a plate picture and a scene picture of
 * {@code sceneBytes} (a 20 KB + 180 KB Hikvision push by default), written into its own
 * directory and moved into place, with eviction running once the 64 MiB bound is reached —
 * the steady state of a full picture directory. Reads/s here is the most a shard could hand
 * to the store; a crossing's cameras send a few a second.
 *
 * <pre>
 * mvn -B -q -P bench -DskipTests -pl gateway -am verify \
 *   -Djmh.args="PictureStoreBenchmark -f 1 -wi 2 -w 2 -i 3 -r 2 -prof gc"
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PictureStoreBenchmark {

    @Param({"180000"})
    public int sceneBytes;

    private static final int PLATE_BYTES = 20_000;

    private Path dir;
    private PictureStore store;
    private byte[] payload;
    private List<Attachment> attachments;
    private long sequence;

    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = Files.createTempDirectory("limes-pictures-bench");
        store = PictureStore.open(new PictureConfig("keep", null, 64L << 20, 100_000, "7d"), dir.resolve("pictures"),
                Clock.systemUTC(), new SimpleMeterRegistry());
        payload = new byte[PLATE_BYTES + sceneBytes];
        new SplittableRandom(1).nextBytes(payload);
        attachments = List.of(new Attachment(0, "licensePlatePicture.jpg", "image/jpeg", 0, PLATE_BYTES),
                new Attachment(0, "detectionPicture.jpg", "image/jpeg", PLATE_BYTES, sceneBytes));
    }

    @TearDown(Level.Trial)
    public void delete() throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Benchmark
    public Reading keepOneRead() {
        // A new device time each read, so every operation writes (no duplicate short cut).
        Instant at = Instant.ofEpochMilli(1_795_680_000_000L + sequence++);
        Reading read = new Reading("anpr-01", "ras-ajdir", "anpr_read", Map.of("lane", "2"),
                Map.of("plate", "5-123456", "picture_bytes", (long) payload.length), at, at);
        return store.attach(read, payload, attachments);
    }
}
