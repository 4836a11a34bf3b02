package org.limes.gateway.outbox;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A disk that can be filled: while full, a write puts down the first half of what it is
 * given (a short write, as the kernel does when the last blocks run out) and then fails with
 * ENOSPC's message. Everything else goes to the real file.
 */
final class FullDisk implements DiskWrites {

    private volatile boolean full;
    private int failures;

    void fill() {
        full = true;
    }

    void free() {
        full = false;
    }

    int failures() {
        return failures;
    }

    @Override
    public int write(FileChannel channel, ByteBuffer src, long position) throws IOException {
        if (!full) {
            return channel.write(src, position);
        }
        failures++;
        if (src.remaining() > 1) {
            ByteBuffer half = src.duplicate();
            half.limit(src.position() + src.remaining() / 2);
            int n = channel.write(half, position);
            src.position(src.position() + n);
        }
        throw new IOException("No space left on device");
    }
}
