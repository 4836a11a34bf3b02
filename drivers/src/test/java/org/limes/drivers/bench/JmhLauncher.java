package org.limes.drivers.bench;

import org.openjdk.jmh.runner.NoBenchmarksException;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;

/**
 * What the {@code bench} Maven profile runs in each module instead of JMH's own {@code Main}:
 * the same command line, except that a pattern matching no benchmark of this module is
 * reported and skipped rather than failing the build. With {@code -pl gateway -am} one
 * pattern runs in both modules, and each module has only its own benchmarks.
 *
 * <p>Listing ({@code -l}, {@code -lp}) and help ({@code -h}) go to JMH's {@code Main} unchanged.
 */
public final class JmhLauncher {

    private JmhLauncher() {
    }

    public static void main(String[] args) throws Exception {
        CommandLineOptions options;
        try {
            options = new CommandLineOptions(args);
        } catch (CommandLineOptionException e) {
            System.err.println("JMH arguments: " + e.getMessage());
            System.exit(1);
            return;
        }
        if (options.shouldHelp() || options.shouldList() || options.shouldListWithParams()
                || options.shouldListProfilers() || options.shouldListResultFormats()) {
            org.openjdk.jmh.Main.main(args);
            return;
        }
        try {
            new Runner(options).run();
        } catch (NoBenchmarksException e) {
            System.out.println("No benchmark in this module matches " + options.getIncludes() + "; skipped.");
        } catch (RunnerException e) {
            System.err.println("JMH failed: " + e.getMessage());
            e.printStackTrace(System.err);
            System.exit(1);
        }
    }
}
