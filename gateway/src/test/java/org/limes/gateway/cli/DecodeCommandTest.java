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
import com.google.protobuf.Timestamp;
import org.limes.drivers.sapient.SapientMessages;
import org.limes.drivers.sapient.proto.DetectionReport;
import org.limes.drivers.sapient.proto.RangeBearing;
import org.limes.drivers.sapient.proto.RangeBearingCoordinateSystem;
import org.limes.drivers.sapient.proto.RangeBearingDatum;
import org.limes.drivers.sapient.proto.SapientMessage;
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
    void sapientCaptureNeedsNoOptionsReportsTheBadAndTruncatedMessagesByPositionAndDecodesTheGoodOnes()
            throws Exception {
        String node = "6f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9";
        Instant t = Instant.parse("2026-11-26T06:00:00Z");
        SapientMessage detection = SapientMessage.newBuilder()
                .setTimestamp(Timestamp.newBuilder().setSeconds(t.getEpochSecond()))
                .setNodeId(node)
                .setDetectionReport(DetectionReport.newBuilder().setReportId("01JEB8V5Q3K9G2M4N6P8R0S2T0")
                        .setObjectId("01JEB8V5Q3K9G2M4N6P8R0S2T4")
                        .setRangeBearing(RangeBearing.newBuilder().setRange(0.5).setAzimuth(270)
                                .setCoordinateSystem(RangeBearingCoordinateSystem.RANGE_BEARING_COORDINATE_SYSTEM_DEGREES_KM)
                                .setDatum(RangeBearingDatum.RANGE_BEARING_DATUM_TRUE)))
                .build();
        SapientMessage second = detection.toBuilder().setDetectionReport(detection.getDetectionReport().toBuilder()
                .setObjectId("01JEB8V5Q3K9G2M4N6P8R0S2T5")).build();
        SapientMessage badNode = detection.toBuilder().setNodeId("radar-1").build();
        byte[] first = SapientMessages.frame(detection);
        byte[] bad = SapientMessages.frame(badNode);
        byte[] good = SapientMessages.frame(second);
        byte[] truncated = java.util.Arrays.copyOf(SapientMessages.frame(detection), 20);
        java.io.ByteArrayOutputStream capture = new java.io.ByteArrayOutputStream();
        capture.writeBytes(first);
        capture.writeBytes(bad);
        capture.writeBytes(good);
        capture.writeBytes(truncated);
        Path file = dir.resolve("sapient.bin");
        Files.write(file, capture.toByteArray());

        int code = run("", "--driver", "sapient", "--file", file.toString());

        assertThat(code).isEqualTo(1);
        List<JsonNode> readings = readings();
        assertThat(readings).hasSize(2);
        assertThat(readings).extracting(r -> r.get("tags").get("track").asText())
                .containsExactly("01JEB8V5Q3K9G2M4N6P8R0S2T4", "01JEB8V5Q3K9G2M4N6P8R0S2T5");
        assertThat(readings.get(0).get("device").asText()).isEqualTo(node);
        assertThat(readings.get(0).get("kind").asText()).isEqualTo("radar_track");
        assertThat(readings.get(0).get("fields").get("range_m").asDouble()).isEqualTo(500.0);
        assertThat(readings.get(0).get("fields").get("bearing_deg").asDouble()).isEqualTo(270.0);
        int badAt = first.length;
        int truncatedAt = first.length + bad.length + good.length;
        assertThat(err.toString().lines().toList()).containsExactly(
                file + ": message at byte " + badAt + ": field node_id: must be a UUID (8-4-4-4-12 hexadecimal "
                        + "digits), got 7 characters that are not",
                file + ": message at byte " + truncatedAt + ": length " + (first.length - 4) + " runs past the end of "
                        + "the input (16 bytes left); truncated, the messages after it cannot be found");
    }

    @Test
    void aSapientMessageCutShortInsideItsBodyIsReportedAtTheProtobufByte() throws Exception {
        byte[] body = SapientMessage.newBuilder().setNodeId("6f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9")
                .setTimestamp(Timestamp.newBuilder().setSeconds(1)).build().toByteArray();
        byte[] cut = java.util.Arrays.copyOf(body, body.length - 3);
        Path file = dir.resolve("cut.bin");
        Files.write(file, SapientMessages.frame(cut));

        assertThat(run("", "--driver", "sapient", "--file", file.toString())).isEqualTo(1);
        assertThat(out.toString()).isEmpty();
        // the node id (36 bytes, the last field) is cut: protobuf stops where its value starts
        assertThat(err.toString().lines().toList()).containsExactly(file + ": message at byte 0: byte "
                + (body.length - 36) + ": truncated: a field runs past the end of the message");
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
