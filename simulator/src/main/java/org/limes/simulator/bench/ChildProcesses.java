package org.limes.simulator.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * <p>Threading: every method is safe from any thread; the registry is process-wide because a
 * shutdown hook is.
 */
public final class ChildProcesses {

    /** How long the hook waits for a SIGTERMed child before it kills it. */
    static final long GRACE_MS = 5_000;

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
        List<Process> left = List.copyOf(PROCESSES);
        for (Process p : left) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GRACE_MS);
        for (Process p : left) {
            try {
                long wait = deadline - System.nanoTime();
                if (wait <= 0 || !p.waitFor(wait, TimeUnit.NANOSECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly().waitFor(GRACE_MS, TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            PROCESSES.remove(p);
        }
        for (Path folder : List.copyOf(FOLDERS)) {
            try {
                deleteTree(folder);
            } catch (IOException e) {
                // best effort at exit: nothing is left to report it to
            }
            FOLDERS.remove(folder);
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
