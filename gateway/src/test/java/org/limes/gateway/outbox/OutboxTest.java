package org.limes.gateway.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutboxTest {

    @TempDir
    Path dir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private Outbox open(OutboxLimits limits) throws IOException {
        return Outbox.open("store", dir, limits, new OutboxMetrics(registry, "store"));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> texts(List<OutboxRecord> records) {
        return records.stream().map(r -> new String(r.payload(), StandardCharsets.UTF_8)).toList();
    }

    @Test
    void recordsBecomeVisibleOnlyOnceFlushed() throws Exception {
        Outbox o = open(OutboxLimits.defaults());
        assertThat(o.append(OutboxRecord.READING, bytes("a"))).isZero();
        assertThat(o.append(OutboxRecord.ALERT, bytes("b"))).isEqualTo(1);
        assertThat(o.poll(10, 1 << 20, 0, TimeUnit.MILLISECONDS)).isEmpty();

        assertThat(o.flush()).isTrue();
        List<OutboxRecord> got = o.poll(10, 1 << 20, 0, TimeUnit.MILLISECONDS);
        assertThat(texts(got)).containsExactly("a", "b");
        assertThat(got.get(1).type()).isEqualTo(OutboxRecord.ALERT);
        assertThat(got.get(1).seq()).isEqualTo(1);
        assertThat(o.depth()).isEqualTo(2);
        assertThat(registry.get("limes.outbox.appended").tag("type", "alert").counter().count()).isEqualTo(1.0);
        assertThat(registry.get("limes.outbox.depth").tag("destination", "store").gauge().value()).isEqualTo(2.0);
    }

    @Test
    void unacknowledgedRecordsAreRedeliveredAfterRestart() throws Exception {
        Outbox o = open(OutboxLimits.defaults());
        for (int i = 0; i < 5; i++) {
            o.append(OutboxRecord.READING, bytes("r" + i));
        }
        o.flush();
        List<OutboxRecord> batch = o.poll(3, 1 << 20, 0, TimeUnit.MILLISECONDS);
        assertThat(texts(batch)).containsExactly("r0", "r1", "r2");
        o.acknowledge(batch.get(2).seq() + 1);
        o.persistAcknowledged();
        o.release();

        Outbox reopened = Outbox.open("store", dir, OutboxLimits.defaults(),
                new OutboxMetrics(new SimpleMeterRegistry(), "store"));
        assertThat(texts(reopened.poll(10, 1 << 20, 0, TimeUnit.MILLISECONDS))).containsExactly("r3", "r4");
        assertThat(reopened.append(OutboxRecord.READING, bytes("r5"))).isEqualTo(5);
        reopened.flush();
        assertThat(texts(reopened.poll(10, 1 << 20, 0, TimeUnit.MILLISECONDS))).containsExactly("r5");
    }

    @Test
    void rewindRepollsWhatWasNotAcknowledged() throws Exception {
        Outbox o = open(OutboxLimits.defaults());
        for (int i = 0; i < 4; i++) {
            o.append(OutboxRecord.READING, bytes("r" + i));
        }
        o.flush();
        List<OutboxRecord> first = o.poll(2, 1 << 20, 0, TimeUnit.MILLISECONDS);
        o.acknowledge(first.get(0).seq() + 1);
        o.rewind();
        assertThat(texts(o.poll(10, 1 << 20, 0, TimeUnit.MILLISECONDS))).containsExactly("r1", "r2", "r3");
    }

    @Test
    void tornTailIsCutAndCountedAndTheQueueOpens() throws Exception {
        Outbox o = open(OutboxLimits.defaults());
        o.append(OutboxRecord.READING, bytes("kept-1"));
        o.append(OutboxRecord.READING, bytes("kept-2"));
        o.flush();
        o.release();
        Path segment = onlySegment();
        long goodSize = Files.size(segment);
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {40, 0, 0, 0, 1, 2, 3}));
        }

        SimpleMeterRegistry fresh = new SimpleMeterRegistry();
        Outbox reopened = Outbox.open("store", dir, OutboxLimits.defaults(), new OutboxMetrics(fresh, "store"));
        assertThat(Files.size(segment)).isEqualTo(goodSize);
        assertThat(fresh.get("limes.errors").tag("error_type", "corrupt_record").counter().count()).isEqualTo(1.0);
        reopened.append(OutboxRecord.READING, bytes("after"));
        reopened.flush();
        assertThat(texts(reopened.poll(10, 1 << 20, 0, TimeUnit.MILLISECONDS)))
                .containsExactly("kept-1", "kept-2", "after");
    }

    @Test
    void corruptedRecordInTheMiddleIsDetectedByItsChecksum() throws Exception {
        Outbox o = open(OutboxLimits.defaults());
        o.append(OutboxRecord.READING, bytes("first"));
        o.append(OutboxRecord.READING, bytes("second"));
        o.append(OutboxRecord.READING, bytes("third"));
        o.flush();
        o.release();
        Path segment = onlySegment();
        byte[] raw = Files.readAllBytes(segment);
        int secondPayload = RecordCodec.HEADER_BYTES + 5 + RecordCodec.HEADER_BYTES;
        raw[secondPayload] ^= 0x55;
        Files.write(segment, raw);

        SimpleMeterRegistry fresh = new SimpleMeterRegistry();
        Outbox reopened = Outbox.open("store", dir, OutboxLimits.defaults(), new OutboxMetrics(fresh, "store"));
        assertThat(texts(reopened.poll(10, 1 << 20, 0, TimeUnit.MILLISECONDS))).containsExactly("first");
        assertThat(fresh.get("limes.errors").tag("error_type", "corrupt_record").counter().count()).isEqualTo(1.0);
    }

    @Test
    void fullQueueEvictsItsOldestSegmentAndCountsTheLoss() throws Exception {
        OutboxLimits small = new OutboxLimits(4_000, 1_000, 2_000, 500);
        Outbox o = open(small);
        byte[] payload = new byte[91];
        for (int i = 0; i < 100; i++) {
            o.append(OutboxRecord.READING, payload);
            if (i % 5 == 4) {
                o.flush();
            }
        }
        o.flush();
        assertThat(o.bytes()).isLessThanOrEqualTo(4_000);
        double evicted = registry.get("limes.dropped").tag("reason", "all_evicted").counter().count();
        assertThat(evicted).isPositive();
        List<OutboxRecord> remaining = new ArrayList<>();
        List<OutboxRecord> batch;
        while (!(batch = o.poll(1000, 1 << 20, 0, TimeUnit.MILLISECONDS)).isEmpty()) {
            remaining.addAll(batch);
        }
        assertThat(remaining.size() + (long) evicted).isEqualTo(100);
        assertThat(remaining.get(remaining.size() - 1).seq()).isEqualTo(99);
    }

    @Test
    void acknowledgedSegmentsAreDeleted() throws Exception {
        OutboxLimits small = new OutboxLimits(100_000, 1_000, 2_000, 500);
        Outbox o = open(small);
        for (int i = 0; i < 60; i++) {
            o.append(OutboxRecord.READING, new byte[91]);
            if (i % 5 == 4) {
                o.flush();
            }
        }
        assertThat(segmentCount()).isGreaterThan(3);
        List<OutboxRecord> all = o.poll(1000, 1 << 20, 0, TimeUnit.MILLISECONDS);
        o.acknowledge(all.get(all.size() - 1).seq() + 1);
        o.persistAcknowledged();
        assertThat(segmentCount()).isEqualTo(1);
        assertThat(o.depth()).isZero();
    }

    /**
     * The write buffers start small ({@link OutboxWriter#INITIAL_BUFFER_BYTES}) and grow up to
     * {@code buffer_bytes}: a cycle holding many times the initial size, and a record larger than
     * it, go through whole and in order.
     */
    @Test
    void aCycleLargerThanTheInitialBufferGoesThroughWhole() throws Exception {
        Outbox o = open(new OutboxLimits(64L << 20, 16L << 20, 4 << 20, 1 << 20));
        List<String> appended = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            String text = "reading " + i + " " + "x".repeat(200);
            o.append(OutboxRecord.READING, bytes(text));
            appended.add(text);
        }
        byte[] big = new byte[3 * OutboxWriter.INITIAL_BUFFER_BYTES];
        Arrays.fill(big, (byte) 'b');
        o.append(OutboxRecord.READING, big);
        appended.add(new String(big, StandardCharsets.UTF_8));

        assertThat(o.flush()).isTrue();
        List<OutboxRecord> got = new ArrayList<>();
        List<OutboxRecord> batch;
        while (!(batch = o.poll(500, 8 << 20, 0, TimeUnit.MILLISECONDS)).isEmpty()) {
            got.addAll(batch);
            o.acknowledge(batch.get(batch.size() - 1).seq() + 1);
        }
        assertThat(texts(got)).isEqualTo(appended);
    }

    @Test
    void oversizedRecordIsRefusedWithItsSize() throws Exception {
        Outbox o = open(new OutboxLimits(100_000, 1_000, 2_000, 500));
        assertThatThrownBy(() -> o.append(OutboxRecord.READING, new byte[501]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("501 bytes");
    }

    @Test
    void limitsRejectASegmentTooLargeToEvict() {
        assertThatThrownBy(() -> new OutboxLimits(1000, 500, 2000, 100))
                .hasMessageContaining("segment_bytes must be 1..250");
    }

    private Path onlySegment() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".seg")).findFirst().orElseThrow();
        }
    }

    private long segmentCount() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".seg")).count();
        }
    }
}
