package org.limes.simulator.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class ScenarioLoaderTest {

    private static final Path SCENARIOS = Path.of("..", "config", "scenarios");

    private final ScenarioLoader loader = new ScenarioLoader();

    static Stream<Path> scenarioFiles() throws IOException {
        try (Stream<Path> files = Files.list(SCENARIOS)) {
            List<Path> list = files.filter(p -> p.toString().endsWith(".yml")).sorted().toList();
            return list.stream();
        }
    }

    @ParameterizedTest
    @MethodSource("scenarioFiles")
    void everyScenarioFileParsesAndSaysWhatItRehearsesAndWhatTheGatewayShouldDo(Path file) throws Exception {
        Scenario s = loader.load(file);
        String text = Files.readString(file);
        assertThat(s.name()).isEqualTo(file.getFileName().toString().replace(".yml", ""));
        assertThat(text).startsWith("#").contains("Rehearses:").contains("The gateway should");
        assertThat(s.realDuration().toSeconds()).as("a technician's default run stays short").isLessThanOrEqualTo(60);
    }

    @Test
    void theEightScenariosOfTheIssueAndTheSapientIntrusionExist() throws Exception {
        assertThat(scenarioFiles().map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(
                "normal-day.yml", "green-border-intrusion.yml", "watchlist-plate.yml", "silent-counter.yml",
                "sensor-malfunction.yml", "malformed-flood.yml", "clock-skew.yml", "reconnect-burst.yml",
                "sapient-intrusion.yml");
    }

    static Stream<Arguments> badScenarios() {
        return Stream.of(
                Arguments.of("duration: 1m\n", "bad.yml: name: is required"),
                Arguments.of("name: x\n", "bad.yml: duration: is required"),
                Arguments.of("name: x\nduration: 1m\nspeed: 0\n", "bad.yml: speed: must be 1..1000000, got 0.0"),
                Arguments.of("name: x\nduration: 1m\ntargets: {t: {type: tcp, uri: 'tcp://h:1'}}\ndevices: [{model: counter, every: 1s, target: t, colour: red}]\n", "bad.yml: devices[0].colour: is not a known key; expected one of"),
                Arguments.of("name: x\nduration: 1m\ntargets: {t: {type: mqtt, uri: 'tcp://h:1883'}}\n", "bad.yml: devices: is required"),
                Arguments.of("name: x\nduration: 1m\ntargets: {t: {type: carrier-pigeon, uri: 'tcp://h:1'}}\n", "bad.yml: targets.t.type: must be one of [http, mqtt, tcp, udp], got 'carrier-pigeon'"),
                Arguments.of("name: x\nduration: 1m\ntargets: {t: {type: tcp, uri: 'tcp://h'}}\n", "bad.yml: targets.t.uri: must name a host and a port"),
                Arguments.of("name: x\nduration: 1m\ntargets: {t: {type: tcp, uri: 'tcp://h:1'}}\ndevices: [{model: toaster, every: 1s, target: t}]\n", "bad.yml: devices[0].model: must be one of"),
                Arguments.of("name: x\nduration: 1m\ntargets: {t: {type: tcp, uri: 'tcp://h:1'}}\ndevices: [{model: counter, every: 1s, target: u}]\n", "bad.yml: devices[0].target: must be one of [t]"),
                Arguments.of("name: x\nduration: 1m\ntargets: {t: {type: tcp, uri: 'tcp://h:1'}}\ndevices: [{model: counter, target: t}]\n", "bad.yml: devices[0].every: is required"),
                Arguments.of("name: x\nduration: 1m\ntargets: {t: {type: tcp, uri: 'tcp://h:1'}}\ndevices: [{model: counter, every: 1s, target: t, count: lots}]\n", "bad.yml: devices[0].count: must be an integer"),
                Arguments.of("name: x\nduration: 1m\ntargets: {t: {type: tcp, uri: 'tcp://h:1'}}\ndevices: [{model: counter, every: 1s, target: t}]\nfaults: [{kind: silent, device: cnt-09}]\n", "bad.yml: faults[0].device: must be a device of the scenario"),
                Arguments.of("name: x\nduration: 1m\ntargets: {t: {type: tcp, uri: 'tcp://h:1'}}\ndevices: [{model: counter, every: 1s, target: t}]\nfaults: [{kind: malformed, device: '*', ratio: 2}]\n", "bad.yml: faults[0].ratio: must be above 0 and at most 1, got 2.0"),
                Arguments.of("name: x\nduration: 1m\ntargets: {t: {type: tcp, uri: 'tcp://h:1'}}\ndevices: [{model: counter, every: 1s, target: t}]\nfaults: [{kind: clock_skew, device: '*'}]\n", "bad.yml: faults[0].offset: is required for clock_skew"),
                Arguments.of("name: x\nduration: 1m\ntargets: {t: {type: tcp, uri: 'tcp://h:1'}}\ndevices: [{model: counter, every: 1s, target: t}]\nfaults: [{kind: silent, device: '*', from: 5m}]\n", "bad.yml: faults[0].from: must be before the end"),
                // The gateway's strict reader: a key given twice is an error, not the last one winning ...
                Arguments.of("name: x\nduration: 1m\nname: y\n", "bad.yml: is not valid YAML at line 3: Duplicate field 'name'"),
                Arguments.of("name: x\nduration: 1m\ntargets: {t: {type: tcp, uri: 'tcp://h:1'}}\ndevices: [{model: counter, every: 1s, target: t, count: 2, count: 3}]\n", "Duplicate field 'count'"),
                // ... and a scalar of another kind is not coerced: not "3" to 3, nor 2.5 to 2.
                Arguments.of("name: x\nduration: 1m\ntargets: {t: {type: tcp, uri: 'tcp://h:1'}}\ndevices: [{model: counter, every: 1s, target: t, count: '3'}]\n", "bad.yml: devices[0].count: must be an integer, got '3'"),
                Arguments.of("name: x\nduration: 1m\ntargets: {t: {type: tcp, uri: 'tcp://h:1'}}\ndevices: [{model: counter, every: 1s, target: t, count: 2.5}]\n", "bad.yml: devices[0].count: must be an integer, got '2.5'"));
    }

    @ParameterizedTest
    @MethodSource("badScenarios")
    void badScenariosNameFilePathAndExpectation(String yaml, String expected) {
        assertThatThrownBy(() -> loader.parse("bad.yml", yaml.replace("\\n", "\n")))
                .isInstanceOf(ScenarioException.class)
                .hasMessageStartingWith("bad.yml")
                .hasMessageContaining(expected);
    }
}
