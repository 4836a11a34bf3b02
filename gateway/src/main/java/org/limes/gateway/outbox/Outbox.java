package org.limes.gateway.outbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable queue of one destination: a log of segment files on disk with its own
 * acknowledged position. This class is the facade: it owns the lock and the waiting; the
 * work is done by one class per owner, as in the disk buffers of logging pipelines.
 *
 * <pre>
 * append ─► OutboxWriter (buffers; committer: write + fsync) ─► Segment files ─► OutboxReader ─► poll
 *           RecordCodec lays out each record; AckFile keeps the acknowledged position
 *           SegmentLog: the segments and the positions next ≥ durable ≥ acked, under the lock
 *           OutboxRecovery rebuilds it all at open; AgeProbe tells the oldest record's age
 * </pre>
 * The record layout is documented on {@link RecordCodec}, the file naming on {@link Segment}; the
 * acknowledged position lives in {@code ack}, replaced atomically ({@link AckFile}).
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
    private static final long WAIT_LOG_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final String destination;
    private final Path dir;
    private final OutboxLimits limits;
    private final OutboxMetrics metrics;
    private final Clock clock;
    private final EvictionListener evictionListener;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition durableAdvanced = lock.newCondition();
    private final Condition spaceFreed = lock.newCondition();
    private volatile Runnable onDurable = () -> { };
    private volatile Runnable onAppend = () -> { };

    // Guarded by lock (SegmentLog's positions may also be read lock-free).
    private final SegmentLog log;
    private boolean closed;
    // One per owner: the committer (and appends, under the lock); the sink thread; any thread.
    private final OutboxWriter writer;
    private final OutboxReader reader;
    private final AgeProbe probe;

    private Outbox(String destination, Path dir, OutboxLimits limits, OutboxMetrics metrics, Clock clock,
            EvictionListener evictionListener, DiskWrites disk) throws IOException {
        this.destination = destination;
        this.dir = dir;
        this.limits = limits;
        this.metrics = metrics;
        this.clock = clock;
        this.evictionListener = evictionListener;
        AckFile ackFile = new AckFile(dir, destination, metrics, disk);
        OutboxRecovery.Recovered recovered =
                new OutboxRecovery(destination, dir, limits.maxRecordBytes(), metrics).recover(ackFile);
        this.log = new SegmentLog(destination, metrics, recovered);
        this.writer = new OutboxWriter(destination, dir, limits, metrics, evictionListener, disk, ackFile, lock,
                durableAdvanced, spaceFreed, log, recovered.persistedAck());
        this.reader = new OutboxReader(destination, limits.maxRecordBytes(), metrics, lock, log, log.ackedSeq());
        this.probe = new AgeProbe(lock, log, writer);
    }

    /** Opens (or creates) the queue in {@code dir}, recovering from whatever a crash left. */
    public static Outbox open(String destination, Path dir, OutboxLimits limits, OutboxMetrics metrics)
            throws IOException {
        return open(destination, dir, limits, metrics, Clock.systemUTC(), EvictionListener.NONE);
    }

    /** As above; {@code clock} stamps appended records, {@code evictionListener} hears of each record lost. */
    public static Outbox open(String destination, Path dir, OutboxLimits limits, OutboxMetrics metrics, Clock clock,
            EvictionListener evictionListener) throws IOException {
        return open(destination, dir, limits, metrics, clock, evictionListener, DiskWrites.DIRECT);
    }

    /** As above, writing through {@code disk} (a test's full disk). */
    static Outbox open(String destination, Path dir, OutboxLimits limits, OutboxMetrics metrics, Clock clock,
            EvictionListener evictionListener, DiskWrites disk) throws IOException {
        Files.createDirectories(dir);
        Outbox outbox = new Outbox(destination, dir, limits, metrics, clock, evictionListener, disk);
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

    // ---------------------------------------------------------------- any thread: append

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
        int size = RecordCodec.recordBytes(payload);
        if (payload.length > limits.maxRecordBytes()) {
            throw new IllegalArgumentException("record of " + payload.length + " bytes exceeds max_record_bytes "
                    + limits.maxRecordBytes() + " of outbox " + destination);
        }
        long time = clock.millis();
        int checksum = RecordCodec.checksum(type, time, payload);
        long waitingSince = 0;
        long evictedNow = 0;
        boolean appended = false;
        lock.lockInterruptibly();
        try {
            while (true) {
                if (closed) {
                    throw new IllegalStateException("outbox " + destination + " is closed");
                }
                boolean bufferHasRoom = writer.hasRoomLocked(size);
                boolean queueHasRoom = log.bytes() + writer.bufferedLocked() + size <= limits.maxBytes();
                if (!queueHasRoom) {
                    long lost = log.evictOldest("max_bytes " + limits.maxBytes());
                    if (lost >= 0) {
                        spaceFreed.signalAll();
                    }
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
            writer.putLocked(checksum, type, time, payload);
            long seq = log.claimSeq();
            metrics.appended(type);
            appended = true;
            return seq;
        } finally {
            lock.unlock();
            if (appended) {
                onAppend.run();
            }
            if (evictedNow > 0) {
                evictionListener.evicted(destination, evictedNow);
            }
        }
    }

    /** Runs {@code listener} after every append (the committer's wake-up). One listener; another replaces it. */
    void onAppend(Runnable listener) {
        onAppend = listener;
    }

    /** Whether records wait in the write buffer for the committer. */
    boolean hasBuffered() {
        lock.lock();
        try {
            return writer.bufferedLocked() > 0;
        } finally {
            lock.unlock();
        }
    }

    /** Sequence number the next append will get. */
    public long nextSeq() {
        lock.lock();
        try {
            return log.nextSeq();
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- committer thread

    /**
     * Runs {@code listener} on the committer thread each time records become durable, and once
     * when the outbox closes: how the queue reading this outbox and another one ({@link
     * DestinationQueue}: a destination's alerts and readings) hears of either while it waits.
     * Must be quick and must not block. One listener; setting another replaces it.
     */
    public void onDurable(Runnable listener) {
        this.onDurable = java.util.Objects.requireNonNull(listener, "listener");
    }

    /** Group commit of this outbox ({@link OutboxWriter#flush}); true when records became durable. */
    boolean flush() throws IOException {
        boolean wrote = writer.flush();
        if (wrote) {
            onDurable.run();
        }
        return wrote;
    }

    /** Persists the acknowledged position and deletes wholly acknowledged segments ({@link OutboxWriter}). */
    void persistAcknowledged() throws IOException {
        writer.persistAcknowledged();
    }

    /** Evicts whole segments older than {@code maxAgeMs}; returns the undelivered records lost. */
    long expire(long nowMs, long maxAgeMs) {
        return writer.expire(nowMs, maxAgeMs);
    }

    // ---------------------------------------------------------------- sink thread

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
            reader.skipAcknowledged(log.ackedSeq());
            while (reader.position() >= log.durableSeq() && !closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return List.of();
                }
                durableAdvanced.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
        return reader.read(maxRecords, maxBytes, log.durableSeq());
    }

    /**
     * Waits up to {@code nanos} until at least {@code records} durable records lie after those
     * already polled (or the outbox closes); returns how many lie there now. Sink thread only:
     * the linger of a sink that would rather write one larger batch than several small ones.
     */
    public long awaitUnread(long records, long nanos) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            reader.skipAcknowledged(log.ackedSeq());
            long left = nanos;
            while (log.durableSeq() - reader.position() < records && !closed && left > 0) {
                left = durableAdvanced.awaitNanos(left);
            }
            return Math.max(0, log.durableSeq() - reader.position());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Rewinds the sink's read position to the first unacknowledged record, so records
     * polled but not acknowledged are polled again. Sink thread only.
     */
    public void rewind() {
        reader.rewind(log.ackedSeq());
    }

    /** Marks every record with a sequence number below {@code uptoExclusive} delivered. */
    public void acknowledge(long uptoExclusive) {
        lock.lock();
        try {
            long acked = log.ackedSeq();
            if (uptoExclusive > acked) {
                metrics.acknowledged(uptoExclusive - acked);
                log.acked(uptoExclusive);
            }
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- state, any thread

    /** Records appended and not yet acknowledged. */
    public long depth() {
        return Math.max(0, nextSeq() - log.ackedSeq());
    }

    /**
     * When the oldest unacknowledged record was appended (epoch ms), or -1 when every record
     * is acknowledged; records still in the write buffers count too. Any thread ({@link AgeProbe}).
     */
    public long oldestUnackedMillis() {
        return probe.oldestUnackedMillis();
    }

    /** Bytes on disk and buffered. */
    public long bytes() {
        lock.lock();
        try {
            return log.bytes() + writer.pendingLocked();
        } finally {
            lock.unlock();
        }
    }

    public long acknowledgedSeq() {
        return log.ackedSeq();
    }

    public long durableSeq() {
        return log.durableSeq();
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
        onDurable.run();
    }

    /** Releases file handles. Committer thread, after the final flush. */
    void release() {
        probe.close();
        writer.release();
        reader.release();
    }
}
