package org.limes.gateway.outbox;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable queue of one destination: a log of segment files on disk with its own
 * acknowledged position.
 *
 * <p>Record layout, little-endian:
 * <pre>
 * +--------+--------+------+-------------+-----------------+
 * | len u32| crc u32| type | time i64 ms | payload (len)   |   crc = CRC32C(type, time, payload)
 * +--------+--------+------+-------------+-----------------+
 * </pre>
 * Segment files are named by the sequence number of their first record
 * ({@code 00000000000000001234.seg}); {@code time} is when the record was appended (the
 * gateway clock), which gives the queue its age. The acknowledged position lives in
 * {@code ack}, replaced atomically.
 *
 * <p>Threading: any number of threads may {@link #append}; exactly one committer thread
 * calls {@link #flush()} and {@link #persistAcknowledged()} (group commit: one write and
 * one {@code fsync} for every record appended since the last cycle); exactly one sink
 * thread calls {@link #poll} and {@link #acknowledge}. Appends land in a bounded buffer;
 * when it is full, or the queue has reached its size and nothing can be evicted, the
 * appending thread waits: that is the backpressure that stops ingestion from
 * acknowledging upstream, never unbounded memory.
 *
 * <p>When the queue reaches {@code maxBytes}, whole oldest segments are evicted, and the
 * records lost are counted by type and logged. After a crash a torn or corrupt tail is
 * detected by length and checksum, counted, and cut off; the queue opens anyway.
 */
public final class Outbox {

    private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);
    static final int HEADER_BYTES = 17;
    private static final String SEGMENT_SUFFIX = ".seg";
    private static final long WAIT_LOG_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final String destination;
    private final Path dir;
    private final OutboxLimits limits;
    private final OutboxMetrics metrics;
    private final Clock clock;
    private final EvictionListener evictionListener;
    private final DiskWrites disk;

    private final ReentrantLock lock = new ReentrantLock();
    private final Probe probe = new Probe();
    private final Condition durableAdvanced = lock.newCondition();
    private final Condition spaceFreed = lock.newCondition();

    // Guarded by lock.
    private final ArrayDeque<Segment> segments = new ArrayDeque<>();
    private ByteBuffer pending;
    private int pendingRecords;
    private long pendingLastTime;
    private long pendingFirstTime;
    private long flushingFirstTime;
    private long nextSeq;
    private long segmentBytesTotal;
    private boolean closed;

    // Written under lock, read lock-free by gauges and the sink.
    private volatile long durableSeq;
    private volatile long ackedSeq;

    // Committer thread only.
    private ByteBuffer flushing;
    private int flushingRecords;
    private long flushingFirstSeq;
    private long flushingLastTime;
    private FileChannel writeChannel;
    private Segment writeSegment;
    private long persistedAck = -1;

    // Sink thread only.
    private long lastLostPositionLog;
    private long readSeq;
    private Segment readSegment;
    private FileChannel readChannel;
    private long readPos;

    private Outbox(String destination, Path dir, OutboxLimits limits, OutboxMetrics metrics, Clock clock,
            EvictionListener evictionListener, DiskWrites disk) {
        this.destination = destination;
        this.dir = dir;
        this.limits = limits;
        this.metrics = metrics;
        this.clock = clock;
        this.evictionListener = evictionListener;
        this.disk = disk;
        this.pending = ByteBuffer.allocate(limits.bufferBytes()).order(ByteOrder.LITTLE_ENDIAN);
        this.flushing = ByteBuffer.allocate(limits.bufferBytes()).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Opens (or creates) the queue in {@code dir}, recovering from whatever a crash left.
     */
    public static Outbox open(String destination, Path dir, OutboxLimits limits, OutboxMetrics metrics)
            throws IOException {
        return open(destination, dir, limits, metrics, Clock.systemUTC(), EvictionListener.NONE);
    }

    /**
     * Opens (or creates) the queue in {@code dir}; {@code clock} stamps appended records and
     * {@code evictionListener} hears of every record lost to a limit.
     */
    public static Outbox open(String destination, Path dir, OutboxLimits limits, OutboxMetrics metrics, Clock clock,
            EvictionListener evictionListener) throws IOException {
        return open(destination, dir, limits, metrics, clock, evictionListener, DiskWrites.DIRECT);
    }

    /** As above, writing through {@code disk} (a test's full disk). */
    static Outbox open(String destination, Path dir, OutboxLimits limits, OutboxMetrics metrics, Clock clock,
            EvictionListener evictionListener, DiskWrites disk) throws IOException {
        Files.createDirectories(dir);
        Outbox outbox = new Outbox(destination, dir, limits, metrics, clock, evictionListener, disk);
        outbox.recover();
        metrics.bind(outbox);
        return outbox;
    }

    public String destination() {
        return destination;
    }

    /** The directory of this log's segments. */
    public Path dir() {
        return dir;
    }

    // ---------------------------------------------------------------- append side

    /**
     * Appends a record to the write buffer and returns its sequence number. It is durable
     * after the next committer cycle (see {@link OutboxCommitter#afterDurable}).
     * Waits while the buffer is full or the queue is at its limit with nothing to evict.
     *
     * @throws InterruptedException when interrupted while waiting for space
     * @throws IllegalArgumentException when the payload exceeds the record size limit
     * @throws IllegalStateException when the outbox is closed
     */
    public long append(byte type, byte[] payload) throws InterruptedException {
        int size = HEADER_BYTES + payload.length;
        if (payload.length > limits.maxRecordBytes()) {
            throw new IllegalArgumentException("record of " + payload.length + " bytes exceeds max_record_bytes "
                    + limits.maxRecordBytes() + " of outbox " + destination);
        }
        long time = clock.millis();
        int checksum = checksum(type, time, payload);
        long waitingSince = 0;
        long evictedNow = 0;
        lock.lockInterruptibly();
        try {
            while (true) {
                if (closed) {
                    throw new IllegalStateException("outbox " + destination + " is closed");
                }
                boolean bufferHasRoom = pending.remaining() >= size;
                boolean queueHasRoom = segmentBytesTotal + pending.position() + flushingBytes() + size
                        <= limits.maxBytes();
                if (!queueHasRoom) {
                    long lost = evictOldestLocked("max_bytes " + limits.maxBytes());
                    evictedNow += Math.max(lost, 0);
                    queueHasRoom = lost >= 0;
                }
                if (bufferHasRoom && queueHasRoom) {
                    break;
                }
                if (waitingSince == 0) {
                    waitingSince = System.nanoTime();
                    metrics.backpressure(bufferHasRoom ? "queue_full" : "buffer_full");
                } else if (System.nanoTime() - waitingSince > WAIT_LOG_NANOS) {
                    LOG.warn("outbox {} is full ({}), ingestion is waiting for its sink or its disk",
                            destination, bufferHasRoom ? "queue at max_bytes" : "write buffer");
                    waitingSince = System.nanoTime();
                }
                spaceFreed.await(100, TimeUnit.MILLISECONDS);
            }
            pending.putInt(payload.length).putInt(checksum).put(type).putLong(time).put(payload);
            if (pendingRecords == 0) {
                pendingFirstTime = time;
            }
            pendingRecords++;
            pendingLastTime = time;
            long seq = nextSeq++;
            metrics.appended(type);
            return seq;
        } finally {
            lock.unlock();
            if (evictedNow > 0) {
                evictionListener.evicted(destination, evictedNow);
            }
        }
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

    /** Sequence number the next append will get. */
    public long nextSeq() {
        lock.lock();
        try {
            return nextSeq;
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- committer side

    /**
     * Writes everything appended so far to the current segment and syncs it. Committer
     * thread only. On failure the bytes stay buffered for the next cycle and nothing is
     * reported durable.
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
            flushingFirstSeq = nextSeq - pendingRecords;
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
        if (writeSegment == null || writeSegment.bytes >= limits.segmentBytes()) {
            rollSegment(flushingFirstSeq);
        }
        long start = System.nanoTime();
        long sizeBefore = writeSegment.bytes;
        flushing.flip();
        try {
            // At the segment's counted end, not the file's size: if cutting a failed write's
            // partial bytes failed too, the rewrite still lands where the reader will look.
            while (flushing.hasRemaining()) {
                disk.write(writeChannel, flushing, sizeBefore + flushing.position());
            }
            if (writeChannel.size() > sizeBefore + flushing.limit()) {
                writeChannel.truncate(sizeBefore + flushing.limit());
            }
            writeChannel.force(false);
        } catch (IOException e) {
            flushing.position(flushing.limit());
            flushing.limit(flushing.capacity());
            try {
                writeChannel.truncate(sizeBefore);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new IOException("outbox " + destination + ": writing segment " + writeSegment.path + " failed", e);
        }
        int written = flushing.limit();
        flushing.clear();
        metrics.synced(System.nanoTime() - start);
        lock.lock();
        try {
            writeSegment.bytes += written;
            writeSegment.records += flushingRecords;
            writeSegment.lastTime = flushingLastTime;
            segmentBytesTotal += written;
            durableSeq = flushingFirstSeq + flushingRecords;
            flushingRecords = 0;
            durableAdvanced.signalAll();
            spaceFreed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Persists the acknowledged position if it moved, and deletes segments that are wholly
     * acknowledged. Committer thread only.
     */
    void persistAcknowledged() throws IOException {
        long acked = ackedSeq;
        if (acked == persistedAck) {
            return;
        }
        // Wholly acknowledged segments go first: it frees space even on a full disk, and it is
        // safe before the ack file is written, since recovery never reads below the oldest segment.
        deleteAcknowledgedSegments(acked);
        ByteBuffer buf = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(acked);
        CRC32C crc = new CRC32C();
        crc.update(buf.array(), 0, 8);
        buf.putInt((int) crc.getValue()).flip();
        Path tmp = dir.resolve("ack.tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (buf.hasRemaining()) {
                disk.write(ch, buf, buf.position());
            }
            ch.force(false);
        }
        try {
            Files.move(tmp, dir.resolve("ack"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, dir.resolve("ack"), StandardCopyOption.REPLACE_EXISTING);
        }
        persistedAck = acked;
    }

    private void deleteAcknowledgedSegments(long acked) throws IOException {
        List<Segment> doomed = new ArrayList<>();
        lock.lock();
        try {
            while (segments.size() > 1) {
                Segment oldest = segments.peekFirst();
                Segment next = second();
                if (next.base > acked || oldest == writeSegment) {
                    break;
                }
                segments.pollFirst();
                segmentBytesTotal -= oldest.bytes;
                doomed.add(oldest);
            }
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

    private void rollSegment(long base) throws IOException {
        if (writeChannel != null) {
            writeChannel.close();
        }
        Segment s = new Segment(base, dir.resolve(segmentName(base)));
        writeChannel = FileChannel.open(s.path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ);
        writeChannel.truncate(0);
        forceDirectory();
        lock.lock();
        try {
            segments.addLast(s);
            writeSegment = s;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Evicts the oldest segment if it is not the one being written; caller holds the lock.
     *
     * @return the unacknowledged records lost (0 or more), or -1 when nothing can be evicted
     */
    private long evictOldestLocked(String why) {
        if (segments.size() < 2) {
            return -1;
        }
        Segment oldest = segments.peekFirst();
        if (oldest == writeSegment) {
            return -1;
        }
        Segment next = second();
        long lostFrom = Math.max(oldest.base, ackedSeq);
        long lost = Math.max(0, next.base - lostFrom);
        segments.pollFirst();
        segmentBytesTotal -= oldest.bytes;
        if (ackedSeq < next.base) {
            ackedSeq = next.base;
        }
        try {
            Files.deleteIfExists(oldest.path);
        } catch (IOException e) {
            LOG.warn("outbox {}: could not delete evicted segment {}: {}", destination, oldest.path, e.toString());
        }
        if (lost > 0) {
            metrics.evicted(lost);
            LOG.error("outbox {} reached {}: evicted its oldest segment, {} undelivered records lost (seq {}..{})",
                    destination, why, lost, lostFrom, next.base - 1);
        }
        spaceFreed.signalAll();
        return lost;
    }

    /**
     * Evicts whole segments whose newest record is older than {@code maxAgeMs}; the segment
     * being written is kept. Committer thread. Returns the undelivered records lost.
     */
    long expire(long nowMs, long maxAgeMs) {
        long lost = 0;
        lock.lock();
        try {
            while (segments.size() > 1 && segments.peekFirst() != writeSegment
                    && nowMs - segments.peekFirst().lastTime > maxAgeMs) {
                long n = evictOldestLocked("max_age_ms " + maxAgeMs);
                if (n < 0) {
                    break;
                }
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

    private Segment second() {
        var it = segments.iterator();
        it.next();
        return it.next();
    }

    private int flushingBytes() {
        return flushing.position();
    }

    // ---------------------------------------------------------------- sink side

    /**
     * Returns the next durable records after those already polled, waiting up to
     * {@code timeout} for one to appear. Sink thread only. Records stay in the queue until
     * {@link #acknowledge}d; after a restart, polling resumes after the acknowledged ones.
     */
    public List<OutboxRecord> poll(int maxRecords, int maxBytes, long timeout, TimeUnit unit)
            throws InterruptedException, IOException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        lock.lockInterruptibly();
        try {
            if (readSeq < ackedSeq) {
                readSeq = ackedSeq;
                readSegment = null;
            }
            while (readSeq >= durableSeq && !closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return List.of();
                }
                durableAdvanced.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
        List<OutboxRecord> out = new ArrayList<>();
        long bytes = 0;
        long limit = durableSeq;
        while (readSeq < limit && out.size() < maxRecords && bytes < maxBytes) {
            OutboxRecord r = readNext(limit);
            if (r == null) {
                break;
            }
            out.add(r);
            bytes += r.payload().length;
        }
        return out;
    }

    /**
     * Rewinds the sink's read position to the first unacknowledged record, so records
     * polled but not acknowledged are polled again. Sink thread only.
     */
    public void rewind() {
        readSeq = ackedSeq;
        readSegment = null;
    }

    /** Marks every record with a sequence number below {@code uptoExclusive} delivered. */
    public void acknowledge(long uptoExclusive) {
        lock.lock();
        try {
            if (uptoExclusive > ackedSeq) {
                metrics.acknowledged(uptoExclusive - ackedSeq);
                ackedSeq = uptoExclusive;
            }
        } finally {
            lock.unlock();
        }
    }

    private OutboxRecord readNext(long limit) throws IOException {
        while (true) {
            if (readSegment == null || readChannel == null) {
                if (!positionReader(readSeq)) {
                    return null;
                }
            }
            long segmentEnd;
            Segment following;
            lock.lock();
            try {
                segmentEnd = readSegment.bytes;
                following = nextSegmentAfter(readSegment);
            } finally {
                lock.unlock();
            }
            if (readPos >= segmentEnd || readSeq >= readSegment.base + readSegment.records) {
                if (following == null) {
                    if (readSeq < limit) {
                        lostPosition(segmentEnd, limit);
                    }
                    return null;
                }
                readSeq = Math.max(readSeq, following.base);
                openReader(following);
                continue;
            }
            if (readSeq >= limit) {
                return null;
            }
            ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            readFully(readChannel, header, readPos);
            header.flip();
            int len = header.getInt();
            int checksum = header.getInt();
            byte type = header.get();
            long time = header.getLong();
            if (len < 0 || len > limits.maxRecordBytes() || readPos + HEADER_BYTES + len > segmentEnd) {
                skipCorrupt("bad length " + len, following);
                continue;
            }
            byte[] payload = new byte[len];
            readFully(readChannel, ByteBuffer.wrap(payload), readPos + HEADER_BYTES);
            if (checksum(type, time, payload) != checksum) {
                skipCorrupt("checksum mismatch", following);
                continue;
            }
            OutboxRecord r = new OutboxRecord(readSeq, type, time, payload);
            readSeq++;
            readPos += HEADER_BYTES + len;
            return r;
        }
    }

    /**
     * The reader is at the end of what it takes for the last segment although records below
     * {@code limit} are durable: its position disagrees with the log. Not expected — the one
     * known cause, a reader whose segment was deleted or evicted under it, is handled by
     * {@link #nextSegmentAfter} — so this is a safety net for a fault not yet understood:
     * counted ({@code error_type=reader_repositioned}), logged at ERROR (at most every 10 s)
     * with the numbers, and the reader is positioned afresh by sequence number on the next
     * call, so delivery goes on after one empty poll instead of stalling the destination.
     */
    private void lostPosition(long segmentEnd, long limit) {
        long now = System.nanoTime();
        if (now - lastLostPositionLog > TimeUnit.SECONDS.toNanos(10)) {
            lastLostPositionLog = now;
            LOG.error("outbox {}: reader at seq {} byte {} found segment {} ending at byte {} with {} records while "
                    + "{} are durable; repositioning (a bug: please report this line)", destination, readSeq, readPos,
                    readSegment.path.getFileName(), segmentEnd, readSegment.records, limit);
        }
        metrics.repositioned();
        readSegment = null;
    }

    private void skipCorrupt(String why, Segment following) throws IOException {
        long lost = (readSegment.base + readSegment.records) - readSeq;
        metrics.corrupt(Math.max(lost, 1));
        LOG.error("outbox {}: {} in segment {} at byte {}; skipping its remaining {} records",
                destination, why, readSegment.path.getFileName(), readPos, lost);
        if (following == null) {
            readPos = Long.MAX_VALUE;
            readSeq = readSegment.base + readSegment.records;
            return;
        }
        readSeq = following.base;
        openReader(following);
    }

    /**
     * The segment after {@code s} by sequence number; caller holds the lock. By number, not by
     * place in {@link #segments}: the segment the reader is on may already have been removed
     * from the log (deleted as acknowledged, or evicted) while its open channel still reads,
     * and the reader must still find its successor rather than take itself for the log's end.
     */
    private Segment nextSegmentAfter(Segment s) {
        for (Segment candidate : segments) {
            if (candidate.base > s.base) {
                return candidate;
            }
        }
        return null;
    }

    /** Opens the segment holding {@code seq} and skips to it. */
    private boolean positionReader(long seq) throws IOException {
        Segment target = null;
        lock.lock();
        try {
            for (Segment s : segments) {
                if (s.base <= seq) {
                    target = s;
                } else {
                    break;
                }
            }
            if (target == null) {
                target = segments.peekFirst();
            }
        } finally {
            lock.unlock();
        }
        if (target == null) {
            return false;
        }
        openReader(target);
        if (readSeq < target.base) {
            readSeq = target.base;
        }
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (long s = target.base; s < seq && readPos < target.bytes; s++) {
            header.clear();
            readFully(readChannel, header, readPos);
            header.flip();
            readPos += HEADER_BYTES + header.getInt();
        }
        return true;
    }

    private void openReader(Segment s) throws IOException {
        if (readChannel != null) {
            readChannel.close();
        }
        readSegment = s;
        readPos = 0;
        try {
            readChannel = FileChannel.open(s.path, StandardOpenOption.READ);
        } catch (java.nio.file.NoSuchFileException evicted) {
            readChannel = null;
            readSegment = null;
            throw new IOException("outbox " + destination + ": segment " + s.path + " vanished while reading", evicted);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException("unexpected end of segment at byte " + pos);
            }
            pos += n;
        }
    }

    // ---------------------------------------------------------------- state

    /** Records appended and not yet acknowledged. */
    public long depth() {
        return Math.max(0, nextSeqRelaxed() - ackedSeq);
    }

    private long nextSeqRelaxed() {
        lock.lock();
        try {
            return nextSeq;
        } finally {
            lock.unlock();
        }
    }

    /**
     * When the oldest unacknowledged record was appended (epoch ms), or -1 when every record
     * is acknowledged. Records not yet durable count too: while the disk is full they wait in
     * the write buffers, and their age is what shows that delivery has stopped. Any thread;
     * reads one header, scanning forward from where the previous call stopped, so the cost is
     * proportional to what was acknowledged in between.
     */
    public long oldestUnackedMillis() {
        synchronized (probe) {
            long target = ackedSeq;
            if (target >= durableSeq) {
                return oldestNotDurableMillis();
            }
            Segment holder = null;
            lock.lock();
            try {
                for (Segment s : segments) {
                    if (s.base <= target) {
                        holder = s;
                    } else {
                        break;
                    }
                }
            } finally {
                lock.unlock();
            }
            if (holder == null) {
                return -1;
            }
            try {
                if (probe.segment != holder || probe.seq > target) {
                    probe.open(holder);
                }
                ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
                while (probe.pos < holder.bytes) {
                    header.clear();
                    readFully(probe.channel, header, probe.pos);
                    header.flip();
                    int len = header.getInt();
                    header.getInt();
                    header.get();
                    long time = header.getLong();
                    if (probe.seq == target) {
                        return time;
                    }
                    probe.pos += HEADER_BYTES + len;
                    probe.seq++;
                }
                return -1;
            } catch (IOException e) {
                probe.close();
                return -1;
            }
        }
    }

    /** When the oldest record not yet written and synced was appended (epoch ms), -1 when none. */
    private long oldestNotDurableMillis() {
        lock.lock();
        try {
            if (flushingRecords > 0) {
                return flushingFirstTime;
            }
            return pendingRecords > 0 ? pendingFirstTime : -1;
        } finally {
            lock.unlock();
        }
    }

    /** Reads record headers for {@link #oldestUnackedMillis}; guarded by itself. */
    private final class Probe {
        Segment segment;
        FileChannel channel;
        long pos;
        long seq;

        void open(Segment s) throws IOException {
            close();
            channel = FileChannel.open(s.path, StandardOpenOption.READ);
            segment = s;
            pos = 0;
            seq = s.base;
        }

        void close() {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // Read-only probe; nothing to recover.
                }
            }
            channel = null;
            segment = null;
        }
    }

    /** Bytes on disk and buffered. */
    public long bytes() {
        lock.lock();
        try {
            return segmentBytesTotal + pending.position();
        } finally {
            lock.unlock();
        }
    }

    public long acknowledgedSeq() {
        return ackedSeq;
    }

    public long durableSeq() {
        return durableSeq;
    }

    /** Stops accepting appends and wakes waiting threads. The committer flushes what is left. */
    void close() {
        lock.lock();
        try {
            closed = true;
            durableAdvanced.signalAll();
            spaceFreed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Releases file handles. Committer thread, after the final flush. */
    void release() {
        synchronized (probe) {
            probe.close();
        }
        try {
            if (writeChannel != null) {
                writeChannel.close();
            }
            if (readChannel != null) {
                readChannel.close();
            }
        } catch (IOException e) {
            LOG.warn("outbox {}: closing files failed: {}", destination, e.toString());
        }
    }

    // ---------------------------------------------------------------- recovery

    private void recover() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(SEGMENT_SUFFIX)).sorted().toList();
        }
        long acked = readAckFile();
        for (int i = 0; i < files.size(); i++) {
            Path p = files.get(i);
            long base = parseBase(p);
            Segment s = new Segment(base, p);
            scan(s, i == files.size() - 1);
            segments.addLast(s);
            segmentBytesTotal += s.bytes;
        }
        Segment last = segments.peekLast();
        nextSeq = last == null ? Math.max(acked, 0) : Math.max(last.base + last.records, acked);
        ackedSeq = Math.max(acked, segments.isEmpty() ? nextSeq : segments.peekFirst().base);
        if (ackedSeq > nextSeq) {
            ackedSeq = nextSeq;
        }
        durableSeq = nextSeq;
        readSeq = ackedSeq;
        persistedAck = acked;
        if (last != null) {
            writeSegment = last;
            writeChannel = FileChannel.open(last.path, StandardOpenOption.WRITE, StandardOpenOption.READ);
        }
        if (!segments.isEmpty()) {
            LOG.info("outbox {}: recovered {} segments, {} records pending delivery", destination, segments.size(),
                    nextSeq - ackedSeq);
        }
    }

    /** Counts the valid records of a segment; cuts a torn or corrupt tail. */
    private void scan(Segment s, boolean isLast) throws IOException {
        try (FileChannel ch = FileChannel.open(s.path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            long pos = 0;
            long records = 0;
            ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            String fault = null;
            while (pos < size) {
                if (size - pos < HEADER_BYTES) {
                    fault = "torn header";
                    break;
                }
                header.clear();
                readFully(ch, header, pos);
                header.flip();
                int len = header.getInt();
                int checksum = header.getInt();
                byte type = header.get();
                long time = header.getLong();
                if (len < 0 || len > limits.maxRecordBytes() || pos + HEADER_BYTES + len > size) {
                    fault = "torn or bad length " + len;
                    break;
                }
                byte[] payload = new byte[len];
                readFully(ch, ByteBuffer.wrap(payload), pos + HEADER_BYTES);
                if (checksum(type, time, payload) != checksum) {
                    fault = "checksum mismatch";
                    break;
                }
                pos += HEADER_BYTES + len;
                records++;
                s.lastTime = time;
            }
            s.records = records;
            s.bytes = pos;
            if (fault != null) {
                metrics.corrupt(1);
                LOG.warn("outbox {}: {} at byte {} of {} ({} bytes cut); {} valid records kept", destination, fault,
                        pos, s.path.getFileName(), size - pos, records);
                if (isLast) {
                    ch.truncate(pos);
                    ch.force(true);
                }
            }
        }
    }

    private long readAckFile() throws IOException {
        Path p = dir.resolve("ack");
        if (!Files.exists(p)) {
            return -1;
        }
        byte[] bytes = Files.readAllBytes(p);
        if (bytes.length != 12) {
            metrics.corrupt(1);
            LOG.warn("outbox {}: ack file has {} bytes, expected 12; redelivering from the oldest segment",
                    destination, bytes.length);
            return -1;
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long acked = buf.getLong();
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, 8);
        if ((int) crc.getValue() != buf.getInt()) {
            metrics.corrupt(1);
            LOG.warn("outbox {}: ack file checksum mismatch; redelivering from the oldest segment", destination);
            return -1;
        }
        return acked;
    }

    private void forceDirectory() {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // Some file systems cannot sync a directory; the segment's own fsync still holds its data.
            LOG.debug("outbox {}: directory sync not supported: {}", destination, e.toString());
        }
    }

    private static String segmentName(long base) {
        return String.format("%020d%s", base, SEGMENT_SUFFIX);
    }

    private static long parseBase(Path p) throws IOException {
        String name = p.getFileName().toString();
        try {
            return Long.parseLong(name.substring(0, name.length() - SEGMENT_SUFFIX.length()));
        } catch (NumberFormatException e) {
            throw new IOException("unexpected file in outbox directory: " + p, e);
        }
    }

    /** One segment file: the sequence number of its first record, its valid bytes and records. */
    private static final class Segment {
        final long base;
        final Path path;
        volatile long bytes;
        volatile long records;
        volatile long lastTime;

        Segment(long base, Path path) {
            this.base = base;
            this.path = path;
        }
    }
}
