package org.limes.simulator.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The options {@code bench} and {@code cluster-bench} share, as a picocli mixin: the gateway
 * they start as a child JVM, the store's JVM options, the folder their child processes work in,
 * the seed and the output form; with the checks and the handling that go with them, so both
 * commands refuse the same mistakes with the same words.
 *
 * <p>Threading: picocli fills it on the command's thread, which then runs the command.
 */
public final class BenchOptions {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = "--json", description = "Print the result as one JSON object on the last line.")
    boolean json;

    @Option(names = "--work-dir", paramLabel = "DIR",
            description = "Where the child processes' files and logs go, kept afterwards; it must be new or empty, "
                    + "as an earlier run's files would be read as this run's (default: a temporary folder, "
                    + "removed afterwards).")
    Path workDir;

    @Option(names = "--gateway-jar", paramLabel = "PATH", defaultValue = "gateway/target/limes-gateway.jar",
            description = "The gateway's runnable jar, relative to the working directory.")
    Path gatewayJar;

    @Option(names = "--gateway-java-option", paramLabel = "OPTION",
            description = "A JVM option for the gateway (each instance of it), e.g. -Xmx256m or "
                    + "-XX:StartFlightRecording=filename=gw.jfr; repeatable.")
    List<String> gatewayJavaOptions = new ArrayList<>();

    @Option(names = "--store-java-option", paramLabel = "OPTION",
            description = "A JVM option for the store in a JVM of its own, e.g. -Xmx256m; repeatable.")
    List<String> storeJavaOptions = new ArrayList<>();

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Seed of the counter model.")
    long seed;

    /**
     * Refuses, as a usage error (exit code 2), a gateway jar that is not there and a work folder
     * that is a file or holds anything: a run in it would meet an earlier run's Kafka storage,
     * outboxes and tables, and fail or count them as its own.
     */
    public void validate() {
        if (!Files.isRegularFile(gatewayJar)) {
            throw usage("--gateway-jar: no file at " + gatewayJar.toAbsolutePath()
                    + "; build it (mvn -B -q -DskipTests package) or give its path");
        }
        if (workDir != null && Files.exists(workDir)) {
            Path dir = workDir.toAbsolutePath();
            if (!Files.isDirectory(dir)) {
                throw usage("--work-dir " + dir + " is not a folder; give a new or empty folder");
            }
            List<String> entries;
            try (Stream<Path> list = Files.list(dir)) {
                entries = list.map(p -> p.getFileName().toString()).sorted().limit(3).toList();
            } catch (IOException e) {
                throw usage("--work-dir " + dir + " cannot be read (" + e.getMessage() + ")");
            }
            if (!entries.isEmpty()) {
                throw usage("--work-dir " + dir + " is not empty (it holds " + String.join(", ", entries)
                        + (entries.size() == 3 ? ", …" : "") + "; an earlier run's files would be taken for this "
                        + "run's): give an empty or new folder, or leave --work-dir out for a temporary one");
            }
        }
    }

    /**
     * The folder the run works in: {@code --work-dir}, made if absent and kept afterwards, or a new
     * temporary folder that {@link WorkDir#close} removes (and the JVM's exit, should it come first).
     */
    public WorkDir workDir(String temporaryPrefix) throws IOException {
        if (workDir != null) {
            return new WorkDir(Files.createDirectories(workDir).toAbsolutePath(), false);
        }
        Path dir = Files.createTempDirectory(temporaryPrefix).toAbsolutePath();
        // Also removed, after the child processes are stopped, when this JVM is interrupted.
        ChildProcesses.deleteAtExit(dir);
        return new WorkDir(dir, true);
    }

    /** Prints the result on the command's output: one line with {@code --json}, else indented. */
    public void print(JsonNode result) throws IOException {
        PrintWriter out = command.commandLine().getOut();
        out.println(json ? JSON.writeValueAsString(result)
                : JSON.writerWithDefaultPrettyPrinter().writeValueAsString(result));
        out.flush();
    }

    /** The command's error output, where a run's progress goes (stderr unless the caller set another). */
    public PrintWriter progress() {
        return command.commandLine().getErr();
    }

    /** Says on the command's error output that the run failed, and why; returns exit code 1. */
    public int failed(Exception e) {
        command.commandLine().getErr().println(command.name() + " failed: " + e.getMessage());
        return 1;
    }

    /** A usage error of the command: picocli prints it with the usage and exits with 2. */
    public CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(command.commandLine(), message);
    }

    public Path gatewayJar() {
        return gatewayJar;
    }

    public List<String> gatewayJavaOptions() {
        return List.copyOf(gatewayJavaOptions);
    }

    public List<String> storeJavaOptions() {
        return List.copyOf(storeJavaOptions);
    }

    public long seed() {
        return seed;
    }

    /** The run's folder; closing removes it when it is a temporary one. */
    public record WorkDir(Path path, boolean temporary) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            if (temporary) {
                ChildProcesses.deleteTree(path);
                ChildProcesses.keep(path);
            }
        }
    }
}
