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
 * metrics and materialised views off; small worker pools for a two-core edge box. It also writes
 * {@code <root>/conf/log.conf} if absent: errors to the console, the rest to rolling files under
 * {@code <root>/log}. QuestDB's log system is process-wide and configured by the first instance
 * started in a JVM.
 *
 * <p>Port {@code 0} picks a free port; start-up is retried on a fresh port if another process
 * takes it first.
 *
 * <p>Threading: {@link #start} and {@link #close} block the caller; QuestDB runs its own worker
 * pools, which {@link #close} halts and joins. Accessors are safe from any thread.
 */
public final class EmbeddedStore implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedStore.class);

    private static final int BIND_ATTEMPTS = 5;

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
            if (Files.notExists(logConf)) {
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
            if (server != null) {
                server.close();
            }
            throw new IllegalStateException("QuestDB failed to start on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        log.info("Embedded store serving http://{}:{} (started in {} ms, data in {})",
                host, port, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt), root);
        return new EmbeddedStore(server, host, port);
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
                http.net.connection.limit=64
                cairo.wal.enabled.default=true
                """.formatted(host, port);
    }

    private static String logConf(Path logDir) {
        return """
                # Written by Limes when absent: errors to the console, everything else to files.
                writers=stdout,file
                w.stdout.class=io.questdb.log.LogConsoleWriter
                w.stdout.level=ERROR,CRITICAL
                w.file.class=io.questdb.log.LogRollingFileWriter
                w.file.location=%s/questdb.log.${date:yyyyMMdd}
                w.file.level=INFO,ERROR,CRITICAL,ADVISORY
                w.file.rollEvery=day
                w.file.rollSize=64m
                w.file.lifeDuration=7d
                w.file.sizeLimit=256m
                """.formatted(logDir.toAbsolutePath());
    }
}
