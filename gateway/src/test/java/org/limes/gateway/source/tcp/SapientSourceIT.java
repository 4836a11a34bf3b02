package org.limes.gateway.source.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Timestamp;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.drivers.sapient.SapientMessages;
import org.limes.drivers.sapient.proto.Alert;
import org.limes.drivers.sapient.proto.AlertAck;
import org.limes.drivers.sapient.proto.DetectionReport;
import org.limes.drivers.sapient.proto.RangeBearing;
import org.limes.drivers.sapient.proto.RangeBearingCoordinateSystem;
import org.limes.drivers.sapient.proto.RangeBearingDatum;
import org.limes.drivers.sapient.proto.Registration;
import org.limes.drivers.sapient.proto.SapientMessage;
import org.limes.gateway.source.PipelineFixture;
import org.limes.gateway.source.SourceMetrics;

/** A real socket against the SAPIENT source, a real pipeline and outbox behind it. */
class SapientSourceIT {

    private static final String NODE = "6f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9";
    private static final String STRANGER = "00000000-0000-4000-8000-00000000beef";
    private static final Instant T = Instant.parse("2026-11-26T06:00:00Z");

    @TempDir
    Path dir;

    private PipelineFixture fixture;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void pipeline() throws Exception {
        fixture = new PipelineFixture(dir, 256);
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        fixture.close();
    }

    private SapientSource start() {
        SapientSourceConfig config = new SapientSourceConfig("sapient-in", "127.0.0.1", 0, List.of(
                new SapientSourceConfig.Node(NODE.toUpperCase(), "sapient-radar-1", 32.8843, 11.5563)), null, null,
                null, null, null, null, null, null);
        SapientSource source = new SapientSource(config, "test-gw", fixture.drivers, fixture.pipeline,
                fixture.inventory::knows, new SourceMetrics(fixture.registry, "sapient-in"), Clock.systemUTC(),
                System::nanoTime);
        source.start();
        open.add(0, source);
        return source;
    }

    private Socket connect(SapientSource source) throws IOException {
        Socket s = new Socket("127.0.0.1", source.port());
        s.setSoTimeout(10_000);
        open.add(0, s);
        return s;
    }

    private static SapientMessage.Builder message(String node, int second) {
        return SapientMessage.newBuilder().setNodeId(node)
                .setTimestamp(Timestamp.newBuilder().setSeconds(T.getEpochSecond() + second));
    }

    private static SapientMessage registration(String node) {
        return message(node, 0).setRegistration(Registration.newBuilder().setIcdVersion("BSI Flex 335 v2.0")
                .addNodeDefinition(Registration.NodeDefinition.newBuilder()
                        .setNodeType(Registration.NodeType.NODE_TYPE_RADAR))).build();
    }

    private static SapientMessage detection(String node, int second) {
        return message(node, second).setDetectionReport(DetectionReport.newBuilder()
                .setReportId("01JEB8V5Q3K9G2M4N6P8R0S2T" + second).setObjectId("01JEB8V5Q3K9G2M4N6P8R0S2T4")
                .setRangeBearing(RangeBearing.newBuilder().setRange(1.2).setAzimuth(90)
                        .setCoordinateSystem(RangeBearingCoordinateSystem.RANGE_BEARING_COORDINATE_SYSTEM_DEGREES_KM)
                        .setDatum(RangeBearingDatum.RANGE_BEARING_DATUM_TRUE))).build();
    }

    private static void send(Socket s, SapientMessage m) throws IOException {
        s.getOutputStream().write(SapientMessages.frame(m));
        s.getOutputStream().flush();
    }

    private static SapientMessage receive(Socket s) throws IOException {
        DataInputStream in = new DataInputStream(s.getInputStream());
        byte[] len = in.readNBytes(4);
        byte[] body = in.readNBytes((int) SapientMessages.length(len, 0));
        return SapientMessage.parseFrom(body);
    }

    @Test
    void aRegisteredSensorIsAcknowledgedItsDetectionsStoredAndItsAlertsAcknowledged() throws Exception {
        SapientSource source = start();
        Socket sensor = connect(source);

        send(sensor, detection(NODE, 1));
        await().atMost(Duration.ofSeconds(10)).until(() ->
                fixture.count("limes.dropped", "component", "source-sapient-in", "reason", "unregistered_node") == 1);

        send(sensor, registration(NODE));
        SapientMessage ack = receive(sensor);
        assertThat(ack.hasRegistrationAck()).isTrue();
        assertThat(ack.getRegistrationAck().getAcceptance()).isTrue();
        assertThat(ack.getDestinationId()).isEqualTo(NODE);
        assertThat(ack.getNodeId()).isEqualTo(source.fusionNodeId());

        send(sensor, detection(NODE, 2));
        send(sensor, message(NODE, 3).setAlert(Alert.newBuilder().setAlertId("01JEB8V5Q3K9G2M4N6P8R0S2T7")
                .setStatus(Alert.AlertStatus.ALERT_STATUS_ACTIVE).setDescription("fence")).build());
        SapientMessage alertAck = receive(sensor);
        assertThat(alertAck.getAlertAck().getAlertId()).isEqualTo("01JEB8V5Q3K9G2M4N6P8R0S2T7");
        assertThat(alertAck.getAlertAck().getAlertAckStatus()).isEqualTo(AlertAck.AlertAckStatus.ALERT_ACK_STATUS_ACCEPTED);

        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.stored() >= 3);
        List<String> lines = fixture.storedLines();
        assertThat(lines).anyMatch(l -> l.startsWith("device_health,") && l.contains("device=sapient-radar-1")
                && l.contains("registered=t"));
        assertThat(lines).anyMatch(l -> l.startsWith("radar_track,") && l.contains("device=sapient-radar-1")
                && l.contains("track=01JEB8V5Q3K9G2M4N6P8R0S2T4") && l.contains("range_m=1200") && l.contains("lat_deg="));
        assertThat(lines).anyMatch(l -> l.startsWith("sapient_alert,") && l.contains("device=sapient-radar-1"));
        assertThat(lines).noneMatch(l -> l.contains(NODE));
    }

    @Test
    void anUnknownNodeIsRefusedAndAnotherNodeOnARegisteredConnectionDropped() throws Exception {
        SapientSource source = start();
        Socket stranger = connect(source);

        send(stranger, registration(STRANGER));
        SapientMessage ack = receive(stranger);
        assertThat(ack.getRegistrationAck().getAcceptance()).isFalse();
        assertThat(ack.getRegistrationAck().getAckResponseReasonList()).containsExactly(
                "node is not in this fusion node's inventory");
        send(stranger, detection(STRANGER, 1));

        Socket sensor = connect(source);
        send(sensor, registration(NODE));
        assertThat(receive(sensor).getRegistrationAck().getAcceptance()).isTrue();
        send(sensor, detection(STRANGER, 2));

        await().atMost(Duration.ofSeconds(10)).until(() ->
                fixture.count("limes.dropped", "component", "source-sapient-in", "reason", "unknown_node") == 1
                        && fixture.count("limes.dropped", "component", "source-sapient-in", "reason",
                        "unregistered_node") == 1
                        && fixture.count("limes.dropped", "component", "source-sapient-in", "reason",
                        "node_mismatch") == 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.stored() >= 1);
        assertThat(fixture.storedLines()).hasSize(1).allMatch(l -> l.startsWith("device_health,"));
    }
}
