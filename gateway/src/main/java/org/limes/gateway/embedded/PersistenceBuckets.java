package org.limes.gateway.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * How many buckets HiveMQ CE's file persistence is opened with: each bucket is a RocksDB database
 * (the publish payload and retained message stores) or a Xodus environment (client sessions,
 * subscriptions, queues) with native and heap memory of its own, which is why the embedded broker
 * uses {@link #FRESH} instead of HiveMQ's 64.
 *
 * <p>HiveMQ finds an entry in bucket {@code hash % count} and keeps no record of the count a data
 * folder was written with: opened with fewer buckets, the entries in the others would be silently
 * unreachable. So a data folder keeps the count it was written with ({@link #of}), and only a fresh
 * one gets {@link #FRESH}.
 *
 * @param sessions  the count for sessions, subscriptions, queues and retained messages
 *                  ({@code InternalConfigurations.PERSISTENCE_BUCKET_COUNT})
 * @param payloads  the count for the publish payload store
 *                  ({@code InternalConfigurations.PAYLOAD_PERSISTENCE_BUCKET_COUNT})
 */
record PersistenceBuckets(int sessions, int payloads) {

    /**
     * Buckets for a data folder HiveMQ has not written yet. Measured 2026-12-06 (an idle HiveMQ CE
     * 2025.5 with {@code -Xmx192m}): 64 buckets, 283 MB resident; 4 buckets, 236 MB; in-memory
     * persistence, 221 MB. HiveMQ runs one single-writer queue per bucket up to its writer threads
     * (one per core), so 4 buckets keep a 4-core host's writers busy.
     */
    static final int FRESH = 4;

    /** The payload store's folder under {@code persistence/}; every other store counts for {@link #sessions}. */
    private static final String PAYLOAD_STORE = "publish_payload_store";

    /** {@code persistence/<store>/<version>/<store>_<bucket>}. */
    private static final Pattern BUCKET = Pattern.compile("(.+)_(\\d{1,6})");

    PersistenceBuckets {
        if (sessions < 1 || payloads < 1) {
            throw new IllegalArgumentException("bucket counts must be positive, got " + sessions + " and " + payloads);
        }
    }

    /**
     * The bucket counts for HiveMQ's data folder {@code hiveData} (the one holding
     * {@code persistence/}): the counts its stores were written with, or {@link #FRESH} for a store
     * that has no buckets yet.
     */
    static PersistenceBuckets of(Path hiveData) {
        Path persistence = hiveData.resolve("persistence");
        int sessions = 0;
        int payloads = 0;
        if (Files.isDirectory(persistence)) {
            try (Stream<Path> stores = Files.list(persistence)) {
                for (Path store : stores.filter(Files::isDirectory).toList()) {
                    int written = writtenBuckets(store);
                    if (PAYLOAD_STORE.equals(store.getFileName().toString())) {
                        payloads = Math.max(payloads, written);
                    } else {
                        sessions = Math.max(sessions, written);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read HiveMQ's persistence folder " + persistence, e);
            }
        }
        return new PersistenceBuckets(sessions == 0 ? FRESH : sessions, payloads == 0 ? FRESH : payloads);
    }

    /** The highest bucket number + 1 in any version folder of {@code store}, or 0 when there is none. */
    private static int writtenBuckets(Path store) throws IOException {
        String name = store.getFileName().toString();
        int count = 0;
        try (Stream<Path> versions = Files.list(store)) {
            for (Path version : versions.filter(Files::isDirectory).toList()) {
                try (Stream<Path> buckets = Files.list(version)) {
                    for (Path bucket : buckets.toList()) {
                        Matcher m = BUCKET.matcher(bucket.getFileName().toString());
                        if (m.matches() && m.group(1).equals(name) && Files.isDirectory(bucket)) {
                            count = Math.max(count, Integer.parseInt(m.group(2)) + 1);
                        }
                    }
                }
            }
        }
        return count;
    }
}
