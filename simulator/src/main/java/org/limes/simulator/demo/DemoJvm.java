package org.limes.simulator.demo;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.limes.gateway.JvmOptions;

/**
 * The demo runs the gateway in this JVM, so this JVM must be the one the gateway ships with
 * ({@code gateway/jvm.options}, {@link JvmOptions}): when it was started without those options
 * ({@code java -jar limes-simulator.jar demo}, the README's quick start), {@link #relaunch} starts
 * the same command again in a child JVM that has them, with this JVM's own options after them (an
 * option given on the command line still wins), standard input and output inherited, and waits
 * for it. On Ctrl-C both JVMs get the signal; on SIGTERM to this one its shutdown hook passes it
 * on and waits for the child's own clean-up (the demo's temporary folder).
 *
 * <p>Used from {@code Main} on the main thread, before anything else starts.
 */
public final class DemoJvm {

    /** Set in the child, so it never starts another one. */
    static final String RELAUNCHED = "limes.demo.relaunched";
    private static final long STOP_SECONDS = 30;

    private DemoJvm() {
    }

    /**
     * Whether this JVM needs the relaunch: it is not already the child, and it lacks shipped options.
     *
     * @param inEffect this JVM's input arguments
     */
    static boolean needed(List<String> shipped, List<String> inEffect, String relaunchedProperty) {
        return relaunchedProperty == null && !JvmOptions.missing(shipped, inEffect).isEmpty();
    }

    /** {@link #needed} for this JVM. */
    public static boolean needed() {
        return needed(JvmOptions.shipped(), ManagementFactory.getRuntimeMXBean().getInputArguments(),
                System.getProperty(RELAUNCHED));
    }

    /** {@code java <shipped> <this JVM's options> -D…relaunched -cp <class path> <main> <args>}. */
    static List<String> command(List<String> shipped, List<String> inEffect, String classPath, String mainClass,
            String[] args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(shipped);
        command.addAll(inEffect);
        command.add("-D" + RELAUNCHED + "=true");
        command.add("-cp");
        command.add(classPath);
        command.add(mainClass);
        command.addAll(List.of(args));
        return command;
    }

    /**
     * Runs {@code mainClass args} in a child JVM with the gateway's options and returns its exit code.
     *
     * @throws IOException when the child cannot be started
     */
    public static int relaunch(String mainClass, String[] args) throws IOException, InterruptedException {
        List<String> command = command(JvmOptions.shipped(),
                ManagementFactory.getRuntimeMXBean().getInputArguments(),
                System.getProperty("java.class.path"), mainClass, args);
        Process child = new ProcessBuilder(command).inheritIO().start();
        Thread passOn = new Thread(() -> stop(child), "limes-demo-jvm-stop");
        Runtime.getRuntime().addShutdownHook(passOn);
        int code = child.waitFor();
        try {
            Runtime.getRuntime().removeShutdownHook(passOn);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running: it waits for the child, which has ended
        }
        return code;
    }

    private static void stop(Process child) {
        child.destroy();
        try {
            if (!child.waitFor(STOP_SECONDS, TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
        } catch (InterruptedException e) {
            child.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
