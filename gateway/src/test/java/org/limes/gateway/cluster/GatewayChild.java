package org.limes.gateway.cluster;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A cluster-mode gateway as a real child process — {@code java -jar target/limes-gateway.jar run
 * --config <file>}, the shaded jar {@code package} built — so a test can do to it what happens to
 * a box: {@link #kill} ({@code SIGKILL}: no shutdown hook, no goodbye to Kafka), {@link #suspend}
 * and {@link #resume} ({@code SIGSTOP}/{@code SIGCONT}: a process frozen past its session timeout
 * that comes back believing it still owns its partitions), and {@link #restart} with the same
 * config and data directory.
 *
 * <p>Its log (standard output and error, appended across restarts) is kept where the test says;
 * the ports it bound (configured 0) are read from its log lines. The child's entry point is
 * {@link GatewayChildMain}, which halts the child when the test JVM is gone; besides, every
 * child still running is killed by {@link #close} (call it from {@code @AfterEach}) and by a JVM
 * shutdown hook ({@code SIGKILL} ends a suspended process too).
 *
 * <p>Threading: one test thread drives a child; {@link #metric} and the ports from any thread.
 */
final class GatewayChild implements AutoCloseable {

    /** The shaded jar, built by {@code package} before failsafe runs. */
    static final Path JAR = Path.of("target", "limes-gateway.jar");
    private static final Pattern ADMIN = Pattern.compile("status page http://[^:]+:(\\d+)/");
    private static final Pattern INGEST = Pattern.compile("source ingest listening on http://[^:]+:(\\d+)/");
    private static final Set<GatewayChild> LIVE = ConcurrentHashMap.newKeySet();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static Path launcher;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(GatewayChild::close),
                "limes-gateway-children"));
    }

    private final String name;
    private final Path config;
    private final Path log;
    private Process process;
    private long logFrom;
    private volatile boolean suspended;
    private volatile int adminPort = -1;
    private volatile int ingestPort = -1;

    private GatewayChild(String name, Path config, Path log) {
        this.name = name;
        this.config = config;
        this.log = log;
    }

    /**
     * Writes {@code yaml} to {@code <dir>/<name>.yml} and starts the child, its log
     * {@code <logs>/<name>.log} (started afresh); returns at once (see {@link #awaitReady}).
     */
    static GatewayChild start(String name, Path dir, Path logs, String yaml) throws IOException {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR.toAbsolutePath() + " is missing: the failsafe ITs run after package");
        }
        Path config = dir.resolve(name + ".yml");
        Files.writeString(config, yaml, StandardCharsets.UTF_8);
        Files.createDirectories(logs);
        Path log = logs.resolve(name + ".log");
        Files.deleteIfExists(log);
        GatewayChild child = new GatewayChild(name, config, log);
        child.launch();
        return child;
    }

    private synchronized void launch() throws IOException {
        logFrom = Files.exists(log) ? Files.size(log) : 0;
        adminPort = -1;
        ingestPort = -1;
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", JAR.toAbsolutePath() + java.io.File.pathSeparator + launcherDir(),
                GatewayChildMain.class.getName(), "run", "--config", config.toAbsolutePath().toString()));
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        LIVE.add(this);
    }

    /** A folder holding only {@link GatewayChildMain}'s class file: the child sees nothing else of the tests. */
    private static synchronized Path launcherDir() throws IOException {
        if (launcher == null) {
            String file = GatewayChildMain.class.getName().replace('.', '/') + ".class";
            Path dir = Files.createTempDirectory("limes-child-launcher");
            Path target = dir.resolve(file);
            Files.createDirectories(target.getParent());
            try (var in = GatewayChildMain.class.getClassLoader().getResourceAsStream(file)) {
                Files.copy(in, target);
            }
            // Deleted at exit in the reverse order of registration: the file, then its folders upwards.
            Path registered = dir;
            registered.toFile().deleteOnExit();
            for (Path name : dir.relativize(target)) {
                registered = registered.resolve(name);
                registered.toFile().deleteOnExit();
            }
            launcher = dir;
        }
        return launcher;
    }

    /** Waits until the child logged its admin and ingest ports; fails at once, with its log, if it exited. */
    GatewayChild awaitReady(Duration atMost) {
        await(name + " started").atMost(atMost).pollInterval(Duration.ofMillis(200)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + logTail());
            }
            String text = logSinceStart();
            Matcher admin = ADMIN.matcher(text);
            Matcher ingest = INGEST.matcher(text);
            if (admin.find() && ingest.find()) {
                adminPort = Integer.parseInt(admin.group(1));
                ingestPort = Integer.parseInt(ingest.group(1));
                return true;
            }
            return false;
        });
        return this;
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    boolean suspended() {
        return suspended;
    }

    /** Alive, not suspended and started: a device can reach it. */
    boolean serving() {
        return process.isAlive() && !suspended && ingestPort > 0;
    }

    int ingestPort() {
        return ingestPort;
    }

    int adminPort() {
        return adminPort;
    }

    Path log() {
        return log;
    }

    /** {@code kill -9}: the process ends at once, with whatever transaction it had open. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        suspended = false;
        process.waitFor(30, TimeUnit.SECONDS);
        LIVE.remove(this);
    }

    /** {@code kill -STOP}: the process freezes (no heartbeat, no thread runs) until {@link #resume}. */
    void suspend() throws IOException, InterruptedException {
        signal("STOP");
        suspended = true;
    }

    /** {@code kill -CONT}. */
    void resume() throws InterruptedException {
        if (suspended) {
            try {
                signal("CONT");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            suspended = false;
        }
    }

    private void signal(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).redirectErrorStream(true)
                .start();
        String out = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IOException("kill -" + signal + " " + process.pid() + " failed: " + out.strip());
        }
    }

    /** Starts the child again with the same config and data directory (after {@link #kill}). */
    void restart() throws IOException {
        if (process.isAlive()) {
            throw new IllegalStateException(name + " is still running");
        }
        launch();
    }

    /** The child's {@code /metrics} page (Prometheus text). */
    String metrics() throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort
                + "/metrics")).timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException(name + ": GET /metrics answered " + r.statusCode());
        }
        return r.body();
    }

    /**
     * The sum of the samples of a meter on {@code /metrics} (Prometheus name, e.g.
     * {@code limes_cluster_readings_out_total}) whose labels include each {@code key="value"} given.
     */
    double metric(String prometheusName, String... labels) throws IOException, InterruptedException {
        return sample(metrics(), prometheusName, labels);
    }

    static double sample(String page, String prometheusName, String... labels) {
        double sum = 0;
        for (String line : page.split("\n")) {
            if (!line.startsWith(prometheusName + " ") && !line.startsWith(prometheusName + "{")) {
                continue;
            }
            boolean match = true;
            for (String label : labels) {
                match &= line.contains(label);
            }
            if (match) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    /** What this start of the child logged so far. */
    String logSinceStart() throws IOException {
        byte[] all = Files.readAllBytes(log);
        return new String(all, (int) Math.min(logFrom, all.length), (int) Math.max(0, all.length - logFrom),
                StandardCharsets.UTF_8);
    }

    /** The last 60 lines of the log, for a failure message. */
    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /** Kills the child if it still runs. */
    @Override
    public void close() {
        try {
            if (process != null && process.isAlive()) {
                kill();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            LIVE.remove(this);
        }
    }
}
