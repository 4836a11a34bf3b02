package org.limes.gateway.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Records read through the read-ahead window of a sink: across its edges, never past the valid end. */
class SegmentWindowTest {

    private static final int MAX = 1 << 20;
    private static final int WINDOW = 4096;

    @TempDir
    Path dir;

    private static byte[] payload(Random random, int length) {
        byte[] p = new byte[length];
        random.nextBytes(p);
        return p;
    }

    private FileChannel write(String name, byte[] bytes) throws IOException {
        FileChannel ch = FileChannel.open(dir.resolve(name), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        ch.write(ByteBuffer.wrap(bytes), 0);
        return ch;
    }

    @Test
    void recordsOfEverySizeReadBackWholeAcrossTheWindowsEdges() throws IOException {
        Random random = new Random(7);
        List<byte[]> payloads = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            // mostly small, some straddling the window's edge, some larger than the window
            int length = i % 37 == 0 ? WINDOW + random.nextInt(3 * WINDOW) : random.nextInt(i % 5 == 0 ? 900 : 200);
            payloads.add(payload(random, length));
        }
        byte[] file = RecordCodecTest.encode(OutboxRecord.READING, 42, payloads.toArray(new byte[0][]));
        try (FileChannel ch = write("segment", file)) {
            SegmentWindow window = new SegmentWindow(WINDOW);
            window.over(ch);
            long pos = 0;
            for (byte[] expected : payloads) {
                RecordCodec.Decoded d = RecordCodec.read(window, pos, file.length, MAX);
                assertThat(d.valid()).as("record at byte %d", pos).isTrue();
                assertThat(d.payload()).isEqualTo(expected);
                pos += d.header().recordBytes();
            }
            assertThat(pos).isEqualTo(file.length);
            assertThat(RecordCodec.read(window, pos, file.length, MAX).fault()).isEqualTo(RecordCodec.Fault.TORN_HEADER);
        }
    }

    @Test
    void bytesAtOrAfterTheValidEndAreNeverHeldSoALaterAppendIsReadAsWritten() throws IOException {
        byte[] first = RecordCodecTest.encode(OutboxRecord.READING, 1, "first".getBytes());
        byte[] second = RecordCodecTest.encode(OutboxRecord.READING, 2, "second".getBytes());
        // The file holds the first record, then bytes not yet written by the appender (garbage here).
        byte[] garbage = new byte[WINDOW];
        Arrays.fill(garbage, (byte) 0x5a);
        byte[] file = Arrays.copyOf(first, first.length + garbage.length);
        System.arraycopy(garbage, 0, file, first.length, garbage.length);
        try (FileChannel ch = write("segment", file)) {
            SegmentWindow window = new SegmentWindow(WINDOW);
            window.over(ch);
            assertThat(RecordCodec.read(window, 0, first.length, MAX).payload()).isEqualTo("first".getBytes());

            ch.write(ByteBuffer.wrap(second), first.length);
            RecordCodec.Decoded d = RecordCodec.read(window, first.length, first.length + second.length, MAX);

            assertThat(d.valid()).as("the window read ahead past the end it was given: %s", d.fault()).isTrue();
            assertThat(d.payload()).isEqualTo("second".getBytes());
        }
    }

    @Test
    void pointedAtAnotherSegmentItForgetsTheBytesOfTheLast() throws IOException {
        byte[] a = RecordCodecTest.encode(OutboxRecord.READING, 1, "segment-a".getBytes());
        byte[] b = RecordCodecTest.encode(OutboxRecord.READING, 1, "segment-b".getBytes());
        try (FileChannel chA = write("a", a); FileChannel chB = write("b", b)) {
            SegmentWindow window = new SegmentWindow(WINDOW);
            window.over(chA);
            assertThat(RecordCodec.read(window, 0, a.length, MAX).payload()).isEqualTo("segment-a".getBytes());

            window.over(chB);

            assertThat(RecordCodec.read(window, 0, b.length, MAX).payload()).isEqualTo("segment-b".getBytes());
        }
    }
}
