package org.limes.simulator.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.simulator.Main;
import picocli.CommandLine;

class BenchCommandTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void helpListsEveryOptionAndTheExitCodes() {
        int code = execute("bench", "--help");

        assertThat(code).as(err::toString).isZero();
        assertThat(out.toString()).contains("--broker", "--messages", "--devices", "--qos", "--json",
                "--gateway-jar", "gateway/target/limes-gateway.jar", "--gateway-java-option", "--mosquitto",
                "/usr/sbin/mosquitto", "--stall-timeout", "--probe-gap", "--work-dir", "--seed", "--rate", "--paced-duration",
                "--publishers", "--subscribers", "--store", "--store-java-option", "--warmup", "--warmup-rounds", "--warmup-jit-share", "Exit codes");
    }

    @Test
    void unknownBrokerKindIsRejected() throws IOException {
        int code = execute("bench", "--broker", "rabbit", "--gateway-jar", jar().toString());

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--broker must be embedded or mosquitto, got 'rabbit'");
    }

    @Test
    void unknownStoreKindIsRejected() throws IOException {
        int code = execute("bench", "--store", "influxdb", "--gateway-jar", jar().toString());

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--store must be embedded or external, got 'influxdb'");
    }

    @Test
    void messagesMustBePositive() throws IOException {
        int code = execute("bench", "--messages", "0", "--gateway-jar", jar().toString());

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--messages must be at least 1, got 0");
    }

    @Test
    void warmupMustNotBeNegative() throws IOException {
        int code = execute("bench", "--warmup", "-1", "--gateway-jar", jar().toString());

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--warmup must be 0 or above, got -1");
    }

    @Test
    void warmupRoundsAndJitShareAreChecked() throws IOException {
        assertThat(execute("bench", "--warmup-rounds", "0", "--gateway-jar", jar().toString())).isEqualTo(2);
        assertThat(execute("bench", "--warmup-jit-share", "1.5", "--gateway-jar", jar().toString())).isEqualTo(2);
        assertThat(execute("bench", "--warmup-jit-share", "NaN", "--gateway-jar", jar().toString())).isEqualTo(2);

        assertThat(err.toString()).contains("--warmup-rounds must be 1..100, got 0",
                "--warmup-jit-share must be 0..1, got 1.5", "--warmup-jit-share must be 0..1, got NaN");
    }

    @Test
    void qosMustBeAnMqttQos() throws IOException {
        int code = execute("bench", "--qos", "3", "--gateway-jar", jar().toString());

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--qos must be 0 or 1 (the bench's load clients send QoS 0 and 1), got 3");
    }

    @Test
    void qos2AndTheLoadClientsBoundsAreRefused() throws IOException {
        assertThat(execute("bench", "--qos", "2", "--gateway-jar", jar().toString())).isEqualTo(2);
        assertThat(execute("bench", "--window", "65536", "--gateway-jar", jar().toString())).isEqualTo(2);
        assertThat(execute("bench", "--window", "0", "--gateway-jar", jar().toString())).isEqualTo(2);
        assertThat(execute("bench", "--client-threads", "0", "--gateway-jar", jar().toString())).isEqualTo(2);

        assertThat(err.toString()).contains("--qos must be 0 or 1 (the bench's load clients send QoS 0 and 1), got 2",
                "--window must be 1..65535, got 65536", "--window must be 1..65535, got 0",
                "--client-threads must be 1..16, got 0");
    }

    @Test
    void rateAndConnectionsAreChecked() throws IOException {
        assertThat(execute("bench", "--rate", "-5", "--gateway-jar", jar().toString())).isEqualTo(2);
        assertThat(execute("bench", "--publishers", "0", "--gateway-jar", jar().toString())).isEqualTo(2);
        assertThat(execute("bench", "--subscribers", "65", "--gateway-jar", jar().toString())).isEqualTo(2);

        assertThat(err.toString()).contains("--rate must be 0 or above, got -5.0", "--publishers must be 1..64, got 0",
                "--subscribers must be 1..64, got 65");
    }

    @Test
    void aMissingGatewayJarIsNamedBeforeAnythingStarts() {
        Path missing = dir.resolve("nowhere/limes-gateway.jar");

        int code = execute("bench", "--gateway-jar", missing.toString());

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--gateway-jar: no file at " + missing.toAbsolutePath(), "mvn -B -q");
    }

    @Test
    void aMissingMosquittoIsNamedWithTheDebianPackage() throws IOException {
        Path missing = dir.resolve("sbin/mosquitto");

        int code = execute("bench", "--broker", "mosquitto", "--mosquitto", missing.toString(),
                "--gateway-jar", jar().toString());

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--mosquitto: no executable at " + missing, "apt-get install -y mosquitto");
    }

    /** An earlier run's folder would hand its outbox and store tables to this run: refused at once. */
    @Test
    void aWorkDirThatIsNotEmptyIsRefusedBeforeAnythingStarts() throws IOException {
        Path work = Files.createDirectories(dir.resolve("work/gateway/data"));

        int code = execute("bench", "--work-dir", dir.resolve("work").toString(), "--gateway-jar", jar().toString());

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--work-dir " + dir.resolve("work").toAbsolutePath()
                + " is not empty (it holds gateway;", "give an empty or new folder");
        assertThat(work).isEmptyDirectory();
    }

    private Path jar() throws IOException {
        return Files.writeString(dir.resolve("limes-gateway.jar"), "not run in these tests");
    }

    private int execute(String... args) {
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }
}
