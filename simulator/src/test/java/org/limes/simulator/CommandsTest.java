package org.limes.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.limes.simulator.replay.CapturedFrame;
import picocli.CommandLine;

class CommandsTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cmd = Main.commandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        return cmd.execute(args);
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "fleet", "replay", "devices", "chaos"})
    void everySubcommandExplainsItselfWithAnExample(String sub) {
        assertThat(run(sub, "--help")).isZero();
        assertThat(out.toString()).contains("Usage: limes-simulator " + sub);
        if (!sub.equals("devices")) {
            assertThat(out.toString()).contains("Example:");
        }
    }

    @Test
    void topHelpListsEverySubcommand() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("run", "fleet", "replay", "devices", "chaos");
    }

    @Test
    void devicesListsEveryModelWithItsDriver() {
        assertThat(run("devices")).isZero();
        for (DevicesCommand.Model m : DevicesCommand.MODELS) {
            assertThat(out.toString()).containsPattern(m.name() + "\\s+" + m.driver() + "\\s+" + m.kind());
        }
        assertThat(DevicesCommand.MODELS).extracting(DevicesCommand.Model::name)
                .containsExactlyInAnyOrderElementsOf(org.limes.simulator.scenario.DeviceGroupConfig.MODELS.keySet());
    }

    @Test
    void aBadScenarioFileIsAnInvalidOptionNamingFileAndPath() throws Exception {
        Path bad = dir.resolve("bad.yml");
        Files.writeString(bad, "name: x\nduration: 1m\nspeed: -3\n");
        assertThat(run("run", "--scenario", bad.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("bad.yml: speed: must be 1..1000000, got -3.0");
    }

    @Test
    void anUnknownTargetNameIsRefused() {
        assertThat(run("run", "--scenario", "../config/scenarios/malformed-flood.yml", "--target",
                "nowhere=tcp://127.0.0.1:1")).isEqualTo(2);
        assertThat(err.toString()).contains("--target nowhere: the scenario has no such target; it has [counters]");
    }

    @Test
    void fleetNeedsAtLeastOneDevice() {
        assertThat(run("fleet", "--target", "udp://127.0.0.1:9")).isEqualTo(2);
        assertThat(err.toString()).contains("give at least one of --counters");
    }

    @Test
    void chaosRejectsABadSchedule() {
        assertThat(run("chaos", "--to", "127.0.0.1:1883", "--schedule", "cut, pass")).isEqualTo(2);
        assertThat(err.toString()).contains("--schedule: phase 1 (cut) needs a duration");
    }

    @Test
    void replaySendsEveryCapturedFrameAndSkipsBadLines() throws Exception {
        try (DatagramSocket receiver = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            receiver.setSoTimeout(5_000);
            Path capture = dir.resolve("capture.jsonl");
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                lines.add(new CapturedFrame(i * 10L, "t", "cnt-0" + i, "vehicle_count",
                        ("frame-" + i).getBytes(StandardCharsets.UTF_8)).toJsonLine());
            }
            lines.add(2, "{\"at_ms\":\"soon\"}");
            Files.write(capture, lines);

            assertThat(run("replay", capture.toString(), "--target", "udp://127.0.0.1:" + receiver.getLocalPort(),
                    "--speed", "0", "--json")).isZero();

            List<String> got = new ArrayList<>();
            byte[] buf = new byte[1024];
            for (int i = 0; i < 5; i++) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                receiver.receive(p);
                got.add(new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8));
            }
            assertThat(got).containsExactly("frame-0", "frame-1", "frame-2", "frame-3", "frame-4");
            assertThat(err.toString()).contains("capture.jsonl:3: skipped: at_ms must be an integer");
            assertThat(out.toString()).contains("\"sent\":5,\"delivered\":5,\"failed\":0,\"skipped_lines\":1");
        }
    }
}
