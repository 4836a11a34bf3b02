package org.limes.gateway.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sink's side reading real segment files that go bad or go away while the outbox is open. */
class OutboxReaderTest {

    /** Segments roll at 1,000 bytes: ten 108-byte records each, written five at a time. */
    private static final OutboxLimits LIMITS = new OutboxLimits(100_000, 1_000, 2_000, 500);
    private static final int RECORD = RecordCodec.HEADER_BYTES + 91;

    @TempDir
    Path dir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private Outbox twoSegments() throws Exception {
        Outbox o = Outbox.open("store", dir, LIMITS, new OutboxMetrics(registry, "store"));
        for (int i = 0; i < 20; i++) {
            o.append(OutboxRecord.READING, new byte[91]);
            if (i % 5 == 4) {
                o.flush();
            }
        }
        assertThat(Files.size(dir.resolve(Segment.name(0)))).isEqualTo(10L * RECORD);
        assertThat(Files.size(dir.resolve(Segment.name(10)))).isEqualTo(10L * RECORD);
        return o;
    }

    private static List<Long> seqs(List<OutboxRecord> records) {
        return records.stream().map(OutboxRecord::seq).toList();
    }

    @Test
    void aRecordCorruptedOnDiskLosesTheRestOfItsSegmentOnlyAndIsCounted() throws Exception {
        Outbox o = twoSegments();
        Path first = dir.resolve(Segment.name(0));
        byte[] raw = Files.readAllBytes(first);
        raw[3 * RECORD + RecordCodec.HEADER_BYTES] ^= 0x55;
        Files.write(first, raw);

        List<OutboxRecord> got = o.poll(100, 1 << 20, 0, TimeUnit.MILLISECONDS);

        assertThat(seqs(got)).containsExactlyElementsOf(
                LongStream.concat(LongStream.range(0, 3), LongStream.range(10, 20)).boxed().toList());
        assertThat(registry.get("limes.errors").tag("error_type", "corrupt_record").counter().count())
                .isEqualTo(7.0);
        assertThat(registry.get("limes.errors").tag("error_type", "reader_repositioned").counter().count())
                .isZero();
    }

    @Test
    void aSegmentDeletedAsAcknowledgedUnderTheReaderDoesNotLoseItsSuccessor() throws Exception {
        Outbox o = twoSegments();
        List<OutboxRecord> firstBatch = o.poll(10, 1 << 20, 0, TimeUnit.MILLISECONDS);
        assertThat(seqs(firstBatch)).endsWith(9L);
        o.acknowledge(10);
        o.persistAcknowledged();
        assertThat(dir.resolve(Segment.name(0))).doesNotExist();

        assertThat(seqs(o.poll(100, 1 << 20, 0, TimeUnit.MILLISECONDS)))
                .containsExactlyElementsOf(LongStream.range(10, 20).boxed().toList());
        assertThat(registry.get("limes.errors").tag("error_type", "reader_repositioned").counter().count())
                .isZero();
    }

    @Test
    void rewindAcrossSegmentsRereadsFromTheFirstUnacknowledged() throws Exception {
        Outbox o = twoSegments();
        o.poll(100, 1 << 20, 0, TimeUnit.MILLISECONDS);
        o.acknowledge(7);
        o.rewind();

        assertThat(seqs(o.poll(5, 1 << 20, 0, TimeUnit.MILLISECONDS))).containsExactly(7L, 8L, 9L, 10L, 11L);
        assertThat(o.oldestUnackedMillis()).isPositive();
    }

    @Test
    void pollStopsAtTheByteBudgetAfterTheRecordThatReachesIt() throws Exception {
        Outbox o = twoSegments();
        assertThat(o.poll(100, 2 * 91, 0, TimeUnit.MILLISECONDS)).hasSize(2);
        assertThat(o.poll(100, 91 + 1, 0, TimeUnit.MILLISECONDS)).hasSize(2);
    }

    @Test
    void nothingIsReadBeyondWhatIsDurable() throws IOException, InterruptedException {
        Outbox o = Outbox.open("store", dir, LIMITS, new OutboxMetrics(registry, "store"));
        o.append(OutboxRecord.READING, new byte[1]);
        o.flush();
        o.append(OutboxRecord.READING, new byte[1]);

        assertThat(seqs(o.poll(100, 1 << 20, 0, TimeUnit.MILLISECONDS))).containsExactly(0L);
        assertThat(o.poll(100, 1 << 20, 10, TimeUnit.MILLISECONDS)).isEmpty();
        o.flush();
        assertThat(seqs(o.poll(100, 1 << 20, 0, TimeUnit.MILLISECONDS))).containsExactly(1L);
    }
}
