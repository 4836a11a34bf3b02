package org.limes.gateway.outbox;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writing side of one outbox: two write buffers, the segment being written, and the
 * acknowledged position on disk. It is the per-outbox half of the group commit that
 * {@link OutboxCommitter} runs for all outboxes.
 *
 * <p>Appends fill the {@code pending} buffer, which starts at {@link #INITIAL_BUFFER_BYTES} and
 * grows up to {@code bufferBytes} when a record does not fit. Each committer cycle swaps it for the empty
 * {@code flushing} buffer (appends go on meanwhile), writes {@code flushing} to the current
 * segment with one positional write and one {@code fsync}, and only then counts the records
 * durable: a sink never reads a record that is not on disk. A write that fails (disk full)
 * is cut off the file and its bytes stay in {@code flushing} for the next cycle; appends fill
 * {@code pending} until it is full and then wait — that is the backpressure. A new segment is
 * started once the current one has reached {@code segmentBytes}.
 *
 * <p>Threading: {@link #putLocked} and the other {@code *Locked} methods run on appending
 * (or gauge) threads holding the outbox's lock; {@link #flush}, {@link #persistAcknowledged},
 * {@link #expire} and {@link #release} on the committer thread only, which alone touches
 * {@code flushing}, the segment's channel and the {@link AckFile}. Bytes go to disk through
 * {@link DiskWrites}.
 */
final class OutboxWriter {

    private static final Logger LOG = LoggerFactory.getLogger(OutboxWriter.class);

    /**
     * What each of the two write buffers starts with. They grow, up to {@code bufferBytes}, to what
     * one commit cycle must hold (a few tens of KiB at thousands of records a second; all of it
     * while the disk refuses writes): two full buffers per log, four logs for a store and a
     * centre, were 32 MiB of a gateway's heap that mostly sat empty.
     */
    static final int INITIAL_BUFFER_BYTES = 64 * 1024;

    private final String destination;
    private final Path dir;
    private final OutboxLimits limits;
    private final OutboxMetrics metrics;
    private final EvictionListener evictionListener;
    private final DiskWrites disk;
    private final AckFile ackFile;
    private final ReentrantLock lock;
    private final Condition durableAdvanced;
    private final Condition spaceFreed;
    private final SegmentLog log;

    // Guarded by lock.
    private ByteBuffer pending;
    private int pendingRecords;
    private long pendingFirstTime;
    private long pendingLastTime;
    private int flushingRecords;
    private long flushingFirstTime;

    // Committer thread only (flushing's position is also read under the lock, for the queue's size).
    private ByteBuffer flushing;
    private long flushingFirstSeq;
    private long flushingLastTime;
    private Segment segment;
    private FileChannel channel;
    private long persistedAck;

    OutboxWriter(String destination, Path dir, OutboxLimits limits, OutboxMetrics metrics,
            EvictionListener evictionListener, DiskWrites disk, AckFile ackFile, ReentrantLock lock,
            Condition durableAdvanced, Condition spaceFreed, SegmentLog log, long persistedAck) throws IOException {
        this.destination = destination;
        this.dir = dir;
        this.limits = limits;
        this.metrics = metrics;
        this.evictionListener = evictionListener;
        this.disk = disk;
        this.ackFile = ackFile;
        this.lock = lock;
        this.durableAdvanced = durableAdvanced;
        this.spaceFreed = spaceFreed;
        this.log = log;
        this.persistedAck = persistedAck;
        this.pending = RecordCodec.buffer(Math.min(INITIAL_BUFFER_BYTES, limits.bufferBytes()));
        this.flushing = RecordCodec.buffer(Math.min(INITIAL_BUFFER_BYTES, limits.bufferBytes()));
        this.segment = log.writing();
        if (segment != null) {
            channel = FileChannel.open(segment.path, StandardOpenOption.WRITE, StandardOpenOption.READ);
        }
    }

    // ---------------------------------------------------------------- appending threads, under the lock

    /**
     * Whether a record of {@code size} bytes fits the append buffer now, growing the buffer (by
     * doubling, up to {@code bufferBytes}) when that makes it fit.
     */
    boolean hasRoomLocked(int size) {
        if (pending.remaining() >= size) {
            return true;
        }
        int needed = pending.position() + size;
        if (needed > limits.bufferBytes()) {
            return false;
        }
        ByteBuffer grown = RecordCodec.buffer((int) Math.min(limits.bufferBytes(),
                Math.max(needed, 2L * pending.capacity())));
        pending.flip();
        grown.put(pending);
        pending = grown;
        return true;
    }

    /** The append buffer's capacity now: it starts small and grows with what one cycle must hold. */
    int pendingCapacityLocked() {
        return pending.capacity();
    }

    /** Bytes in both buffers, not yet on disk. */
    int bufferedLocked() {
        return pending.position() + flushing.position();
    }

    /** Bytes in the append buffer. */
    int pendingLocked() {
        return pending.position();
    }

    /** Puts a record, numbered by the caller, into the append buffer; it must fit. */
    void putLocked(int checksum, byte type, long time, byte[] payload) {
        RecordCodec.put(pending, checksum, type, time, payload);
        if (pendingRecords == 0) {
            pendingFirstTime = time;
        }
        pendingRecords++;
        pendingLastTime = time;
    }

    /** When the oldest record not yet written and synced was appended (epoch ms), -1 when none. */
    long oldestBufferedLocked() {
        if (flushingRecords > 0) {
            return flushingFirstTime;
        }
        return pendingRecords > 0 ? pendingFirstTime : -1;
    }

    // ---------------------------------------------------------------- committer thread

    /**
     * Writes everything appended so far to the current segment and syncs it. On failure the
     * bytes stay buffered for the next cycle and nothing is reported durable.
     *
     * @return true when records became durable in this call
     */
    boolean flush() throws IOException {
        boolean wrote = false;
        if (flushing.position() > 0) {
            writeFlushing();
            wrote = true;
        }
        if (swapPending()) {
            writeFlushing();
            wrote = true;
        }
        return wrote;
    }

    private boolean swapPending() {
        lock.lock();
        try {
            if (pending.position() == 0) {
                return false;
            }
            ByteBuffer swap = flushing;
            flushing = pending;
            pending = swap;
            flushingRecords = pendingRecords;
            flushingFirstSeq = log.nextSeq() - pendingRecords;
            flushingLastTime = pendingLastTime;
            flushingFirstTime = pendingFirstTime;
            pendingRecords = 0;
            spaceFreed.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void writeFlushing() throws IOException {
        if (segment == null || segment.bytes >= limits.segmentBytes()) {
            rollSegment(flushingFirstSeq);
        }
        long start = System.nanoTime();
        long sizeBefore = segment.bytes;
        flushing.flip();
        try {
            // At the segment's counted end, not the file's size: if cutting a failed write's
            // partial bytes failed too, the rewrite still lands where the reader will look.
            while (flushing.hasRemaining()) {
                disk.write(channel, flushing, sizeBefore + flushing.position());
            }
            if (channel.size() > sizeBefore + flushing.limit()) {
                channel.truncate(sizeBefore + flushing.limit());
            }
            channel.force(false);
        } catch (IOException e) {
            flushing.position(flushing.limit());
            flushing.limit(flushing.capacity());
            try {
                channel.truncate(sizeBefore);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new IOException("outbox " + destination + ": writing segment " + segment.path + " failed", e);
        }
        int written = flushing.limit();
        flushing.clear();
        metrics.synced(System.nanoTime() - start);
        lock.lock();
        try {
            log.grew(segment, written, flushingRecords, flushingLastTime);
            log.durable(flushingFirstSeq + flushingRecords);
            flushingRecords = 0;
            durableAdvanced.signalAll();
            spaceFreed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void rollSegment(long base) throws IOException {
        if (channel != null) {
            channel.close();
        }
        Segment s = Segment.create(dir, base);
        channel = FileChannel.open(s.path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ);
        channel.truncate(0);
        forceDirectory();
        lock.lock();
        try {
            log.startSegment(s);
            segment = s;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Persists the acknowledged position if it moved, and deletes segments that are wholly
     * acknowledged.
     */
    void persistAcknowledged() throws IOException {
        long acked = log.ackedSeq();
        if (acked == persistedAck) {
            return;
        }
        // Wholly acknowledged segments go first: it frees space even on a full disk, and it is
        // safe before the ack file is written, since recovery never reads below the oldest segment.
        deleteAcknowledgedSegments(acked);
        ackFile.write(acked);
        persistedAck = acked;
    }

    private void deleteAcknowledgedSegments(long acked) throws IOException {
        List<Segment> doomed;
        lock.lock();
        try {
            doomed = log.removeAcknowledged(acked);
            if (!doomed.isEmpty()) {
                spaceFreed.signalAll();
            }
        } finally {
            lock.unlock();
        }
        for (Segment s : doomed) {
            Files.deleteIfExists(s.path);
        }
    }

    /**
     * Evicts whole segments whose newest record is older than {@code maxAgeMs}; the segment
     * being written is kept. Returns the undelivered records lost.
     */
    long expire(long nowMs, long maxAgeMs) {
        long lost = 0;
        lock.lock();
        try {
            while (log.oldestExpired(nowMs, maxAgeMs)) {
                long n = log.evictOldest("max_age_ms " + maxAgeMs);
                if (n < 0) {
                    break;
                }
                spaceFreed.signalAll();
                lost += n;
            }
        } finally {
            lock.unlock();
        }
        if (lost > 0) {
            evictionListener.evicted(destination, lost);
        }
        return lost;
    }

    /** Closes the segment's channel, after the final flush. */
    void release() {
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            LOG.warn("outbox {}: closing files failed: {}", destination, e.toString());
        }
    }

    private void forceDirectory() {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // Some file systems cannot sync a directory; the segment's own fsync still holds its data.
            LOG.debug("outbox {}: directory sync not supported: {}", destination, e.toString());
        }
    }
}
