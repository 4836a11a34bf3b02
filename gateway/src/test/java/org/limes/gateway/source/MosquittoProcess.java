package org.limes.gateway.source;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Mosquitto (the Debian package {@code .ci/run} installs) for integration tests: its
 * password file, its start on the listeners a test configures, and its stop. Tests skip
 * with {@link #installed()} false.
 */
public final class MosquittoProcess implements AutoCloseable {

    private static final Path BINARY = Path.of("/usr/sbin/mosquitto");
    private static final Path PASSWD = Path.of("/usr/bin/mosquitto_passwd");

    private final Process process;

    private MosquittoProcess(Process process) {
        this.process = process;
    }

    /** Whether Mosquitto and its password tool are installed here. */
    public static boolean installed() {
        return Files.isExecutable(BINARY) && Files.isExecutable(PASSWD);
    }

    /** A free TCP port on the loopback interface, for a listener line. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Adds {@code user} to the password file {@code file}, creating it with the first user. */
    public static void passwd(Path file, String user, String password) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(PASSWD.toString()));
        if (!Files.exists(file)) {
            cmd.add("-c");
        }
        cmd.addAll(List.of("-b", file.toString(), user, password));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("mosquitto_passwd failed: " + out);
        }
    }

    /**
     * Starts Mosquitto with {@code conf} (written to {@code dir}, its log beside it) and waits
     * until every one of {@code listeners} accepts connections. A {@code user} line naming this
     * user is put first: as root, Mosquitto would switch to "mosquitto", which cannot read a
     * test's temporary files.
     */
    public static MosquittoProcess start(Path dir, String conf, InetSocketAddress... listeners) throws IOException {
        Path file = Files.writeString(dir.resolve("mosquitto.conf"), "user " + System.getProperty("user.name")
                + "\n" + conf);
        Path log = dir.resolve("mosquitto.log");
        Process p = new ProcessBuilder(BINARY.toString(), "-c", file.toString()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        MosquittoProcess broker = new MosquittoProcess(p);
        try {
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(25)).ignoreExceptions().until(() -> {
                if (!p.isAlive()) {
                    throw new IllegalStateException("mosquitto exited: " + Files.readString(log));
                }
                for (InetSocketAddress a : listeners) {
                    try (Socket s = new Socket()) {
                        s.connect(a, 500);
                    }
                }
                return true;
            });
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
        return broker;
    }

    /** Stops the broker, forcibly after 10 s. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
