package org.limes.gateway.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recovery of segment files as a crash leaves them, written byte for byte into a real directory. */
class OutboxRecoveryTest {

    private static final int MAX = 1 << 10;

    @TempDir
    Path dir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final OutboxMetrics metrics = new OutboxMetrics(registry, "store");

    private OutboxRecovery.Recovered recover() throws IOException {
        return new OutboxRecovery("store", dir, MAX, metrics)
                .recover(new AckFile(dir, "store", metrics, DiskWrites.DIRECT));
    }

    private double corrupt() {
        return registry.get("limes.errors").tag("error_type", "corrupt_record").counter().count();
    }

    /** Writes a segment of {@code records} ten-byte records starting at {@code base}; returns its path. */
    private Path segment(long base, int records, byte[] tail) throws IOException {
        byte[][] payloads = new byte[records][];
        for (int i = 0; i < records; i++) {
            payloads[i] = new byte[10];
            Arrays.fill(payloads[i], (byte) (base + i));
        }
        byte[] whole = RecordCodecTest.encode(OutboxRecord.READING, 1_000 + base, payloads);
        byte[] file = Arrays.copyOf(whole, whole.length + tail.length);
        System.arraycopy(tail, 0, file, whole.length, tail.length);
        return Files.write(dir.resolve(Segment.name(base)), file);
    }

    private static long bytesOf(int records) {
        return records * (RecordCodec.HEADER_BYTES + 10L);
    }

    @Test
    void anEmptyDirectoryStartsAtZero() throws IOException {
        OutboxRecovery.Recovered r = recover();
        assertThat(r.segments()).isEmpty();
        assertThat(r.nextSeq()).isZero();
        assertThat(r.ackedSeq()).isZero();
        assertThat(r.persistedAck()).isEqualTo(-1);
    }

    @Test
    void aTornTailOfTheLastSegmentIsCutCountedAndTheValidRecordsKept() throws IOException {
        segment(0, 4, new byte[0]);
        byte[] halfARecord = Arrays.copyOf(RecordCodecTest.encode(OutboxRecord.READING, 9, new byte[10]), 20);
        Path last = segment(4, 3, halfARecord);

        OutboxRecovery.Recovered r = recover();

        assertThat(r.segments()).extracting(s -> s.base).containsExactly(0L, 4L);
        Segment tail = r.segments().get(1);
        assertThat(tail.records).isEqualTo(3);
        assertThat(tail.bytes).isEqualTo(bytesOf(3));
        assertThat(tail.lastTime).isEqualTo(1_004);
        assertThat(Files.size(last)).as("torn bytes cut off the file").isEqualTo(bytesOf(3));
        assertThat(r.nextSeq()).isEqualTo(7);
        assertThat(r.ackedSeq()).isZero();
        assertThat(corrupt()).isEqualTo(1.0);
    }

    @Test
    void aTornHeaderAtTheEndIsCutToo() throws IOException {
        Path last = segment(0, 2, new byte[] {10, 0, 0});

        OutboxRecovery.Recovered r = recover();

        assertThat(r.segments().get(0).records).isEqualTo(2);
        assertThat(Files.size(last)).isEqualTo(bytesOf(2));
        assertThat(corrupt()).isEqualTo(1.0);
    }

    @Test
    void aCorruptRecordInAnOlderSegmentEndsItsValidPartButTheFileIsLeftAlone() throws IOException {
        Path older = segment(0, 3, new byte[0]);
        byte[] raw = Files.readAllBytes(older);
        raw[(int) bytesOf(1) + RecordCodec.HEADER_BYTES] ^= 0x55;
        Files.write(older, raw);
        segment(3, 2, new byte[0]);

        OutboxRecovery.Recovered r = recover();

        assertThat(r.segments().get(0).records).isEqualTo(1);
        assertThat(r.segments().get(0).bytes).isEqualTo(bytesOf(1));
        assertThat(Files.size(older)).isEqualTo(bytesOf(3));
        assertThat(r.nextSeq()).isEqualTo(5);
        assertThat(corrupt()).isEqualTo(1.0);
    }

    @Test
    void theAcknowledgedPositionIsNeverBelowTheOldestSegmentNorAboveTheNextRecord() throws IOException {
        segment(10, 5, new byte[0]);
        AckFile ack = new AckFile(dir, "store", metrics, DiskWrites.DIRECT);

        ack.write(3);
        assertThat(recover().ackedSeq()).as("segments below 10 were deleted as acknowledged").isEqualTo(10);
        ack.write(12);
        OutboxRecovery.Recovered r = recover();
        assertThat(r.ackedSeq()).isEqualTo(12);
        assertThat(r.persistedAck()).isEqualTo(12);
        assertThat(r.nextSeq()).isEqualTo(15);
    }

    @Test
    void withEverySegmentDeletedNumberingGoesOnFromTheAcknowledgedPosition() throws IOException {
        new AckFile(dir, "store", metrics, DiskWrites.DIRECT).write(42);

        OutboxRecovery.Recovered r = recover();

        assertThat(r.nextSeq()).isEqualTo(42);
        assertThat(r.ackedSeq()).isEqualTo(42);
    }

    @Test
    void aSegmentNotNamedByItsBaseIsRefused() throws IOException {
        Files.write(dir.resolve("backup.seg"), new byte[0]);

        assertThatThrownBy(this::recover).isInstanceOf(IOException.class).hasMessageContaining("backup.seg");
    }
}
