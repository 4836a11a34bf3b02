package org.limes.simulator.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.limes.gateway.JvmOptions;

/**
 * The demo runs the gateway in its own JVM, so that JVM is started with the options the gateway
 * ships with: {@code java -jar limes-simulator.jar demo} relaunches itself with them.
 */
class DemoJvmTest {

    private static final List<String> SHIPPED = List.of("-Xmx256m", "-XX:+UseSerialGC");

    @Test
    void theGatewaysOptionsAreOnTheSimulatorsClasspath() {
        assertThat(JvmOptions.shipped()).isNotEmpty().anyMatch(o -> o.startsWith("-Xmx"));
    }

    @Test
    void aJvmWithoutTheShippedOptionsIsRelaunchedOnceWithThem() {
        assertThat(DemoJvm.needed(SHIPPED, List.of("-Djava.io.tmpdir=/x"), null)).isTrue();
        assertThat(DemoJvm.needed(SHIPPED, List.of("-Xmx1g", "-XX:+UseSerialGC"), null)).as("given, another heap").isFalse();
        assertThat(DemoJvm.needed(SHIPPED, List.of(), "true")).as("already the child").isFalse();
    }

    @Test
    void theChildHasTheShippedOptionsThenThisJvmsOwnThenTheSameCommand() {
        List<String> command = DemoJvm.command(SHIPPED, List.of("-Xmx512m", "-Djava.io.tmpdir=/x"), "sim.jar",
                "org.limes.simulator.Main", new String[] {"demo", "--duration", "10s"});

        assertThat(command.subList(1, command.size())).containsExactly("-Xmx256m", "-XX:+UseSerialGC", "-Xmx512m",
                "-Djava.io.tmpdir=/x", "-Dlimes.demo.relaunched=true", "-cp", "sim.jar", "org.limes.simulator.Main",
                "demo", "--duration", "10s");
    }
}
