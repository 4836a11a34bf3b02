package org.limes.gateway.outbox;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * How an {@link Outbox} puts bytes into its files (segments, by {@link OutboxWriter}, and the
 * {@code ack} file, by {@link AckFile}): one positional write, as
 * {@link FileChannel#write(ByteBuffer, long)}. The production value is
 * {@link #DIRECT}; a test substitutes one that fails part-way like a full disk, which a unit
 * test cannot otherwise produce without root.
 *
 * <p>Threading: called on the committer thread only. It must write at {@code position} and
 * advance {@code src} by what it wrote, or throw; it must not buffer or retry.
 */
@FunctionalInterface
interface DiskWrites {

    DiskWrites DIRECT = (channel, src, position) -> channel.write(src, position);

    int write(FileChannel channel, ByteBuffer src, long position) throws IOException;
}
