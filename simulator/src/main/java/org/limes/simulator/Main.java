package org.limes.simulator;

import org.limes.simulator.bench.BenchCommand;
import org.limes.simulator.cluster.ClusterBenchCommand;
import org.limes.simulator.demo.DemoCommand;
import org.limes.simulator.demo.DemoJvm;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code limes-simulator} command line: the top command and its subcommands.
 * Builds the picocli command, runs it, and exits with its exit code.
 */
@Command(
        name = "limes-simulator",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Simulates Limes field devices for commissioning and load tests.",
        subcommands = {RunCommand.class, FleetCommand.class, ReplayCommand.class, DevicesCommand.class,
            ChaosCommand.class, BenchCommand.class, ClusterBenchCommand.class, DemoCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) throws Exception {
        boolean demo = args.length > 0 && "demo".equals(args[0]);
        if (demo && DemoJvm.needed()) {
            // The demo runs the gateway in this JVM: it must be the JVM the gateway ships with.
            System.exit(DemoJvm.relaunch(Main.class.getName(), args));
        }
        if (System.getProperty("logback.configurationFile") == null) {
            // The demo runs the gateway in this JVM: it logs as the gateway does (its logback.xml).
            System.setProperty("logback.configurationFile", demo ? "logback.xml" : "logback-simulator.xml");
        }
        System.exit(commandLine().execute(args));
    }

    /** The configured picocli command line, for {@link #main} and for tests. */
    public static CommandLine commandLine() {
        return new CommandLine(new Main());
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: run, fleet, replay, devices, chaos, bench, cluster-bench or demo (see --help)");
    }

    /** The version from the jar manifest, or {@code dev} when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"limes-simulator " + (version == null ? "dev" : version)};
        }
    }
}
