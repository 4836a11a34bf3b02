package org.limes.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void topLevelHelpExitsZeroAndListsTheRunCommand() {
        int code = execute("--help");

        assertThat(code).as(err::toString).isZero();
        assertThat(out.toString()).contains("limes-simulator", "run", "--help", "--version");
    }

    @Test
    void versionExitsZero() {
        assertThat(execute("--version")).isZero();
        assertThat(out.toString()).startsWith("limes-simulator ");
    }

    @Test
    void runHelpExitsZeroAndListsEveryOption() {
        int code = execute("run", "--help");

        assertThat(code).as(err::toString).isZero();
        assertThat(out.toString()).contains("--broker", "--devices", "--rate", "--duration", "--seed", "--site",
                "--device-prefix", "--topic-prefix", "--qos", "--client-id", "--surge-device", "--surge-from",
                "--surge-to", "--json", "tcp://127.0.0.1:1883", "ras-ajdir", "Exit codes");
    }

    @Test
    void negativeRateExitsNonZeroNamingTheOption() {
        int code = execute("run", "--rate", "-1");

        assertThat(code).as(err::toString).isEqualTo(2);
        assertThat(err.toString()).contains("--rate must be above 0, got -1");
    }

    @Test
    void badDurationExitsNonZeroNamingTheOption() {
        int code = execute("run", "--duration", "5x");

        assertThat(code).as(err::toString).isEqualTo(2);
        assertThat(err.toString()).contains("--duration", "'5x'");
    }

    @Test
    void surgeDeviceOutsideTheFleetIsRejected() {
        int code = execute("run", "--devices", "4", "--surge-device", "cnt-09");

        assertThat(code).as(err::toString).isEqualTo(2);
        assertThat(err.toString()).contains("surgeDevice cnt-09 is not in the fleet cnt-01..cnt-04");
    }

    @Test
    void unreachableBrokerExitsNonZeroWithAClearMessage() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }

        int code = execute("run", "--broker", "tcp://127.0.0.1:" + closedPort, "--duration", "1s");

        assertThat(code).as(err::toString).isEqualTo(RunCommand.EXIT_UNREACHABLE);
        assertThat(err.toString()).contains("cannot connect to broker tcp://127.0.0.1:" + closedPort);
    }

    private int execute(String... args) {
        CommandLine cmd = Main.commandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        return cmd.execute(args);
    }
}
