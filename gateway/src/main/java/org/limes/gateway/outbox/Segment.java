package org.limes.gateway.outbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * One segment file of an outbox: the sequence number of its first record (its {@code base}),
 * its path, and how many valid bytes and records it holds. Segment files are named by their
 * base ({@code 00000000000000001234.seg}), zero-padded so that the directory listing sorts
 * them in sequence order. The records themselves are laid out by {@link RecordCodec}.
 *
 * <p>Threading: {@code base} and {@code path} never change. The counters are set by
 * recovery before the outbox opens and grown by the committer thread (under the outbox's
 * lock) after each synced write; any thread may read them, and what they count is on disk.
 * Bytes past {@link #bytes} may be a write in progress and are never read.
 */
final class Segment {

    static final String SUFFIX = ".seg";

    final long base;
    final Path path;
    volatile long bytes;
    volatile long records;
    /** When the newest record was appended (epoch ms): the segment's age for {@code max_age_ms}. */
    volatile long lastTime;

    Segment(long base, Path path) {
        this.base = base;
        this.path = path;
    }

    /** A new, empty segment starting at {@code base} in {@code dir}. */
    static Segment create(Path dir, long base) {
        return new Segment(base, dir.resolve(name(base)));
    }

    /** The sequence number after its last record. */
    long endSeq() {
        return base + records;
    }

    static String name(long base) {
        return String.format("%020d%s", base, SUFFIX);
    }

    static long parseBase(Path p) throws IOException {
        String name = p.getFileName().toString();
        try {
            return Long.parseLong(name.substring(0, name.length() - SUFFIX.length()));
        } catch (NumberFormatException e) {
            throw new IOException("unexpected file in outbox directory: " + p, e);
        }
    }

    /** The segment files in {@code dir}, oldest first. */
    static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(SUFFIX)).sorted().toList();
        }
    }

    @Override
    public String toString() {
        return path.getFileName() + " (" + records + " records, " + bytes + " bytes)";
    }
}
