package org.limes.simulator.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.limes.gateway.embedded.QuestDbClient;
import org.limes.gateway.embedded.QuestDbSchema;

/**
 * {@code --store external}: QuestDB in a child JVM of its own ({@link StoreMain}, started with
 * the bench's own class path, which holds the gateway's QuestDB), on a free loopback port, its
 * data in a folder of the bench. The gateway writes to it as to an InfluxDB 2.x server
 * ({@code store.kind: influxdb}, QuestDB's {@code /api/v2/write}); the bench counts rows through
 * its {@code /exec} and reads its CPU time and resident set from {@code /proc}.
 *
 * <p>The embedded store creates each table itself with {@code DEDUP UPSERT KEYS} on the timestamp
 * and every tag ({@link QuestDbSchema}); writing as InfluxDB, the gateway leaves that to the
 * store, whose line-protocol writer would create the table without deduplication. So that the
 * external store does the same work per row as the embedded one, {@link #deduplicateLikeEmbedded}
 * gives a table the embedded store's keys once it exists.
 *
 * <p>Threading: one caller at a time; {@link #close} stops the child (its standard input closed,
 * then SIGTERM, then kill) and is registered with {@link ChildProcesses} until then.
 */
public final class StoreProcess implements AutoCloseable {

    private static final long START_TIMEOUT_MS = 120_000;
    private static final long STOP_TIMEOUT_MS = 30_000;
    private static final Duration SIGTERM_GRACE = Duration.ofSeconds(10);

    private final Process process;
    private final int port;
    private final Path log;

    private StoreProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * Starts the store with its files in {@code dir} and blocks until it accepts requests.
     *
     * @param javaOptions extra JVM options for the child, e.g. {@code -Xmx256m}
     * @throws IllegalStateException when it exits or does not come up in time, quoting its log
     */
    public static StoreProcess start(Path dir, List<String> javaOptions) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path portFile = dir.resolve("store.port");
        Files.deleteIfExists(portFile);
        Path log = dir.resolve("store.log");
        List<String> command = ChildProcesses.javaCommand(javaOptions, StoreMain.class.getName(),
                List.of(dir.resolve("questdb").toAbsolutePath().toString(), portFile.toAbsolutePath().toString()));
        // Standard input stays a pipe to this JVM: its end is the child's signal to stop.
        Process process = ChildProcesses.start(new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile()));
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
        try {
            while (!Files.exists(portFile)) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("the external store (QuestDB) did not start"
                            + (process.isAlive() ? " within " + START_TIMEOUT_MS / 1000 + " s" : ", exit code "
                            + process.exitValue()) + ": " + ChildProcesses.tail(log));
                }
                TimeUnit.MILLISECONDS.sleep(50);
            }
            int port = Integer.parseInt(Files.readString(portFile, StandardCharsets.US_ASCII).strip());
            return new StoreProcess(process, port, log);
        } catch (IOException | RuntimeException | InterruptedException e) {
            stop(process);
            throw e;
        }
    }

    /**
     * Writes the token a gateway sends to the store into {@code file}, owner-only as the gateway
     * asks of a secret file: QuestDB ignores it, the gateway requires one, and never inline.
     *
     * @return {@code file}
     */
    public static Path writeToken(Path file) throws IOException {
        Files.writeString(file, "limes-bench\n", StandardCharsets.UTF_8);
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the gateway's check does not apply either
        }
        return file;
    }

    /** The store's HTTP URL, for the gateway's {@code store.url}. */
    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The child's combined output. */
    public Path log() {
        return log;
    }

    /** CPU time the store's JVM has spent so far, µs; -1 when unreadable. */
    public long cpuMicros() {
        return ProcStat.processCpuMicros(process.pid());
    }

    /**
     * Gives {@code table} the embedded store's deduplication: upsert keys on its designated
     * timestamp and every {@code SYMBOL} column (the line protocol's tags).
     *
     * @return the tag columns keyed, lower case
     * @throws IOException when the store does not answer or has no such table
     */
    public List<String> deduplicateLikeEmbedded(String table) throws IOException {
        QuestDbClient client = new QuestDbClient(url());
        JsonNode answer = client.exec("SHOW COLUMNS FROM \"" + table + "\"");
        int nameAt = -1;
        int typeAt = -1;
        JsonNode columns = answer.path("columns");
        for (int i = 0; i < columns.size(); i++) {
            String name = columns.get(i).path("name").asText();
            if (name.equals("column")) {
                nameAt = i;
            } else if (name.equals("type")) {
                typeAt = i;
            }
        }
        if (nameAt < 0 || typeAt < 0) {
            throw new IOException("QuestDB's SHOW COLUMNS answer has no column or type: " + columns);
        }
        List<String> tags = new ArrayList<>();
        for (JsonNode row : answer.path("dataset")) {
            if (row.path(typeAt).asText().equalsIgnoreCase("SYMBOL")) {
                tags.add(row.path(nameAt).asText().toLowerCase(Locale.ROOT));
            }
        }
        try {
            new QuestDbSchema(client).ensure(table, tags);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return tags;
    }

    @Override
    public void close() {
        stop(process);
    }

    private static void stop(Process process) {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // already closed: SIGTERM below
        }
        try {
            process.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // Gone by now, or stopped: SIGTERM, or SIGKILL when interrupted.
        ChildProcesses.stop(process, Thread.currentThread().isInterrupted() ? Duration.ZERO : SIGTERM_GRACE);
    }
}
