package org.limes.drivers.sapient;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;

/**
 * ULIDs for the ids SAPIENT requires of a message the gateway writes (report ids, alert ids):
 * 48 bits of milliseconds and 80 bits taken from a SHA-256 of a stable key, in Crockford's
 * base 32 (26 characters). The same time and key give the same ULID, so re-encoding a
 * reading, or re-sending an alert after a crash, repeats its id. Thread-safe.
 */
public final class Ulids {

    private static final char[] CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();

    private Ulids() {
    }

    /** The ULID of {@code key} at {@code time} (milliseconds before 1970 or after 10889 are clamped). */
    public static String of(Instant time, String key) {
        long ms = Math.max(0, Math.min(time.toEpochMilli(), (1L << 48) - 1));
        byte[] hash;
        try {
            hash = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
        char[] out = new char[26];
        for (int i = 9; i >= 0; i--) {
            out[i] = CROCKFORD[(int) (ms & 31)];
            ms >>>= 5;
        }
        // 80 bits = 16 groups of 5, from the first 10 bytes of the hash
        long hi = 0;
        for (int i = 0; i < 5; i++) {
            hi = hi << 8 | (hash[i] & 0xff);
        }
        long lo = 0;
        for (int i = 5; i < 10; i++) {
            lo = lo << 8 | (hash[i] & 0xff);
        }
        for (int i = 17; i >= 10; i--) {
            out[i] = CROCKFORD[(int) (hi & 31)];
            hi >>>= 5;
        }
        for (int i = 25; i >= 18; i--) {
            out[i] = CROCKFORD[(int) (lo & 31)];
            lo >>>= 5;
        }
        return new String(out);
    }
}
