package org.limes.gateway.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The record layout read back from a real file: whole, torn, and corrupted byte by byte. */
class RecordCodecTest {

    private static final int MAX = 1 << 10;

    @TempDir
    Path dir;

    /** Lays out records as the writer does and returns the file's bytes. */
    static byte[] encode(byte type, long time, byte[]... payloads) {
        int size = 0;
        for (byte[] p : payloads) {
            size += RecordCodec.recordBytes(p);
        }
        ByteBuffer buf = RecordCodec.buffer(size);
        for (byte[] p : payloads) {
            RecordCodec.put(buf, RecordCodec.checksum(type, time, p), type, time, p);
        }
        return buf.array();
    }

    private RecordCodec.Decoded readAt(byte[] file, long position) throws IOException {
        Path p = dir.resolve("records");
        Files.write(p, file);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            return RecordCodec.read(ch, position, ch.size(), MAX);
        }
    }

    @Test
    void recordsRoundTripThroughAFile() throws IOException {
        byte[] first = "speed=41.5".getBytes(StandardCharsets.UTF_8);
        byte[] empty = new byte[0];
        byte[] third = new byte[MAX];
        Arrays.fill(third, (byte) 0x7f);
        long time = 1_764_900_000_123L;
        byte[] file = encode(OutboxRecord.ALERT, time, first, empty, third);
        assertThat(file).hasSize(3 * RecordCodec.HEADER_BYTES + first.length + third.length);

        long pos = 0;
        for (byte[] expected : new byte[][] {first, empty, third}) {
            RecordCodec.Decoded d = readAt(file, pos);
            assertThat(d.valid()).isTrue();
            assertThat(d.payload()).isEqualTo(expected);
            assertThat(d.header().type()).isEqualTo(OutboxRecord.ALERT);
            assertThat(d.header().time()).isEqualTo(time);
            assertThat(d.header().length()).isEqualTo(expected.length);
            pos += d.header().recordBytes();
        }
        assertThat(pos).isEqualTo(file.length);
    }

    @Test
    void headerIsLittleEndianWithTheLengthFirst() {
        byte[] file = encode(OutboxRecord.READING, 0x0102030405060708L, new byte[] {9, 9, 9});
        assertThat(Arrays.copyOfRange(file, 0, 4)).containsExactly(3, 0, 0, 0);
        assertThat(file[8]).isEqualTo(OutboxRecord.READING);
        assertThat(Arrays.copyOfRange(file, 9, 17)).containsExactly(8, 7, 6, 5, 4, 3, 2, 1);
    }

    @Test
    void aTailShorterThanAHeaderIsATornHeader() throws IOException {
        byte[] whole = encode(OutboxRecord.READING, 5, "kept".getBytes(StandardCharsets.UTF_8));
        byte[] file = Arrays.copyOf(whole, whole.length + RecordCodec.HEADER_BYTES - 1);

        RecordCodec.Decoded d = readAt(file, whole.length);
        assertThat(d.fault()).isEqualTo(RecordCodec.Fault.TORN_HEADER);
        assertThat(readAt(file, 0).valid()).isTrue();
    }

    @Test
    void aPayloadCutShortIsABadLength() throws IOException {
        byte[] whole = encode(OutboxRecord.READING, 5, "payload".getBytes(StandardCharsets.UTF_8));
        RecordCodec.Decoded d = readAt(Arrays.copyOf(whole, whole.length - 1), 0);
        assertThat(d.fault()).isEqualTo(RecordCodec.Fault.BAD_LENGTH);
        assertThat(d.header().length()).isEqualTo(7);
    }

    @Test
    void aLengthAboveTheRecordLimitOrNegativeIsABadLength() throws IOException {
        byte[] tooLong = encode(OutboxRecord.READING, 5, new byte[MAX + 1]);
        assertThat(readAt(tooLong, 0).fault()).isEqualTo(RecordCodec.Fault.BAD_LENGTH);

        byte[] negative = encode(OutboxRecord.READING, 5, new byte[8]);
        negative[3] = (byte) 0x80;
        assertThat(readAt(negative, 0).fault()).isEqualTo(RecordCodec.Fault.BAD_LENGTH);
    }

    @Test
    void everyFlippedByteAfterTheLengthFailsTheChecksum() throws IOException {
        byte[] whole = encode(OutboxRecord.ALERT, 1_764_900_000_000L, "{\"state\":\"raised\"}".getBytes(
                StandardCharsets.UTF_8));
        // Bytes 4..7 are the checksum itself, 8 the type, 9..16 the time, then the payload.
        for (int i = 4; i < whole.length; i++) {
            byte[] corrupt = whole.clone();
            corrupt[i] ^= 0x20;
            assertThat(readAt(corrupt, 0).fault()).as("byte %d flipped", i)
                    .isEqualTo(RecordCodec.Fault.CHECKSUM_MISMATCH);
        }
    }

    @Test
    void readingStopsAtTheGivenEndNotTheFileSize() throws IOException {
        byte[] file = encode(OutboxRecord.READING, 5, new byte[10], new byte[10]);
        Path p = dir.resolve("records");
        Files.write(p, file);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            long firstEnd = RecordCodec.HEADER_BYTES + 10;
            assertThat(RecordCodec.read(ch, 0, firstEnd, MAX).valid()).isTrue();
            assertThat(RecordCodec.read(ch, firstEnd, firstEnd + 20, MAX).fault())
                    .isEqualTo(RecordCodec.Fault.BAD_LENGTH);
            assertThat(RecordCodec.readHeader(ch, firstEnd).recordBytes()).isEqualTo(firstEnd);
        }
    }
}
