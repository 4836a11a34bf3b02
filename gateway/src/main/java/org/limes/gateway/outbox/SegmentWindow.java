package org.limes.gateway.outbox;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A read-ahead window over the segment a sink reads: one {@code pread} fills up to its
 * capacity, and the records in them are copied out of the buffer, where reading
 * each record straight from the channel took two system calls (its header, then its payload)
 * and a copy through a temporary direct buffer per record.
 *
 * <p>Only bytes below the {@code end} a read is given are fetched: in a segment those are
 * written in full and never change (segments are append-only; one that is deleted or evicted
 * under the reader stays readable through its open channel), so what the window holds stays
 * true for as long as it is over the same channel. {@link #over} points it at another channel
 * and empties it. A read larger than the window goes to the channel directly.
 *
 * <p>Threading: the reader's thread only, like the {@link OutboxReader} that owns it.
 */
final class SegmentWindow implements RecordCodec.Source {

    private final ByteBuffer buffer;
    private FileChannel channel;
    /** The file position of {@code buffer}'s byte 0; what the buffer holds ends at its limit. */
    private long start;

    SegmentWindow(int capacity) {
        this.buffer = ByteBuffer.allocate(capacity);
        this.buffer.limit(0);
    }

    /** Reads from {@code channel} from now on; what the window held is dropped. */
    void over(FileChannel channel) {
        this.channel = channel;
        this.start = 0;
        buffer.limit(0);
    }

    @Override
    public void readFully(ByteBuffer dst, long position, long end) throws IOException {
        int n = dst.remaining();
        if (position < start || position + n > start + buffer.limit()) {
            if (n > buffer.capacity()) {
                RecordCodec.readFully(channel, dst, position);
                return;
            }
            fill(position, Math.max(n, (int) Math.min(buffer.capacity(), end - position)));
        }
        int from = (int) (position - start);
        dst.put(buffer.array(), from, n);
    }

    private void fill(long position, int bytes) throws IOException {
        buffer.clear().limit(bytes);
        start = position;
        try {
            RecordCodec.readFully(channel, buffer, position);
        } catch (IOException e) {
            buffer.limit(0);
            throw e;
        }
        buffer.flip();
    }
}
