package org.limes.gateway.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.limes.drivers.StoreNames;

/**
 * Makes sure a QuestDB table exists for a measurement with its tags as {@code SYMBOL} columns
 * and deduplication on the designated timestamp plus every tag, so that a redelivered point
 * overwrites the stored one instead of adding a row: the same idempotence InfluxDB gives.
 *
 * <p>A new table is created as
 * {@code CREATE TABLE IF NOT EXISTS m (tag SYMBOL, …, timestamp TIMESTAMP) TIMESTAMP(timestamp)
 * PARTITION BY DAY WAL DEDUP UPSERT KEYS(timestamp, tag, …)}. An existing table that lacks a tag
 * gets {@code ALTER TABLE … ADD COLUMN tag SYMBOL}, and dedup is re-enabled with the full key
 * set (designated timestamp, earlier keys, requested tags). Field columns are left to the line
 * protocol writer, which adds them itself.
 *
 * <p>Measurement and tag names must be names the store can hold ({@link StoreNames#problem}: the
 * one rule for QuestDB and InfluxDB, which the pipeline enforces before a reading reaches the
 * outbox, so this check only guards the SQL spliced here). What has been ensured is
 * remembered in a bounded, least-recently-used map, so the hot path costs no round trip.
 *
 * <p>Threading: safe for concurrent use; {@link #ensure} is serialised, and blocks for the SQL
 * round trips on a cache miss.
 */
public final class QuestDbSchema {

    /** The designated timestamp column that InfluxDB line protocol writes into. */
    public static final String TIMESTAMP_COLUMN = "timestamp";


    private final QuestDbClient client;
    private final Map<String, Set<String>> ensured;

    /**
     * @param client SQL access to the store
     * @param maxCachedTables how many measurements to remember as ensured (at least 1)
     */
    public QuestDbSchema(QuestDbClient client, int maxCachedTables) {
        if (maxCachedTables < 1) {
            throw new IllegalArgumentException("maxCachedTables must be at least 1, got " + maxCachedTables);
        }
        this.client = client;
        this.ensured = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Set<String>> eldest) {
                return size() > maxCachedTables;
            }
        };
    }

    /** A schema manager remembering up to 1024 measurements. */
    public QuestDbSchema(QuestDbClient client) {
        this(client, 1024);
    }

    /**
     * Creates or extends the measurement's table so that every tag is a {@code SYMBOL} column and
     * part of the dedup key. Idempotent.
     *
     * @throws IllegalArgumentException if a name is not one the store can hold
     * @throws UncheckedIOException if QuestDB cannot be reached or rejects the DDL
     */
    public synchronized void ensure(String measurement, Collection<String> tagKeys) {
        requireIdentifier(measurement, "measurement");
        Set<String> tags = new LinkedHashSet<>();
        for (String tag : tagKeys) {
            requireIdentifier(tag, "tag key");
            if (tag.equalsIgnoreCase(TIMESTAMP_COLUMN)) {
                throw new IllegalArgumentException("tag key must not be '" + TIMESTAMP_COLUMN
                        + "', the designated timestamp column, in measurement " + measurement);
            }
            tags.add(tag.toLowerCase(Locale.ROOT));
        }
        String key = measurement.toLowerCase(Locale.ROOT);
        Set<String> known = ensured.get(key);
        if (known != null && known.containsAll(tags)) {
            return;
        }
        try {
            ensured.put(key, reconcile(measurement, tags));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot ensure QuestDB table for measurement " + measurement, e);
        }
    }

    private Set<String> reconcile(String measurement, Set<String> tags) throws IOException {
        if (!client.tableExists(measurement)) {
            String columns = tags.stream().map(t -> quote(t) + " SYMBOL, ").collect(Collectors.joining());
            client.exec("CREATE TABLE IF NOT EXISTS " + quote(measurement) + " (" + columns
                    + quote(TIMESTAMP_COLUMN) + " TIMESTAMP) TIMESTAMP(" + quote(TIMESTAMP_COLUMN)
                    + ") PARTITION BY DAY WAL DEDUP UPSERT KEYS(" + keyList(TIMESTAMP_COLUMN, tags) + ")");
        }
        // Read back even after CREATE: a concurrent line-protocol write may have created the table
        // first, without our dedup keys.
        Set<String> existing = new LinkedHashSet<>();
        Set<String> upsertKeys = new LinkedHashSet<>();
        String designated = TIMESTAMP_COLUMN;
        JsonNode answer = client.exec("SHOW COLUMNS FROM " + quote(measurement));
        int nameAt = columnIndex(answer, "column");
        int designatedAt = columnIndex(answer, "designated");
        int upsertKeyAt = columnIndex(answer, "upsertKey");
        for (JsonNode row : answer.path("dataset")) {
            String column = row.path(nameAt).asText().toLowerCase(Locale.ROOT);
            existing.add(column);
            if (row.path(upsertKeyAt).asBoolean()) {
                upsertKeys.add(column);
            }
            if (row.path(designatedAt).asBoolean()) {
                designated = column;
            }
        }
        Set<String> missing = new LinkedHashSet<>(tags);
        missing.removeAll(existing);
        for (String tag : missing) {
            try {
                client.exec("ALTER TABLE " + quote(measurement) + " ADD COLUMN IF NOT EXISTS " + quote(tag) + " SYMBOL");
            } catch (IOException e) {
                // On a WAL table SHOW COLUMNS (and IF NOT EXISTS) see only applied ALTERs, while the
                // sequencer already knows a pending one and calls it a duplicate: the column is there.
                if (!e.getMessage().contains("duplicate column")) {
                    throw e;
                }
            }
        }
        Set<String> keys = new LinkedHashSet<>(upsertKeys);
        keys.remove(designated);
        keys.addAll(tags);
        if (!upsertKeys.contains(designated) || !upsertKeys.containsAll(tags)) {
            client.exec("ALTER TABLE " + quote(measurement) + " DEDUP ENABLE UPSERT KEYS("
                    + keyList(designated, keys) + ")");
        }
        return keys;
    }

    private static int columnIndex(JsonNode answer, String name) throws IOException {
        JsonNode columns = answer.path("columns");
        for (int i = 0; i < columns.size(); i++) {
            if (name.equals(columns.get(i).path("name").asText())) {
                return i;
            }
        }
        throw new IOException("QuestDB's SHOW COLUMNS answer has no '" + name + "' column: " + columns);
    }

    private static String keyList(String designated, Set<String> tags) {
        StringBuilder keys = new StringBuilder(quote(designated));
        for (String tag : tags) {
            keys.append(", ").append(quote(tag));
        }
        return keys.toString();
    }

    private static String quote(String identifier) {
        return '"' + identifier + '"';
    }

    /** Rejects names the store cannot hold, which are also those unsafe to splice into SQL. */
    static void requireIdentifier(String name, String what) {
        String problem = StoreNames.problem(name);
        if (problem != null) {
            throw new IllegalArgumentException(what + " " + (name == null ? "null" : "'" + name + "'") + ": " + problem);
        }
    }
}
