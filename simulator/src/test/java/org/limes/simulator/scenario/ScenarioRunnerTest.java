package org.limes.simulator.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.limes.drivers.Driver;
import org.limes.drivers.DriverOptions;
import org.limes.drivers.Drivers;
import org.limes.drivers.Frame;
import org.limes.drivers.Reading;
import org.limes.drivers.sapient.SapientMessages;
import org.limes.simulator.replay.CapturedFrame;
import org.limes.simulator.transport.TargetConfig;

/** Scenarios played over UDP into a real socket: faults, determinism, capture. */
class ScenarioRunnerTest {

    private static final String START = "2026-11-26T06:00:00Z";
    private final Driver counterJson = Drivers.load().create("counter-json", DriverOptions.empty());
    private DatagramSocket receiver;

    @BeforeEach
    void open() throws Exception {
        receiver = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        receiver.setReceiveBufferSize(1 << 20);
        receiver.setSoTimeout(2_000);
    }

    @AfterEach
    void close() {
        receiver.close();
    }

    @Test
    void faultsShapeWhatIsSentAndTheResultCountsThem() throws Exception {
        Scenario s = scenario(List.of(
                new FaultConfig("silent", "cnt-01", "2s", "5s", null, null, null, null),
                new FaultConfig("clock_skew", "cnt-02", "5s", "8s", null, null, null, "+10m"),
                new FaultConfig("malformed", "cnt-02", "8s", null, null, null, 1.0, null),
                new FaultConfig("out_of_range", "cnt-01", "9s", null, "speed_avg_mps", 95.0, null, null)));

        ScenarioResult result = new ScenarioRunner(s, Clock.systemUTC()).run(p -> { }, null);
        List<byte[]> frames = receive((int) result.sent());

        assertThat(result.sent()).isEqualTo(20 - 3);
        assertThat(result.suppressed()).isEqualTo(3);
        assertThat(result.malformed()).isEqualTo(3);
        assertThat(result.delivered()).isEqualTo(result.sent());
        assertThat(result.goodReadings()).isEqualTo(Map.of("cnt-01", 7L, "cnt-02", 7L));
        List<Reading> good = new ArrayList<>();
        int bad = 0;
        for (byte[] f : frames) {
            try {
                good.add(counterJson.decode(new Frame(f, "test", "udp", Instant.EPOCH)).get(0));
            } catch (org.limes.drivers.DecodeException e) {
                bad++;
            }
        }
        assertThat(bad).isEqualTo(3);
        Instant start = Instant.parse(START);
        assertThat(good).filteredOn(r -> r.deviceId().equals("cnt-02")).extracting(Reading::deviceTime)
                .contains(start.plusSeconds(6).plus(Duration.ofMinutes(10)))
                .doesNotContain(start.plusSeconds(6));
        assertThat(good).filteredOn(r -> r.deviceId().equals("cnt-01")).extracting(Reading::deviceTime)
                .doesNotContain(start.plusSeconds(2), start.plusSeconds(3), start.plusSeconds(4));
        assertThat(good).filteredOn(r -> r.deviceId().equals("cnt-01") && r.deviceTime().equals(start.plusSeconds(10)))
                .singleElement().extracting(r -> r.number("speed_avg_mps")).isEqualTo(95.0);
    }

    @Test
    void anOfflineDeviceSendsItsHeldFramesOldestFirstWhenTheLinkReturns() throws Exception {
        Scenario s = scenario(List.of(new FaultConfig("offline", "cnt-01", "2s", "6s", null, null, null, null)));

        ScenarioResult result = new ScenarioRunner(s, Clock.systemUTC()).run(p -> { }, null);
        List<Instant> cnt01 = new ArrayList<>();
        for (byte[] f : receive((int) result.sent())) {
            Reading r = counterJson.decode(new Frame(f, "test", "udp", Instant.EPOCH)).get(0);
            if (r.deviceId().equals("cnt-01")) {
                cnt01.add(r.deviceTime());
            }
        }
        assertThat(result.sent()).isEqualTo(20);
        assertThat(cnt01).hasSize(10).isSorted();
    }

    @Test
    void theSameSeedAndStartSendTheSameBytesAndTheCaptureHoldsThem() throws Exception {
        Scenario s = scenario(List.of(new FaultConfig("malformed", "*", "0s", null, null, null, 0.3, null)));
        List<CapturedFrame> captured = new ArrayList<>();
        ScenarioResult first = new ScenarioRunner(s, Clock.systemUTC()).run(p -> { }, captured::add);
        List<String> a = text(receive((int) first.sent()));
        ScenarioResult second = new ScenarioRunner(s, Clock.systemUTC()).run(p -> { }, null);
        List<String> b = text(receive((int) second.sent()));

        assertThat(a).hasSize(20).isEqualTo(b);
        assertThat(captured).extracting(f -> new String(f.frame(), StandardCharsets.UTF_8)).isEqualTo(a);
        CapturedFrame line = CapturedFrame.parse(captured.get(3).toJsonLine());
        assertThat(line.frame()).isEqualTo(captured.get(3).frame());
        assertThat(line.device()).isEqualTo(captured.get(3).device());

        Scenario other = s.with(s.targets(), s.speed(), null, 99L);
        ScenarioResult third = new ScenarioRunner(other, Clock.systemUTC()).run(p -> { }, null);
        assertThat(text(receive((int) third.sent()))).isNotEqualTo(a);
    }

    @Test
    void aSapientReportsReadingsAreCountedUnderTheirOwnKindsAsTheGatewayDecodesAndStoresThem() throws Exception {
        Scenario file = new ScenarioLoader().load(Path.of("..", "config", "scenarios", "sapient-intrusion.yml"));
        Scenario s = file.with(Map.of("sapient", new TargetConfig("udp", "udp://127.0.0.1:" + receiver.getLocalPort(),
                null, null, null, null)), 1000, START, null);

        ScenarioResult result = new ScenarioRunner(s, Clock.systemUTC()).run(p -> { }, null);
        Driver sapient = Drivers.load().create("sapient", DriverOptions.empty());
        Map<String, Long> decoded = new TreeMap<>();
        for (byte[] report : receive((int) result.sent())) {
            int at = 0;
            while (at < report.length) {
                int len = (int) SapientMessages.length(report, at);
                byte[] message = Arrays.copyOfRange(report, at + SapientMessages.LENGTH_BYTES,
                        at + SapientMessages.LENGTH_BYTES + len);
                sapient.decode(new Frame(message, "test", "udp", Instant.EPOCH))
                        .forEach(r -> decoded.merge(r.kind(), 1L, Long::sum));
                at += SapientMessages.LENGTH_BYTES + len;
            }
        }

        assertThat(result.complete()).isTrue();
        assertThat(decoded).containsOnlyKeys("device_health", "radar_track", "sapient_alert");
        assertThat(result.goodReadingsByKind()).isEqualTo(decoded);
        assertThat(result.goodReadings()).containsEntry("sapient-radar-1",
                decoded.values().stream().mapToLong(Long::longValue).sum());
    }

    private Scenario scenario(List<FaultConfig> faults) {
        return new Scenario("t", "", 42L, "ras-ajdir", "10s", 200.0, START,
                Map.of("udp", new TargetConfig("udp", "udp://127.0.0.1:" + receiver.getLocalPort(), null, null, null,
                        null)),
                List.of(new DeviceGroupConfig("counter", 2, "cnt", "1s", "udp", null, null, null, null, null, null,
                        null, null, null, null, null)),
                faults);
    }

    private List<byte[]> receive(int n) throws Exception {
        List<byte[]> out = new ArrayList<>();
        byte[] buf = new byte[65_536];
        while (out.size() < n) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                receiver.receive(p);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("received " + out.size() + " of " + n + " datagrams", e);
            }
            out.add(Arrays.copyOf(p.getData(), p.getLength()));
        }
        return out;
    }

    private static List<String> text(List<byte[]> frames) {
        return frames.stream().map(f -> new String(f, StandardCharsets.UTF_8)).toList();
    }

}
