package org.limes.gateway.sink.influx;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The line shapes (measurement and tag keys) the store has been prepared for, so that a line
 * of a known shape costs one scan of its bytes and no allocation: its shape key (the raw,
 * still-escaped measurement and tag keys, tag values skipped) is looked up in an
 * open-addressing table. Only a shape not seen yet is parsed ({@link LineShape}) and handed to
 * {@link StoreSchema#ensure}, and remembered once that succeeded.
 *
 * <p>Bounded: at most {@code capacity} shapes. When a new shape finds it full, everything is
 * forgotten (counted in {@link #resets}, logged): the next line of each shape asks the schema
 * again, which is idempotent and itself caches, so forgetting costs time, never correctness.
 *
 * <p>Threading: not thread-safe; owned by the sink's drainer thread.
 */
final class KnownShapes {

    private static final Logger LOG = LoggerFactory.getLogger(KnownShapes.class);

    private final StoreSchema schema;
    private final int capacity;
    private final int mask;
    private final byte[][] keys;
    private final int[] hashes;
    private byte[] scratch = new byte[256];
    private int size;
    private long resets;

    /** @param capacity how many shapes to remember (at least 1) */
    KnownShapes(StoreSchema schema, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.schema = schema;
        this.capacity = capacity;
        int slots = Integer.highestOneBit(capacity * 2 - 1) << 1;
        this.mask = slots - 1;
        this.keys = new byte[slots][];
        this.hashes = new int[slots];
    }

    /**
     * Makes sure the store is prepared for the shape of {@code line}: nothing for a known shape,
     * {@link StoreSchema#ensure} for a new one.
     */
    void prepare(byte[] line) throws IOException {
        int length = shapeKey(line);
        int hash = hash(scratch, length);
        int slot = hash & mask;
        while (keys[slot] != null) {
            if (hashes[slot] == hash && Arrays.equals(keys[slot], 0, keys[slot].length, scratch, 0, length)) {
                return;
            }
            slot = (slot + 1) & mask;
        }
        LineShape shape = LineShape.of(new String(line, StandardCharsets.UTF_8));
        schema.ensure(shape.measurement(), shape.tagKeys());
        if (size == capacity) {
            resets++;
            LOG.warn("Store sink: more than {} line shapes (measurement and tag keys) seen; forgot them all "
                    + "(reset {}), each will be prepared again on its next line", capacity, resets);
            Arrays.fill(keys, null);
            size = 0;
            slot = hash & mask;
        }
        keys[slot] = Arrays.copyOf(scratch, length);
        hashes[slot] = hash;
        size++;
    }

    /** How many times the table was full and forgotten. */
    long resets() {
        return resets;
    }

    /** How many shapes are remembered. */
    int size() {
        return size;
    }

    /**
     * Writes the shape key of {@code line} into {@link #scratch}: the measurement, then for every
     * tag a comma and its key, all as escaped in the line (so the key is unambiguous); returns
     * its length.
     */
    private int shapeKey(byte[] line) {
        int n = 0;
        boolean copying = true;
        boolean inKey = false;
        for (int i = 0; i < line.length; i++) {
            byte c = line[i];
            if (c == '\\' && i + 1 < line.length) {
                if (copying) {
                    n = put(n, c);
                    n = put(n, line[i + 1]);
                }
                i++;
                continue;
            }
            if (c == ' ' || c == '\n') {
                break;
            }
            if (c == ',') {
                n = put(n, c);
                copying = true;
                inKey = true;
                continue;
            }
            if (c == '=' && inKey) {
                copying = false;
                inKey = false;
                continue;
            }
            if (copying) {
                n = put(n, c);
            }
        }
        return n;
    }

    private int put(int n, byte b) {
        if (n == scratch.length) {
            scratch = Arrays.copyOf(scratch, n * 2);
        }
        scratch[n] = b;
        return n + 1;
    }

    private static int hash(byte[] bytes, int length) {
        int h = 1;
        for (int i = 0; i < length; i++) {
            h = 31 * h + bytes[i];
        }
        return h ^ (h >>> 16);
    }
}
