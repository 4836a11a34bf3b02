package org.limes.gateway.outbox;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/**
 * The record format of an outbox segment: the one place that lays a record out and the one
 * place that reads it back.
 *
 * <p>Record layout, little-endian:
 * <pre>
 * +--------+--------+------+-------------+-----------------+
 * | len u32| crc u32| type | time i64 ms | payload (len)   |   crc = CRC32C(type, time, payload)
 * +--------+--------+------+-------------+-----------------+
 * </pre>
 * {@code time} is when the record was appended (the gateway clock), which gives the queue its
 * age. A record carries no sequence number: its number is its segment's base (the file name,
 * see {@link Segment}) plus the records before it, so numbers cost nothing on disk and can
 * never disagree with the order of the file.
 *
 * <p>Why a length and a checksum: a crash can leave a segment ending in a record that was
 * only partly written (torn), and a disk can hand back bytes that are not the ones written
 * (corrupt). {@code len} says where the record must end, so a tail shorter than that is torn;
 * {@code crc} covers everything after it, so any flipped byte of type, time or payload is
 * seen. Reading never trusts a record that fails either check, and reports why
 * ({@link Fault}); what to do about it (cut the tail, skip the segment) is the caller's.
 *
 * <p>Threading: stateless, any thread.
 */
final class RecordCodec {

    /** Bytes before the payload: len, crc, type, time. */
    static final int HEADER_BYTES = 17;

    /** Why no record could be read at a position. */
    enum Fault {
        /** Fewer bytes left than a header. */
        TORN_HEADER,
        /** The length is negative, above the record limit, or runs past the end. */
        BAD_LENGTH,
        /** The bytes are all there but are not the ones written. */
        CHECKSUM_MISMATCH
    }

    /** The fixed fields in front of a payload. */
    record Header(int length, int checksum, byte type, long time) {

        /** Bytes of the whole record, header included. */
        long recordBytes() {
            return HEADER_BYTES + (long) length;
        }
    }

    /**
     * What {@link #read} found: a valid record ({@code fault} null) or the fault that stops
     * reading ({@code payload} null; {@code header} null for a torn header).
     */
    record Decoded(Header header, byte[] payload, Fault fault) {

        boolean valid() {
            return fault == null;
        }
    }

    private RecordCodec() {
    }

    /** A buffer in the record's byte order. */
    static ByteBuffer buffer(int capacity) {
        return ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Bytes the record of {@code payload} takes on disk. */
    static int recordBytes(byte[] payload) {
        return HEADER_BYTES + payload.length;
    }

    static int checksum(byte type, long time, byte[] payload) {
        CRC32C crc = new CRC32C();
        crc.update(type);
        for (int shift = 0; shift < 64; shift += 8) {
            crc.update((int) (time >>> shift) & 0xff);
        }
        crc.update(payload);
        return (int) crc.getValue();
    }

    /**
     * Puts one record into {@code out} (a {@link #buffer}). The checksum is passed in so that
     * appending threads compute it before they take the outbox's lock.
     */
    static void put(ByteBuffer out, int checksum, byte type, long time, byte[] payload) {
        out.putInt(payload.length).putInt(checksum).put(type).putLong(time).put(payload);
    }

    /**
     * Where records are read from: a segment's channel, or a read-ahead window over it
     * ({@link SegmentWindow}). Fills {@code dst} from {@code position}; the bytes below
     * {@code end} are valid and final, so a reader may read ahead up to there.
     */
    @FunctionalInterface
    interface Source {
        void readFully(ByteBuffer dst, long position, long end) throws IOException;
    }

    /** Reads the header at {@code position}, unchecked: for skipping over records already verified. */
    static Header readHeader(FileChannel ch, long position) throws IOException {
        return readHeader((dst, at, end) -> readFully(ch, dst, at), position, position + HEADER_BYTES);
    }

    /** {@link #readHeader(FileChannel, long)} from a {@link Source} whose valid bytes end at {@code end}. */
    static Header readHeader(Source source, long position, long end) throws IOException {
        ByteBuffer header = buffer(HEADER_BYTES);
        source.readFully(header, position, end);
        header.flip();
        return new Header(header.getInt(), header.getInt(), header.get(), header.getLong());
    }

    /**
     * Reads and verifies the record at {@code position} of a file whose valid bytes end at
     * {@code end}; a record longer than {@code maxRecordBytes} is taken as a bad length.
     */
    static Decoded read(FileChannel ch, long position, long end, int maxRecordBytes) throws IOException {
        return read((dst, at, valid) -> readFully(ch, dst, at), position, end, maxRecordBytes);
    }

    /** {@link #read(FileChannel, long, long, int)} from a {@link Source}. */
    static Decoded read(Source source, long position, long end, int maxRecordBytes) throws IOException {
        if (end - position < HEADER_BYTES) {
            return new Decoded(null, null, Fault.TORN_HEADER);
        }
        Header h = readHeader(source, position, end);
        if (h.length() < 0 || h.length() > maxRecordBytes || position + h.recordBytes() > end) {
            return new Decoded(h, null, Fault.BAD_LENGTH);
        }
        byte[] payload = new byte[h.length()];
        source.readFully(ByteBuffer.wrap(payload), position + HEADER_BYTES, end);
        if (checksum(h.type(), h.time(), payload) != h.checksum()) {
            return new Decoded(h, null, Fault.CHECKSUM_MISMATCH);
        }
        return new Decoded(h, payload, null);
    }

    static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException("unexpected end of segment at byte " + pos);
            }
            pos += n;
        }
    }
}
