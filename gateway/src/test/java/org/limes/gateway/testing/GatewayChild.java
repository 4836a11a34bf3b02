package org.limes.gateway.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.limes.gateway.Main;

/**
 * A gateway in a child JVM ({@code java -jar limes-gateway.jar run --config …}), for the tests
 * that must kill it the way a power cut or the OOM killer would ({@code kill -9}) or freeze it
 * ({@code SIGSTOP}) — which an in-process gateway cannot stand for.
 *
 * <p>The shaded jar is the one the gateway module packages before its ITs run (found from the
 * gateway module or from a sibling module); without it, this JVM's class path and
 * {@link Main}. The child's output goes to {@code log}. {@link #close} kills the child and waits
 * for it, and the class's {@code AutoCloseable} use (or an {@code @AfterEach}) guarantees no
 * child outlives its test; a child stopped with {@link #freeze} is killed all the same.
 *
 * <p>Not thread-safe: one test owns it.
 */
public final class GatewayChild implements AutoCloseable {

    /** The heap the children get: several run beside the test JVM on a small machine. */
    public static final String HEAP = "-Xmx256m";

    private static final Duration HEALTHY_TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    private final Path log;

    private GatewayChild(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts {@code run --config config} with the default heap; returns at once. */
    public static GatewayChild start(Path config, Path log) throws IOException {
        return start(config, log, List.of());
    }

    /** Starts {@code run --config config} with extra JVM options; returns at once. */
    public static GatewayChild start(Path config, Path log, List<String> jvmOptions) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add(HEAP);
        cmd.addAll(jvmOptions);
        Path jar = shadedJar();
        if (jar != null) {
            cmd.addAll(List.of("-jar", jar.toString()));
        } else {
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        }
        cmd.addAll(List.of("run", "--config", config.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new GatewayChild(p, log);
    }

    private static Path shadedJar() {
        for (Path candidate : List.of(Path.of("target", "limes-gateway.jar"),
                Path.of("..", "gateway", "target", "limes-gateway.jar"))) {
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** Waits until the child's admin API answers {@code GET /health} with 200. */
    public GatewayChild awaitHealthy(int adminPort) {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/health"))
                .timeout(Duration.ofSeconds(2)).build();
        await().atMost(HEALTHY_TIMEOUT).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new AssertionError("gateway exited with " + process.exitValue() + ", see " + log);
                    }
                    return http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
                });
        return this;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path log() {
        return log;
    }

    /** {@code kill -9}: no shutdown hook, no flush; returns once the process is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("gateway " + pid() + " still alive 30 s after SIGKILL");
        }
    }

    /** SIGTERM, as a service manager stops it; waits for the exit and returns its code. */
    public int terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("gateway " + pid() + " did not stop within 30 s of SIGTERM");
        }
        return process.exitValue();
    }

    /** {@code kill -STOP}: the process freezes with its sockets open, as a hung box would. */
    public void freeze() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** {@code kill -CONT}: a frozen process resumes where it stopped. */
    public void thaw() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -" + name + " " + pid() + " failed");
        }
    }

    /** Kills the child if it still runs (a frozen one too) and waits for it. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            try {
                thaw();
            } catch (IOException | RuntimeException e) {
                // SIGKILL ends a stopped process as well; thawing only lets it go at once.
            }
            kill();
        }
    }

    /** A free loopback port, for the config of a child that must be told its ports. */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
