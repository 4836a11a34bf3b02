package org.limes.gateway.picture;

import java.util.Set;
import org.limes.gateway.config.Require;

/**
 * What happens to the pictures that come with camera reads (Hikvision ANPR pushes): the
 * {@code pictures:} section.
 *
 * <pre>
 * pictures:
 *   policy: keep            # drop (default) | keep
 *   directory: /var/lib/limes/pictures   # default: &lt;data_dir&gt;/pictures
 *   max_bytes: 2147483648   # all kept pictures together; the oldest reads are evicted beyond it
 *   max_reads: 100000       # reads kept (a read is the directory of one plate read's pictures)
 *   max_age: 7d             # retention: older reads are deleted
 * </pre>
 *
 * @param policy    {@code drop}: pictures are counted and discarded; {@code keep}: written to
 *                  the directory and referenced from the reading's {@code picture_ref} field
 * @param directory where kept pictures go, or null for {@code <data_dir>/pictures}
 * @param maxBytes  the most bytes of pictures kept, 1 MiB or more
 * @param maxReads  the most reads kept
 * @param maxAge    how long a read's pictures are kept, as a duration ({@code 7d})
 */
public record PictureConfig(String policy, String directory, Long maxBytes, Integer maxReads, String maxAge) {

    public static final String DROP = "drop";
    public static final String KEEP = "keep";
    private static final long DEFAULT_MAX_AGE_MS = 7 * 86_400_000L;
    private static final long MIN_AGE_MS = 60_000L;
    private static final long MAX_AGE_MS = 3_650 * 86_400_000L;

    public PictureConfig {
        policy = Require.oneOf("policy", policy, DROP, Set.of(DROP, KEEP));
        if (directory != null) {
            Require.nonBlank("directory", directory);
        }
        maxBytes = Require.range("max_bytes", maxBytes, 1L << 30, 1L << 20, Long.MAX_VALUE);
        maxReads = (int) Require.range("max_reads", maxReads, 100_000, 1, 10_000_000);
        Require.duration("max_age", maxAge, DEFAULT_MAX_AGE_MS, MIN_AGE_MS, MAX_AGE_MS);
    }

    public static PictureConfig defaults() {
        return new PictureConfig(null, null, null, null, null);
    }

    /** Whether pictures are kept. */
    public boolean keep() {
        return KEEP.equals(policy);
    }

    /** {@link #maxAge} in milliseconds. */
    public long maxAgeMs() {
        return Require.duration("max_age", maxAge, DEFAULT_MAX_AGE_MS, MIN_AGE_MS, MAX_AGE_MS);
    }
}
