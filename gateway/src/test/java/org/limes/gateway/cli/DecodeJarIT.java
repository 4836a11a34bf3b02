package org.limes.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Timestamp;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.drivers.sapient.SapientMessages;
import org.limes.drivers.sapient.proto.DetectionReport;
import org.limes.drivers.sapient.proto.RangeBearing;
import org.limes.drivers.sapient.proto.RangeBearingCoordinateSystem;
import org.limes.drivers.sapient.proto.RangeBearingDatum;
import org.limes.drivers.sapient.proto.Registration;
import org.limes.drivers.sapient.proto.SapientMessage;

/**
 * The done-when, on the shaded jar itself ({@code target/limes-gateway.jar}, built by
 * {@code package} before failsafe runs): {@code java -jar limes-gateway.jar decode --driver sapient
 * --file F}, no options, decodes a capture of 4-byte little-endian framed SAPIENT messages — one
 * JSON object per detection on stdout, a malformed and a truncated message each reported on
 * stderr with its byte position, exit 1. What an in-process test cannot see: the driver's
 * {@code ServiceLoader} line merged into the jar and the protobuf classes (ours and
 * protobuf-java's) present under their own names.
 */
class DecodeJarIT {

    private static final Path JAR = Path.of("target", "limes-gateway.jar");
    private static final String NODE = "6f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9";

    @TempDir
    Path dir;

    @Test
    void theShadedJarHoldsTheSapientDriverAndItsProtobufClassesUnrelocated() throws Exception {
        assertThat(JAR).as("the shaded jar, built by package before integration-test").isRegularFile();
        try (ZipFile jar = new ZipFile(JAR.toFile())) {
            assertThat(jar.getEntry("org/limes/drivers/sapient/proto/SapientMessage.class")).isNotNull();
            assertThat(jar.getEntry("com/google/protobuf/GeneratedMessage.class")).isNotNull();
            String services = new String(jar.getInputStream(jar.getEntry(
                    "META-INF/services/org.limes.drivers.DriverFactory")).readAllBytes(), StandardCharsets.UTF_8);
            assertThat(services).contains("org.limes.drivers.sapient.SapientDriverFactory")
                    .contains("org.limes.drivers.radar.nmea.");
        }
    }

    @Test
    void decodeOfASapientCaptureNeedsNoOptionsPrintsEachDetectionAndReportsTheBadMessagesByPosition()
            throws Exception {
        Instant t = Instant.parse("2026-12-05T10:00:00Z");
        SapientMessage registration = SapientMessage.newBuilder()
                .setTimestamp(Timestamp.newBuilder().setSeconds(t.getEpochSecond())).setNodeId(NODE)
                .setRegistration(Registration.newBuilder().setIcdVersion("BSI Flex 335 v2.0")
                        .addNodeDefinition(Registration.NodeDefinition.newBuilder()
                                .setNodeType(Registration.NodeType.NODE_TYPE_RADAR)))
                .build();
        SapientMessage first = detection(t, "01JEB8V5Q3K9G2M4N6P8R0S2T4", 0.5, 300);
        SapientMessage second = detection(t.plusSeconds(2), "01JEB8V5Q3K9G2M4N6P8R0S2T4", 0.25, 301);
        byte[] body = second.toByteArray();
        ByteArrayOutputStream capture = new ByteArrayOutputStream();
        capture.writeBytes(SapientMessages.frame(registration));
        capture.writeBytes(SapientMessages.frame(first));
        int malformedAt = capture.size();
        // a message whose length is right but whose body was cut inside its last field
        capture.writeBytes(SapientMessages.frame(Arrays.copyOf(body, body.length - 7)));
        capture.writeBytes(SapientMessages.frame(second));
        int truncatedAt = capture.size();
        byte[] last = SapientMessages.frame(first);
        capture.write(last, 0, last.length - 5);
        Path file = dir.resolve("capture.bin");
        Files.write(file, capture.toByteArray());

        Path stdout = dir.resolve("out.txt");
        Path stderr = dir.resolve("err.txt");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString(), "decode", "--driver", "sapient", "--file", file.toString())
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        try {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("decode ends").isTrue();
        } finally {
            p.destroyForcibly();
        }

        assertThat(p.exitValue()).as("exit 1 when any message failed").isEqualTo(1);
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> readings = new ArrayList<>();
        for (String line : Files.readAllLines(stdout)) {
            readings.add(json.readTree(line));
        }
        assertThat(readings).extracting(r -> r.get("kind").asText())
                .containsExactly("device_health", "radar_track", "radar_track");
        assertThat(readings.subList(1, 3)).extracting(r -> r.get("fields").get("range_m").asDouble())
                .containsExactly(500.0, 250.0);
        assertThat(readings).allMatch(r -> r.get("device").asText().equals(NODE));
        assertThat(Files.readAllLines(stderr)).filteredOn(l -> l.startsWith(file.toString())).containsExactly(
                file + ": message at byte " + malformedAt + ": byte " + malformedByte(body)
                        + ": truncated: a field runs past the end of the message",
                file + ": message at byte " + truncatedAt + ": length " + (last.length - 4)
                        + " runs past the end of the input (" + (last.length - 9) + " bytes left); truncated, the "
                        + "messages after it cannot be found");
    }

    /** Where protobuf stops in the cut body: where the value of the field it cuts (the detection report) starts. */
    private static int malformedByte(byte[] body) throws Exception {
        SapientMessage m = SapientMessage.parseFrom(body);
        return body.length - m.getDetectionReport().getSerializedSize();
    }

    private static SapientMessage detection(Instant t, String object, double rangeKm, double bearingDeg) {
        return SapientMessage.newBuilder()
                .setTimestamp(Timestamp.newBuilder().setSeconds(t.getEpochSecond()))
                .setNodeId(NODE)
                .setDetectionReport(DetectionReport.newBuilder().setReportId("01JEB8V5Q3K9G2M4N6P8R0S2T0")
                        .setObjectId(object)
                        .setRangeBearing(RangeBearing.newBuilder().setRange(rangeKm).setAzimuth(bearingDeg)
                                .setCoordinateSystem(RangeBearingCoordinateSystem.RANGE_BEARING_COORDINATE_SYSTEM_DEGREES_KM)
                                .setDatum(RangeBearingDatum.RANGE_BEARING_DATUM_TRUE)))
                .build();
    }
}
