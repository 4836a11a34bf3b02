package org.limes.gateway.outbox;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Finds when the oldest unacknowledged record of one outbox was appended, for the
 * {@code oldest.unacked} gauge and readiness. Records not yet durable count too: while the
 * disk is full they wait in the write buffers, and their age is what shows that delivery has
 * stopped.
 *
 * <p>It keeps its own read-only channel and reads one header per record, scanning forward
 * from where the previous call stopped, so the cost is proportional to what was acknowledged
 * in between; it never moves the sink's read position.
 *
 * <p>Threading: any thread; guarded by itself. It takes the outbox's lock briefly to look the
 * segment up and to ask the writer about its buffers.
 */
final class AgeProbe {

    private final ReentrantLock lock;
    private final SegmentLog log;
    private final OutboxWriter writer;

    private Segment segment;
    private FileChannel channel;
    private long pos;
    private long seq;

    AgeProbe(ReentrantLock lock, SegmentLog log, OutboxWriter writer) {
        this.lock = lock;
        this.log = log;
        this.writer = writer;
    }

    /** When the oldest unacknowledged record was appended (epoch ms), or -1 when every record is acknowledged. */
    synchronized long oldestUnackedMillis() {
        long target = log.ackedSeq();
        if (target >= log.durableSeq()) {
            lock.lock();
            try {
                return writer.oldestBufferedLocked();
            } finally {
                lock.unlock();
            }
        }
        Segment holder;
        lock.lock();
        try {
            holder = log.holding(target);
        } finally {
            lock.unlock();
        }
        if (holder == null) {
            return -1;
        }
        try {
            if (segment != holder || seq > target) {
                open(holder);
            }
            while (pos < holder.bytes) {
                RecordCodec.Header h = RecordCodec.readHeader(channel, pos);
                if (seq == target) {
                    return h.time();
                }
                pos += h.recordBytes();
                seq++;
            }
            return -1;
        } catch (IOException e) {
            close();
            return -1;
        }
    }

    private void open(Segment s) throws IOException {
        close();
        channel = FileChannel.open(s.path, StandardOpenOption.READ);
        segment = s;
        pos = 0;
        seq = s.base;
    }

    /** Closes its channel; the next call opens it again. */
    synchronized void close() {
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
