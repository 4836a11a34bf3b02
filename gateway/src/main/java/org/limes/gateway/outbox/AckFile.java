package org.limes.gateway.outbox;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The acknowledged position of one outbox: the file {@code ack}, 12 bytes, little-endian:
 * <pre>
 * +------------+------------------+
 * | acked i64  | crc u32          |   crc = CRC32C(acked)
 * +------------+------------------+
 * </pre>
 * {@code acked} is the sequence number of the first record the destination has not
 * acknowledged.
 *
 * <p>Replaced atomically: the new position is written to {@code ack.tmp}, synced, and renamed
 * over {@code ack}, so after a crash the file holds the old position or the new one, never a
 * mix. A file of another size or with a wrong checksum is counted as a corrupt record and read
 * as "nothing acknowledged": the records are then delivered again from the oldest segment —
 * delivery is idempotent, losing them is not. A stale position is harmless for the same
 * reason, which is why the committer does not hold upstream acknowledgements for this file.
 *
 * <p>Threading: read once by recovery before the outbox opens; written by the committer
 * thread only.
 */
final class AckFile {

    private static final Logger LOG = LoggerFactory.getLogger(AckFile.class);
    static final String NAME = "ack";
    static final int BYTES = 12;

    private final Path file;
    private final Path tmp;
    private final String destination;
    private final OutboxMetrics metrics;
    private final DiskWrites disk;

    AckFile(Path dir, String destination, OutboxMetrics metrics, DiskWrites disk) {
        this.file = dir.resolve(NAME);
        this.tmp = dir.resolve(NAME + ".tmp");
        this.destination = destination;
        this.metrics = metrics;
        this.disk = disk;
    }

    /** The persisted position, or -1 when there is none or it cannot be trusted. */
    long read() throws IOException {
        if (!Files.exists(file)) {
            return -1;
        }
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length != BYTES) {
            metrics.corrupt(1);
            LOG.warn("outbox {}: ack file has {} bytes, expected {}; redelivering from the oldest segment",
                    destination, bytes.length, BYTES);
            return -1;
        }
        ByteBuffer buf = RecordCodec.buffer(BYTES).put(bytes).flip();
        long acked = buf.getLong();
        if (checksum(bytes) != buf.getInt()) {
            metrics.corrupt(1);
            LOG.warn("outbox {}: ack file checksum mismatch; redelivering from the oldest segment", destination);
            return -1;
        }
        return acked;
    }

    /** Replaces the persisted position with {@code acked}; on failure the old one stays. */
    void write(long acked) throws IOException {
        ByteBuffer buf = RecordCodec.buffer(BYTES);
        buf.putLong(acked);
        buf.putInt(checksum(buf.array())).flip();
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (buf.hasRemaining()) {
                disk.write(ch, buf, buf.position());
            }
            ch.force(false);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static int checksum(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, 8);
        return (int) crc.getValue();
    }
}
