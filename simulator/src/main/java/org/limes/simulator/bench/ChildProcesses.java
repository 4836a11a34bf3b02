package org.limes.simulator.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What the bench started and must not leave behind when its JVM ends early (Ctrl-C, SIGTERM,
 * {@code System.exit}): child processes (Mosquitto, the gateway JVM, the external store's JVM)
 * and temporary folders. Each is registered when started and forgotten when its owner has
 * stopped or removed it; one JVM shutdown hook, installed on first use, stops whatever is still
 * registered (SIGTERM, then SIGKILL after {@link #GRACE_MS}, their own children included) and
 * deletes the folders, in that order.
 *
 * <p>On the normal path the owners' {@code close} does all this and the hook finds nothing;
 * it exists for the paths where no {@code finally} runs.
 *
 * <p>The owners share the rest of a child's life here too: its command when it is a JVM on the
 * simulator's class path ({@link #javaCommand}), whether it listens yet ({@link #listening}), the
 * end of its log for an error message ({@link #tail}), and its stop ({@link #stop}).
 *
 * <p>Threading: every method is safe from any thread; the registry is process-wide because a
 * shutdown hook is.
 */
public final class ChildProcesses {

    /** How long the hook waits for a SIGTERMed child before it kills it. */
    static final long GRACE_MS = 5_000;

    /** How long {@link #stop} waits for a SIGKILLed process to be gone. */
    private static final long KILL_WAIT_MS = 10_000;

    private static final Set<Process> PROCESSES = ConcurrentHashMap.newKeySet();
    private static final Set<Path> FOLDERS = ConcurrentHashMap.newKeySet();
    private static boolean hookInstalled;

    private ChildProcesses() {
    }

    /** Starts {@code builder}'s process and registers it until {@link #forget}. */
    public static Process start(ProcessBuilder builder) throws IOException {
        installHook();
        Process process = builder.start();
        PROCESSES.add(process);
        return process;
    }

    /** The owner has stopped {@code process}: the hook need not. */
    public static void forget(Process process) {
        PROCESSES.remove(process);
    }

    /** Registers a temporary folder for deletion should the JVM end before its owner deletes it. */
    public static void deleteAtExit(Path folder) {
        installHook();
        FOLDERS.add(folder);
    }

    /** The owner has deleted (or kept on purpose) {@code folder}. */
    public static void keep(Path folder) {
        FOLDERS.remove(folder);
    }

    /** Whether {@code process} is still registered (for tests). */
    static boolean registered(Process process) {
        return PROCESSES.contains(process);
    }

    private static synchronized void installHook() {
        if (!hookInstalled) {
            Runtime.getRuntime().addShutdownHook(new Thread(ChildProcesses::cleanUp, "limes-bench-cleanup"));
            hookInstalled = true;
        }
    }

    /** Stops every registered process, then deletes every registered folder. */
    static void cleanUp() {
        stop(List.copyOf(PROCESSES), Duration.ofMillis(GRACE_MS));
        for (Path folder : List.copyOf(FOLDERS)) {
            try {
                deleteTree(folder);
            } catch (IOException e) {
                // best effort at exit: nothing is left to report it to
            }
            FOLDERS.remove(folder);
        }
    }

    /**
     * Stops {@code processes} together and forgets them: SIGTERM to each (and to its own children),
     * then SIGKILL to whichever still runs {@code grace} after. Interrupted, it kills the rest at
     * once and keeps the interrupt.
     */
    public static void stop(Collection<Process> processes, Duration grace) {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        }
        long deadline = System.nanoTime() + grace.toNanos();
        for (Process p : processes) {
            try {
                long wait = deadline - System.nanoTime();
                if (wait <= 0 || !p.waitFor(wait, TimeUnit.NANOSECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly().waitFor(KILL_WAIT_MS, TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            PROCESSES.remove(p);
        }
    }

    /** {@link #stop(Collection, Duration)} of one process. */
    public static void stop(Process process, Duration grace) {
        stop(List.of(process), grace);
    }

    /**
     * The command of a JVM that runs {@code mainClass} from this JVM's own class path (the
     * simulator's, which holds the gateway's QuestDB and Kafka) and logs as the simulator does.
     */
    public static List<String> javaCommand(List<String> javaOptions, String mainClass, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(javaOptions);
        command.add("-Dlogback.configurationFile=logback-simulator.xml");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(args);
        return command;
    }

    /** Whether a process accepts TCP connections on {@code 127.0.0.1:port}, asked for at most a second. */
    public static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The end of a child's log (its last 2,000 characters), for an error message. */
    public static String tail(Path log) {
        try {
            String text = Files.readString(log, StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? "(no output)" : text.substring(Math.max(0, text.length() - 2000));
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    /** Deletes a folder and everything in it; nothing when it does not exist. */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
