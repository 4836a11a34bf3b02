package org.limes.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.type.TypeReference;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The strict YAML reader the gateway's configuration and the simulator's scenarios share: what it
 * refuses, and that every refusal names the file, the path and what was expected.
 */
class StrictYamlTest {

    record Port(String host, int port, Boolean tls) {
        Port {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be 1..65535, got " + port);
            }
        }
    }

    record Station(String name, List<Port> ports, Map<String, Integer> lanes, Shape shape) {
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
    @JsonSubTypes({@JsonSubTypes.Type(value = Circle.class, name = "circle"),
        @JsonSubTypes.Type(value = Square.class, name = "square")})
    interface Shape {
    }

    record Circle(double radius) implements Shape {
    }

    record Square(double side) implements Shape {
    }

    private final StrictYaml yaml = new StrictYaml();

    private Station read(String text) {
        return yaml.read("s.yml", text, Station.class);
    }

    @Test
    void readsSnakeCaseRecordsListsMapsAndSubtypes() {
        Station s = read("name: ras-ajdir\nports: [{host: h, port: 1883, tls: true}]\nlanes: {a: 2}\n"
                + "shape: {type: circle, radius: 2.5}\n");
        assertThat(s).isEqualTo(new Station("ras-ajdir", List.of(new Port("h", 1883, true)), Map.of("a", 2),
                new Circle(2.5)));
        assertThat(yaml.read("list.yml", "- {host: a, port: 1}\n", new TypeReference<List<Port>>() {
        })).containsExactly(new Port("a", 1, null));
    }

    @Test
    void anEmptyDocumentIsNull() {
        assertThat(read("")).isNull();
        assertThat(read("# only a comment\n")).isNull();
    }

    @Test
    void aKeyGivenTwiceIsRefusedInRecordsAndMaps() {
        assertThatThrownBy(() -> read("name: a\nname: b\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("s.yml: is not valid YAML at line 2")
                .hasMessageContaining("Duplicate field 'name'");
        assertThatThrownBy(() -> read("ports: [{host: h, port: 1, port: 2}]\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("Duplicate field 'port'");
        assertThatThrownBy(() -> read("lanes: {a: 1, a: 2}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("Duplicate field 'a'");
    }

    @Test
    void noScalarIsCoercedIntoAnotherKind() {
        assertThatThrownBy(() -> read("ports: [{host: h, port: '1883'}]\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("s.yml: ports[0].port must be an integer, got '1883'");
        assertThatThrownBy(() -> read("ports: [{host: h, port: 1883.5}]\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("s.yml: ports[0].port must be an integer, got '1883.5'");
        assertThatThrownBy(() -> read("ports: [{host: h, port: 1, tls: 'yes'}]\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("s.yml: ports[0].tls must be true or false");
        assertThatThrownBy(() -> read("lanes: {a: 'two'}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("s.yml: lanes.a must be an integer");
    }

    @Test
    void aMissingPrimitiveIsNotReadAsZero() {
        assertThatThrownBy(() -> read("ports: [{host: h, port: null}]\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("s.yml: ports[0].port");
    }

    @Test
    void errorsNameFilePathAndWhatWasExpected() {
        assertThatThrownBy(() -> read("ports: [{host: h, port: 1, colour: red}]\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("s.yml: ports[0].colour is not a known key; expected one of [host, port, tls]")
                .satisfies(e -> {
                    ConfigException c = (ConfigException) e;
                    assertThat(c.file()).isEqualTo("s.yml");
                    assertThat(c.path()).isEqualTo("ports[0].colour");
                    assertThat(c.problem()).startsWith("is not a known key");
                });
        assertThatThrownBy(() -> read("ports: [{host: h, port: 70000}]\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("s.yml: ports[0].port must be 1..65535, got 70000");
        assertThatThrownBy(() -> read("shape: {type: triangle}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("s.yml: shape.type must be one of [circle, square], got 'triangle'");
        assertThatThrownBy(() -> read("ports: {host: h}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("s.yml: ports must be a list");
        assertThatThrownBy(() -> read("name: a\n\tports: x\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("s.yml: is not valid YAML at line ");
    }

    @Test
    void aFileThatCannotBeReadIsNamed(@TempDir Path dir) {
        Path missing = dir.resolve("missing.yml");
        assertThatThrownBy(() -> StrictYaml.readFile(missing))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(missing + ": cannot be read");
    }
}
