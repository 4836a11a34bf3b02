package org.limes.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.gateway.Main;
import picocli.CommandLine;

class DecodeCommandTest {

    private static final Instant NOW = Instant.parse("2026-11-26T06:00:02Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String stdin, String... args) {
        CommandLine cli = new CommandLine(new DecodeCommand(
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), Clock.fixed(NOW, ZoneOffset.UTC)));
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    private List<JsonNode> readings() throws Exception {
        return out.toString().lines().map(l -> {
            try {
                return JSON.readTree(l);
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + l, e);
            }
        }).toList();
    }

    @Test
    void counterJsonFromAFileGoodAndBadLines() throws Exception {
        Path capture = dir.resolve("capture.ndjson");
        Files.writeString(capture, """
                {"device":"cnt-01","time":"2026-11-26T06:00:00Z","lane":"1","direction":"inbound","interval_s":60,"counts":{"car":12}}
                {"device":"cnt-01","time":"2026-11-26T06:01:00Z","lane":"1","direction":"sideways","interval_s":60,"counts":{"car":3}}

                {"device":"cnt-02","time":"2026-11-26T06:01:00Z","lane":"2","direction":"outbound","interval_s":60,"counts":{"car":4},"avg_speed_kmh":36}
                """);

        int code = run("", "--driver", "counter-json", "--file", capture.toString());

        assertThat(code).isEqualTo(1);
        List<JsonNode> readings = readings();
        assertThat(readings).hasSize(2);
        assertThat(readings.get(0).get("kind").asText()).isEqualTo("vehicle_count");
        assertThat(readings.get(0).get("device").asText()).isEqualTo("cnt-01");
        assertThat(readings.get(0).get("fields").get("count_total").asLong()).isEqualTo(12);
        assertThat(readings.get(0).get("device_time").asText()).isEqualTo("2026-11-26T06:00:00Z");
        assertThat(readings.get(0).get("received_at").asText()).isEqualTo("2026-11-26T06:00:02Z");
        assertThat(readings.get(1).get("fields").get("speed_avg_mps").asDouble()).isEqualTo(10.0);
        assertThat(err.toString().lines().toList()).containsExactly(capture + ": line 2 (byte 119): field direction: "
                + "must be \"inbound\" or \"outbound\", got \"sideways\"");
    }

    @Test
    void radarFromStandardInputWithOptionsExitsZeroWhenAllDecode() throws Exception {
        String stdin = "$RATTM,07,0.50,045.0,T,10.0,270.0,T,0.10,-1.5,N,PED1,T,,055959.50,A*" + checksum(
                "RATTM,07,0.50,045.0,T,10.0,270.0,T,0.10,-1.5,N,PED1,T,,055959.50,A") + "\r\n";

        int code = run(stdin, "--driver", "radar-nmea", "--option", "device=radar-north");

        assertThat(code).isZero();
        assertThat(err.toString()).isEmpty();
        JsonNode r = readings().get(0);
        assertThat(r.get("device").asText()).isEqualTo("radar-north");
        assertThat(r.get("tags").get("track").asText()).isEqualTo("7");
        assertThat(r.get("fields").get("range_m").asDouble()).isEqualTo(926.0);
        assertThat(r.get("device_time").asText()).isEqualTo("2026-11-26T05:59:59.500Z");
    }

    @Test
    void radarBadChecksumIsReportedWithItsOffset() {
        int code = run("$RATTM,07,,,,,,,,,,,L,,,*00\n", "--driver", "radar-nmea", "--option", "device=r");

        assertThat(code).isEqualTo(1);
        assertThat(err.toString().strip()).startsWith("stdin: line 1 (byte 0): byte 25: checksum mismatch");
    }

    @Test
    void counterCsvAndLineProtocolWithOptions() throws Exception {
        int csv = run("401,2,12,61.5,120,9,,95,2026-11-26 08:00:00\n401,x\n", "--driver", "counter-csv",
                "--option", "zone=Africa/Tripoli", "--option", "interval_s=60");

        assertThat(csv).isEqualTo(1);
        assertThat(readings()).hasSize(2).allSatisfy(r -> assertThat(r.get("fields").get("interval_s").asLong())
                .isEqualTo(60));
        assertThat(err.toString()).contains("line 2 (byte 44): field lanes (column 2): must be an integer 1..16, got 'x'");

        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        int lp = run("# capture\nm,host=a f=1i 1\nm,host=b f=2i 2\n", "--driver", "lineprotocol",
                "--option", "device_tag=host");
        assertThat(lp).isZero();
        assertThat(readings()).extracting(r -> r.get("device").asText()).containsExactly("a", "b");
    }

    @Test
    void usageErrorsExitTwo() {
        assertThat(run("", "--driver", "nope")).isEqualTo(2);
        assertThat(err.toString()).contains("unknown driver 'nope', expected one of [")
                .contains("counter-csv").contains("counter-json").contains("lineprotocol").contains("radar-nmea");

        err.getBuffer().setLength(0);
        assertThat(run("", "--driver", "counter-csv")).isEqualTo(2);
        assertThat(err.toString()).contains("option zone is required");

        err.getBuffer().setLength(0);
        assertThat(run("", "--driver", "counter-json", "--file", dir.resolve("missing").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("missing");

        assertThat(run("")).as("--driver is required").isEqualTo(2);
    }

    @Test
    void isASubcommandOfTheGateway() {
        assertThat(new CommandLine(new Main()).getSubcommands()).containsKey("decode");
    }

    private static String checksum(String body) {
        int sum = 0;
        for (char c : body.toCharArray()) {
            sum ^= c;
        }
        return String.format("%02X", sum);
    }
}
