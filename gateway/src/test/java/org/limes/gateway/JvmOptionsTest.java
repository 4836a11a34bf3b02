package org.limes.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The gateway's JVM options are defined once ({@code gateway/jvm.options}) and that one file is
 * what the jar carries, what the Docker image starts with and what the README tells a user to
 * start with.
 */
class JvmOptionsTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path FILE = ROOT.resolve("gateway").resolve("jvm.options");

    @Test
    void theClasspathCarriesTheOneFile() throws Exception {
        assertThat(JvmOptions.shipped()).isEqualTo(JvmOptions.parse(Files.readString(FILE)));
    }

    /** A heap limit, a collector, and a bound on each native pool the RSS measurement found. */
    @Test
    void theShippedOptionsBoundTheMemory() {
        List<String> shipped = JvmOptions.shipped();

        assertThat(shipped).anyMatch(o -> o.startsWith("-Xmx"));
        assertThat(shipped).anyMatch(o -> o.startsWith("-XX:MaxDirectMemorySize="));
        assertThat(shipped).contains("-XX:+ExitOnOutOfMemoryError");
    }

    @Test
    void theDockerImageStartsWithTheFile() throws Exception {
        String dockerfile = Files.readString(ROOT.resolve("gateway").resolve("Dockerfile"));

        assertThat(dockerfile).contains("COPY gateway/jvm.options /opt/limes/jvm.options")
                .contains("ENTRYPOINT [\"java\", \"@/opt/limes/jvm.options\", \"-jar\"");
    }

    @Test
    void theReadmeStartsTheGatewayWithTheFile() throws Exception {
        String readme = Files.readString(ROOT.resolve("README.md"));

        assertThat(readme).contains("java @gateway/jvm.options -jar gateway/target/limes-gateway.jar run --config FILE");
    }

    @Test
    void parseSkipsCommentsAndBlankLines() {
        assertThat(JvmOptions.parse("# heap\n-Xmx256m\n\n  # collector\n-XX:+UseSerialGC\r\n"))
                .containsExactly("-Xmx256m", "-XX:+UseSerialGC");
    }

    @Test
    void parseRefusesWhatTheLauncherWouldReadOtherwise() {
        assertThatThrownBy(() -> JvmOptions.parse("-Xmx256m -Xss512k\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("line 1");
        assertThatThrownBy(() -> JvmOptions.parse("-Xmx256m\n\"-Dx=a b\"\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("line 2");
        assertThatThrownBy(() -> JvmOptions.parse("-Xmx256m # heap\n"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JvmOptions.parse("@more.options\n"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anOptionGivenAgainWithAnotherValueIsNotMissing() {
        List<String> shipped = List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:MaxDirectMemorySize=64m", "-Xss512k",
                "-Dio.netty.allocator.type=unpooled");

        assertThat(JvmOptions.missing(shipped, List.of("-Xmx1g", "-XX:-UseSerialGC", "-Dio.netty.allocator.type=pooled")))
                .containsExactly("-XX:MaxDirectMemorySize=64m", "-Xss512k");
        assertThat(JvmOptions.missing(shipped, shipped)).isEmpty();
        assertThat(JvmOptions.missing(shipped, List.of())).isEqualTo(shipped);
    }
}
