package org.limes.simulator.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Mosquitto as a child process on a loopback port, with a generated configuration:
 * anonymous clients, no persistence, {@code TCP_NODELAY}, and queues large enough that a
 * subscriber which is slower than the publisher for a while loses nothing (Mosquitto's
 * default {@code max_queued_messages 1000} drops QoS 1 messages beyond it, even for a
 * connected subscriber).
 *
 * <p>Threading: {@link #start} and {@link #close} block the caller.
 */
public final class MosquittoBroker implements BenchBroker {

    private static final long START_TIMEOUT_MS = 10_000;
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private final Process process;
    private final int port;
    private final String version;

    private MosquittoBroker(Process process, int port, String version) {
        this.process = process;
        this.port = port;
        this.version = version;
    }

    /**
     * Starts {@code executable} on {@code 127.0.0.1:port}; its configuration and log go to {@code dir}.
     *
     * @throws IllegalStateException when the executable is missing or the broker does not come up,
     *                               quoting the end of its log
     */
    public static MosquittoBroker start(Path executable, Path dir, int port) throws IOException, InterruptedException {
        if (!Files.isExecutable(executable)) {
            throw new IllegalStateException("mosquitto not found at " + executable
                    + ": install the Debian package (apt-get install -y mosquitto) or pass --mosquitto <path>");
        }
        Files.createDirectories(dir);
        Path conf = dir.resolve("mosquitto.conf");
        Path log = dir.resolve("mosquitto.log");
        Files.writeString(conf, configuration(port), StandardCharsets.UTF_8);
        Process process = ChildProcesses.start(new ProcessBuilder(executable.toString(), "-c", conf.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile()));
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
        // Ready when Mosquitto itself says it runs and the port answers: a port that answers
        // alone may belong to another process, and Mosquitto then exits on its failed bind.
        while (!(logSays(log, " running") && process.isAlive() && ChildProcesses.listening(port))) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                ChildProcesses.stop(process, Duration.ZERO);
                throw new IllegalStateException("mosquitto did not start on 127.0.0.1:" + port + ": "
                        + ChildProcesses.tail(log));
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
        return new MosquittoBroker(process, port, version(executable));
    }

    /**
     * The configuration: logging goes to stderr (unbuffered; run as root, Mosquitto drops to
     * its own user and could not write a log file in the bench's folder).
     */
    static String configuration(int port) {
        return """
                # Written by limes-simulator bench; removed with its folder.
                per_listener_settings false
                listener %d 127.0.0.1
                allow_anonymous true
                persistence false
                set_tcp_nodelay true
                max_inflight_messages 1000
                max_queued_messages 2000000
                max_queued_bytes 0
                log_dest stderr
                log_type error
                log_type warning
                log_type notice
                log_type information
                connection_messages false
                """.formatted(port);
    }

    @Override
    public String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    @Override
    public String description() {
        return version;
    }

    @Override
    public long cpuMicros() {
        return ProcStat.processCpuMicros(process.pid());
    }

    @Override
    public String cpuAccounting() {
        return "the mosquitto process, /proc/" + process.pid() + "/stat utime+stime";
    }

    /** The broker's process id. */
    long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        ChildProcesses.stop(process, STOP_GRACE);
    }

    private static boolean logSays(Path log, String text) {
        try {
            return Files.readString(log, StandardCharsets.UTF_8).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    private static String version(Path executable) {
        try {
            Process p = new ProcessBuilder(executable.toString(), "-h").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(5, TimeUnit.SECONDS);
            String first = out.lines().findFirst().orElse("mosquitto").trim();
            return first.replace(" version ", " ");
        } catch (IOException e) {
            return "mosquitto";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "mosquitto";
        }
    }
}
