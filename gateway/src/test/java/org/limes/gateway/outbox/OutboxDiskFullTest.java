package org.limes.gateway.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sink's reader against a full disk, segment roll-over, deletion of acknowledged
 * segments and eviction: every durable record is polled exactly once and in order, and the
 * reader never has to be repositioned ({@code error_type=reader_repositioned} stays 0).
 */
class OutboxDiskFullTest {

    /** 10 records of 91 payload bytes (108 on disk) fill a segment of 1000 bytes. */
    private static final OutboxLimits SMALL = new OutboxLimits(100_000, 1_000, 2_000, 500);

    @TempDir
    Path dir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final FullDisk disk = new FullDisk();

    private Outbox open(OutboxLimits limits) throws IOException {
        return Outbox.open("store", dir, limits, new OutboxMetrics(registry, "store", "reading"), Clock.systemUTC(),
                EvictionListener.NONE, disk);
    }

    @Test
    void readerGoesOnWhenTheSegmentItFinishedIsDeletedWhileTheDiskIsFull() throws Exception {
        Outbox o = open(SMALL);
        appendAll(o, 0, 10);
        o.flush();
        assertThat(texts(o.poll(100, 1 << 20, 0, TimeUnit.MILLISECONDS))).isEqualTo(names(0, 10));

        disk.fill();
        o.acknowledge(10);
        o.append(OutboxRecord.READING, payload(10));
        // The first segment is full, so this cycle rolls to a new (empty) segment, whose write fails.
        assertThatThrownBy(o::flush).hasMessageContaining("writing segment");
        // The acknowledged first segment is deleted before the ack file fails to be written.
        assertThatThrownBy(o::persistAcknowledged).hasMessage("No space left on device");
        assertThat(segmentNames()).containsExactly(segmentName(10));
        assertThat(o.poll(100, 1 << 20, 0, TimeUnit.MILLISECONDS)).isEmpty();

        disk.free();
        assertThat(o.flush()).isTrue();
        o.persistAcknowledged();
        assertThat(texts(o.poll(100, 1 << 20, 0, TimeUnit.MILLISECONDS))).containsExactly(name(10));
        assertThat(repositioned()).isZero();
    }

    @Test
    void readerGoesOnWhenTheSegmentItFinishedIsDeletedInTheCycleThatRolls() throws Exception {
        Outbox o = open(SMALL);
        appendAll(o, 0, 10);
        o.flush();
        o.persistAcknowledged();
        assertThat(o.poll(100, 1 << 20, 0, TimeUnit.MILLISECONDS)).hasSize(10);

        o.append(OutboxRecord.READING, payload(10));
        o.flush();
        // The acknowledgement lands between this cycle's write and its ack persisting.
        o.acknowledge(10);
        o.persistAcknowledged();
        assertThat(segmentNames()).containsExactly(segmentName(10));

        assertThat(texts(o.poll(100, 1 << 20, 0, TimeUnit.MILLISECONDS))).containsExactly(name(10));
        assertThat(repositioned()).isZero();
    }

    @Test
    void readerGoesOnWhenTheSegmentItFinishedIsEvicted() throws Exception {
        Outbox o = open(new OutboxLimits(4_000, 1_000, 2_000, 500));
        appendAll(o, 0, 10);
        o.flush();
        assertThat(o.poll(100, 1 << 20, 0, TimeUnit.MILLISECONDS)).hasSize(10);

        // Three more segments' worth: the queue reaches max_bytes and evicts the segment just read.
        for (int i = 10; i < 40; i++) {
            o.append(OutboxRecord.READING, payload(i));
            if (i % 5 == 4) {
                o.flush();
            }
        }
        o.flush();
        assertThat(segmentNames()).doesNotContain(segmentName(0));
        assertThat(o.acknowledgedSeq()).isEqualTo(10);

        assertThat(texts(drain(o))).isEqualTo(names(10, 40));
        assertThat(repositioned()).isZero();
    }

    @Test
    void aWriteThatFailsPartWayIsCutAndWrittenOnceWhenSpaceReturns() throws Exception {
        Outbox o = open(SMALL);
        appendAll(o, 0, 3);
        o.flush();
        long before = Files.size(dir.resolve(segmentName(0)));

        disk.fill();
        appendAll(o, 3, 6);
        assertThatThrownBy(o::flush).hasMessageContaining("writing segment");
        assertThat(disk.failures()).isPositive();
        assertThat(Files.size(dir.resolve(segmentName(0)))).isEqualTo(before);
        appendAll(o, 6, 8);
        assertThatThrownBy(o::flush).hasMessageContaining("writing segment");
        assertThat(o.durableSeq()).isEqualTo(3);

        disk.free();
        assertThat(o.flush()).isTrue();
        assertThat(o.durableSeq()).isEqualTo(8);
        assertThat(Files.size(dir.resolve(segmentName(0)))).isEqualTo(8 * 108);
        assertThat(texts(drain(o))).isEqualTo(names(0, 8));

        o.release();
        Outbox reopened = open(SMALL);
        assertThat(registry.get("limes.errors").tag("error_type", "corrupt_record").counter().count()).isZero();
        assertThat(texts(drain(reopened))).isEqualTo(names(0, 8));
        assertThat(repositioned()).isZero();
    }

    @Test
    void aRewriteLandsAtTheCountedEndWhenAFailedWritesBytesCouldNotBeCut() throws Exception {
        Outbox o = open(SMALL);
        appendAll(o, 0, 3);
        o.flush();
        disk.fill();
        appendAll(o, 3, 6);
        assertThatThrownBy(o::flush).hasMessageContaining("writing segment");
        // What a partial write leaves when cutting it back fails as well: stray bytes past the
        // last durable record.
        Path segment = dir.resolve(segmentName(0));
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[150]), 3 * 108);
        }

        disk.free();
        assertThat(o.flush()).isTrue();
        assertThat(Files.size(segment)).isEqualTo(6 * 108);
        assertThat(texts(drain(o))).isEqualTo(names(0, 6));
        o.release();
        assertThat(texts(drain(open(SMALL)))).isEqualTo(names(0, 6));
        assertThat(registry.get("limes.errors").tag("error_type", "corrupt_record").counter().count()).isZero();
    }

    @Test
    void aFailedWriteAcrossARollLandsInTheNewSegmentOnlyAndSurvivesARestart() throws Exception {
        Outbox o = open(SMALL);
        appendAll(o, 0, 10);
        o.flush();
        assertThat(o.poll(4, 1 << 20, 0, TimeUnit.MILLISECONDS)).hasSize(4);

        disk.fill();
        appendAll(o, 10, 14);
        assertThatThrownBy(o::flush).hasMessageContaining(segmentName(10));
        assertThat(Files.size(dir.resolve(segmentName(10)))).isZero();
        assertThat(texts(drain(o))).isEqualTo(names(4, 10));
        o.acknowledge(10);
        assertThatThrownBy(o::persistAcknowledged).hasMessage("No space left on device");
        appendAll(o, 14, 16);
        assertThatThrownBy(o::flush).hasMessageContaining(segmentName(10));

        disk.free();
        assertThat(o.flush()).isTrue();
        o.persistAcknowledged();
        assertThat(segmentNames()).containsExactly(segmentName(10));
        assertThat(texts(drain(o))).isEqualTo(names(10, 16));

        o.release();
        Outbox reopened = open(SMALL);
        assertThat(reopened.durableSeq()).isEqualTo(16);
        assertThat(texts(drain(reopened))).isEqualTo(names(10, 16));
        assertThat(repositioned()).isZero();
    }

    private double repositioned() {
        return registry.get("limes.errors").tag("error_type", "reader_repositioned").counter().count();
    }

    private static void appendAll(Outbox o, int from, int to) throws InterruptedException {
        for (int i = from; i < to; i++) {
            o.append(OutboxRecord.READING, payload(i));
        }
    }

    /** 91 bytes: the record's name, padded. */
    private static byte[] payload(int i) {
        byte[] p = new byte[91];
        byte[] n = name(i).getBytes(StandardCharsets.UTF_8);
        System.arraycopy(n, 0, p, 0, n.length);
        return p;
    }

    private static String name(int i) {
        return "r" + i;
    }

    private static List<String> names(int from, int to) {
        List<String> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(name(i));
        }
        return out;
    }

    private static List<String> texts(List<OutboxRecord> records) {
        return records.stream().map(r -> new String(r.payload(), StandardCharsets.UTF_8).trim()).toList();
    }

    private static List<OutboxRecord> drain(Outbox o) throws Exception {
        List<OutboxRecord> all = new ArrayList<>();
        List<OutboxRecord> batch;
        while (!(batch = o.poll(3, 1 << 20, 0, TimeUnit.MILLISECONDS)).isEmpty()) {
            all.addAll(batch);
        }
        return all;
    }

    private static String segmentName(long base) {
        return String.format("%020d.seg", base);
    }

    private List<String> segmentNames() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".seg")).sorted().toList();
        }
    }
}
