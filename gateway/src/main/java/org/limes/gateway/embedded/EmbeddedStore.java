package org.limes.gateway.embedded;

import io.questdb.ServerMain;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded time-series store: QuestDB running in this JVM, serving only its HTTP endpoint,
 * which accepts the InfluxDB v2 line-protocol write API ({@code POST /api/v2/write}) and SQL
 * ({@code GET /exec}). With it the gateway's one InfluxDB writer works without an external
 * InfluxDB.
 *
 * <p>{@link #start} writes {@code <root>/conf/server.conf} on every start: HTTP on
 * {@code host:port}; PostgreSQL wire, ILP over TCP and UDP, the "min" health server, telemetry,
 * metrics and materialised views off; small worker pools for a two-core edge box, whose idle
 * workers nap after 20 empty polls instead of spinning through 7,000 (QuestDB's default, made for
 * servers with cores to spare: here three spinning workers took the cores the pipeline needed);
 * 1 MiB append
 * pages instead of QuestDB's 16 MiB, because QuestDB reserves one page on disk per column of every
 * table it writes (the demo's store peaked at 875 MiB on disk with the default, 64 MiB with these).
 * Memory, for a gateway that must fit in 384 MB with 10,000 devices streaming: 256 KiB HTTP receive
 * and send buffers per connection instead of 2 MiB each (the store's writes stream through them;
 * they are not a size limit), SQL compiler object pools that start at a few hundred entries
 * instead of thousands (QuestDB pre-fills them per compiler, one per worker: about 60 MB of the
 * gateway's live heap with its defaults; they grow on demand), and a 64-record log queue with a
 * 64 KiB file buffer instead of 4 MiB each (the log holds errors only).
 * It also writes
 * {@code <root>/conf/log.conf} (unless an operator replaced Limes's copy): QuestDB's errors and
 * advisories, not its per-commit INFO lines, go to rolling files under {@code <root>/log} and
 * nothing to standard output —
 * QuestDB logs its advisories (banner, OS limits) to every writer whatever its level, so a console
 * writer cannot be kept quiet. What a start failure needs is in the exception {@link #start} throws.
 * QuestDB's log system is process-wide and configured by the first instance started in a JVM.
 *
 * <p>{@link #requireFreeSpace} refuses a {@code data_dir} whose volume has less than
 * {@link #MIN_FREE_BYTES} free: on a smaller one QuestDB fails inside its start with {@code errno=28}.
 *
 * <p>Port {@code 0} picks a free port; start-up is retried on a fresh port if another process
 * takes it first (only then: any other failure is reported at once, with its cause).
 *
 * <p>Threading: {@link #start} and {@link #close} block the caller; QuestDB runs its own worker
 * pools, which {@link #close} halts and joins. Accessors are safe from any thread.
 */
public final class EmbeddedStore implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedStore.class);

    private static final int BIND_ATTEMPTS = 5;

    /**
     * The free space the embedded store needs on the volume of {@code data_dir} at start. With the page
     * sizes above the demo's store (its system tables, readings and alerts) peaked at 64 MiB on disk,
     * 875 MiB with QuestDB's defaults; the rest is room for more tables and for the data to grow.
     */
    public static final long MIN_FREE_BYTES = 256L * 1024 * 1024;

    private static final String OURS = "# Written by Limes";

    private final ServerMain server;
    private final String host;
    private final int httpPort;

    private EmbeddedStore(ServerMain server, String host, int httpPort) {
        this.server = server;
        this.host = host;
        this.httpPort = httpPort;
    }

    /**
     * Starts QuestDB with its data in {@code root}; blocks until its HTTP server accepts requests.
     *
     * @param root QuestDB's root directory (conf, db, log); created if absent
     * @param host address for the HTTP server to bind, e.g. {@code 127.0.0.1}
     * @param httpPort HTTP port, or {@code 0} for a free one
     * @throws IllegalStateException if QuestDB does not start (after retries for port {@code 0})
     */
    public static EmbeddedStore start(Path root, String host, int httpPort) {
        return start(root, host, httpPort, () -> freePort(host));
    }

    static EmbeddedStore start(Path root, String host, int httpPort, IntSupplier freePorts) {
        if (httpPort < 0 || httpPort > 65535) {
            throw new IllegalArgumentException("httpPort must be 0..65535, got " + httpPort);
        }
        int attempts = httpPort == 0 ? BIND_ATTEMPTS : 1;
        RuntimeException last = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            int candidate = httpPort == 0 ? freePorts.getAsInt() : httpPort;
            try {
                return startOn(root, host, candidate);
            } catch (RuntimeException e) {
                if (!portTaken(e)) {
                    throw e;
                }
                last = e;
                log.warn("Embedded store did not start on {}:{} (attempt {}/{}): {}",
                        host, candidate, attempt, attempts, e.getMessage());
            }
        }
        throw last;
    }

    private static EmbeddedStore startOn(Path root, String host, int port) {
        Path conf = root.resolve("conf");
        try {
            Files.createDirectories(conf);
            Files.createDirectories(root.resolve("log"));
            Files.writeString(conf.resolve("server.conf"), serverConf(host, port), StandardCharsets.UTF_8);
            Path logConf = conf.resolve("log.conf");
            if (Files.notExists(logConf) || Files.readString(logConf, StandardCharsets.UTF_8).startsWith(OURS)) {
                Files.writeString(logConf, logConf(root.resolve("log")), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare QuestDB root " + root, e);
        }
        long startedAt = System.nanoTime();
        ServerMain server = null;
        try {
            // -n: no SIGHUP handler; the gateway owns the process and its signals.
            server = new ServerMain("-d", root.toAbsolutePath().toString(), "-n");
            server.start();
        } catch (RuntimeException | Error e) {
            IllegalStateException failure = new IllegalStateException("QuestDB failed to start on " + host + ":"
                    + port + ": " + e.getMessage() + " (QuestDB's log: " + root.resolve("log") + ")", e);
            closeHalfStarted(server, failure);
            throw failure;
        }
        log.info("Embedded store serving http://{}:{} (started in {} ms, data in {})",
                host, port, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt), root);
        return new EmbeddedStore(server, host, port);
    }

    /**
     * Closes a server whose start failed, keeping the start's failure as the one reported. QuestDB's
     * {@code ServerMain.close} throws a {@code NullPointerException} when {@code start} failed half-way
     * (before its worker pools existed, e.g. a table it could not map for lack of space); that is kept
     * as a suppressed exception. What QuestDB opened before it failed (table locks) stays held until the
     * process exits — the gateway does exit on a failed start — so the same folder is not retried.
     */
    static void closeHalfStarted(ServerMain server, Throwable failure) {
        if (server == null) {
            return;
        }
        try {
            server.close();
        } catch (RuntimeException | Error e) {
            failure.addSuppressed(e);
        }
    }

    /**
     * Refuses to start the embedded store on a volume with less than {@code minBytes} usable.
     *
     * @param dataDir the gateway's {@code data_dir}; need not exist yet (its nearest existing parent's
     *                volume is measured)
     * @throws IllegalStateException {@code data_dir: <path>: needs at least N MiB free, has M MiB}
     */
    public static void requireFreeSpace(Path dataDir, long minBytes) {
        Path existing = dataDir.toAbsolutePath();
        while (existing != null && Files.notExists(existing)) {
            existing = existing.getParent();
        }
        long usable;
        try {
            usable = Files.getFileStore(existing == null ? Path.of("").toAbsolutePath() : existing).getUsableSpace();
        } catch (IOException e) {
            throw new UncheckedIOException("data_dir: " + dataDir + ": cannot measure its free space", e);
        }
        if (usable < minBytes) {
            throw new IllegalStateException("data_dir: " + dataDir + ": needs at least " + mib(minBytes)
                    + " MiB free, has " + mib(usable) + " MiB (the embedded store, QuestDB, reserves space for "
                    + "every table it writes; give data_dir a larger volume or use store.kind: influxdb)");
        }
    }

    private static long mib(long bytes) {
        return bytes / (1024 * 1024);
    }

    private static boolean portTaken(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && (m.contains("could not bind") || m.contains("Address already in use"))) {
                return true;
            }
        }
        return false;
    }

    /** The port of QuestDB's HTTP server. */
    public int httpPort() {
        return httpPort;
    }

    /** The base URL of QuestDB's HTTP server, {@code http://host:port}. */
    public String url() {
        return "http://" + host + ":" + httpPort;
    }

    /** Stops QuestDB: closes its HTTP server, halts and joins its worker pools, releases the tables. */
    @Override
    public void close() {
        server.close();
        log.info("Embedded store on {}:{} stopped", host, httpPort);
    }

    private static int freePort(String host) {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on " + host, e);
        }
    }

    private static String serverConf(String host, int port) {
        return """
                # Written by Limes on every start of the embedded store; edits are overwritten.
                http.enabled=true
                http.net.bind.to=%s:%d
                line.http.enabled=true
                http.min.enabled=false
                pg.enabled=false
                line.tcp.enabled=false
                line.udp.enabled=false
                telemetry.enabled=false
                metrics.enabled=false
                cairo.mat.view.enabled=false
                shared.network.worker.count=1
                shared.query.worker.count=1
                shared.write.worker.count=1
                wal.apply.worker.count=1
                shared.worker.yield.threshold=10
                shared.worker.nap.threshold=20
                shared.worker.sleep.threshold=200
                shared.worker.sleep.timeout=10
                wal.apply.worker.yield.threshold=10
                wal.apply.worker.nap.threshold=20
                wal.apply.worker.sleep.threshold=200
                wal.apply.worker.sleep.timeout=10
                cairo.writer.data.append.page.size=1m
                cairo.system.writer.data.append.page.size=256k
                cairo.writer.data.index.value.append.page.size=1m
                http.net.connection.limit=64
                cairo.wal.enabled.default=true
                http.recv.buffer.size=256k
                http.send.buffer.size=256k
                cairo.sql.copy.buffer.size=256k
                cairo.model.pool.capacity=64
                cairo.expression.pool.capacity=512
                cairo.column.pool.capacity=256
                cairo.lexer.pool.capacity=128
                """.formatted(host, port);
    }

    private static String logConf(Path logDir) {
        return """
                # Written by Limes on every start (delete this line to keep your own edits): errors and
                # advisories to files, nothing to the console, where QuestDB would print its banner
                # whatever the level. No INFO: QuestDB logs several lines per commit (a gateway under load
                # spent a fifth of a core formatting and writing them).
                queueDepth=64
                writers=file
                w.file.class=io.questdb.log.LogRollingFileWriter
                w.file.bufferSize=64k
                w.file.location=%s/questdb.log.${date:yyyyMMdd}
                w.file.level=ERROR,CRITICAL,ADVISORY
                w.file.rollEvery=day
                w.file.rollSize=64m
                w.file.lifeDuration=7d
                w.file.sizeLimit=256m
                """.formatted(logDir.toAbsolutePath());
    }
}
