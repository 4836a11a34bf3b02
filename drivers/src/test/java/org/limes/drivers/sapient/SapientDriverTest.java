package org.limes.drivers.sapient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.limes.drivers.DecodeException;
import org.limes.drivers.Driver;
import org.limes.drivers.DriverContractTest;
import org.limes.drivers.DriverOptions;
import org.limes.drivers.Framing;
import org.limes.drivers.Reading;
import org.limes.drivers.sapient.proto.DetectionReport;
import org.limes.drivers.sapient.proto.RangeBearing;
import org.limes.drivers.sapient.proto.RangeBearingCoordinateSystem;
import org.limes.drivers.sapient.proto.RangeBearingDatum;
import org.limes.drivers.sapient.proto.SapientMessage;

class SapientDriverTest extends DriverContractTest {

    static final String NODE = "6f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9";
    /** Golden case detection-range-bearing-km-radians: 1.2 km at π/2 rad, Human 0.5, Vehicle 0.25, Walking. */
    static final String DETECTION = "0a0c08e0959fd8061080cab5ee01122436663165326433632d346235612d343937382d38363935"
            + "2d6134623363326431653066393a8c010a1a30314a454238563551334b3947324d344e365038523053325430121a30314a4542"
            + "38563551334b3947324d344e3650385230533254342a1f097b14ae47e17a843f11182d4454fb21f93f19333333333333f33f38"
            + "0440013d0000403f5a0e0a0756656869636c65150000803e5a0c0a0548756d616e150000003f620e0a0757616c6b696e6715"
            + "0000203f";
    /** Golden case alert-critical-with-range-bearing. */
    static final String ALERT = "0a0c08e0959fd8061080cab5ee01122436663165326433632d346235612d343937382d383639352d"
            + "613462336332643165306639525c0a1a30314a454238563551334b3947324d344e36503852305332543710031801221b46656e"
            + "6365206c696e65206272656163682c20736563746f7220332a16110000000000000000190000000000007940380140014003"
            + "550000603f";
    /** Golden case detection-location-node-id-names-device. */
    static final String LOCATION = "0a0c08e0959fd8061080cab5ee01122436663165326433632d346235612d343937382d383639"
            + "352d6134623363326431653066393a590a1a30314a454238563551334b3947324d344e365038523053325431121a30314a4542"
            + "38563551334b3947324d344e365038523053325435321f0992cb7f48bf1d27401145d8f0f44a714040190000000000002940"
            + "38014002";

    private static final Map<String, String> OPTIONS =
            Map.of("device", "sapient-radar-1", "sensor_lat", "32.8843", "sensor_lon", "11.5563");

    private final Driver driver = new SapientDriverFactory().create(DriverOptions.of(OPTIONS));

    @Override
    protected Driver driver() {
        return driver;
    }

    @Override
    protected DriverOptions options() {
        return DriverOptions.of(OPTIONS);
    }

    @Override
    protected List<byte[]> validFrames() {
        return List.of(hex(DETECTION), hex(ALERT), hex(LOCATION), status(), registration());
    }

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }

    private byte[] status() {
        return driver.encode(new Reading("sapient-radar-1", "", "device_health", Map.of(),
                Map.of("system", "ok", "power_level_pct", 55L, "lat_deg", 32.88, "lon_deg", 11.55),
                Instant.parse("2026-11-26T06:00:00Z"), RECEIVED_AT));
    }

    private byte[] registration() {
        return driver.encode(new Reading("sapient-radar-1", "", "device_health", Map.of(),
                Map.of("registered", true, "node_type", "radar"), Instant.parse("2026-11-26T06:00:00Z"), RECEIVED_AT));
    }

    @Test
    void declaresTheStandardsFraming() {
        assertThat(driver.framing()).isEqualTo(Framing.LENGTH_PREFIXED_U32LE);
        assertThat(driver.name()).isEqualTo("sapient");
    }

    @Test
    void rangeAndBearingAreSiWhateverTheReportsUnitsAndGiveLatLonThroughTheSensor() throws DecodeException {
        Reading r = driver.decode(frame(hex(DETECTION))).get(0);

        assertThat(r.kind()).isEqualTo("radar_track");
        assertThat(r.tags()).containsEntry("track", "01JEB8V5Q3K9G2M4N6P8R0S2T4").containsEntry("class", "person");
        assertThat(r.number("range_m")).isEqualTo(1200.0, within(1e-9));
        assertThat(r.number("bearing_deg")).isEqualTo(90.0, within(1e-9));
        assertThat(r.number("lat_deg")).isEqualTo(32.8843, within(1e-4));
        assertThat(r.number("lon_deg")).isGreaterThan(11.5563 + 0.0128).isLessThan(11.5563 + 0.0129);
        assertThat(r.deviceTime()).isEqualTo(Instant.parse("2026-11-26T06:00:00.5Z"));
    }

    @Test
    void everyCoordinateSystemGivesTheSameMetresAndDegrees() throws DecodeException {
        double[][] systems = {{1, 500, 45}, {2, 500, Math.PI / 4}, {3, 0.5, 45}, {4, 0.5, Math.PI / 4}};
        for (double[] s : systems) {
            SapientMessage m = SapientMessage.newBuilder()
                    .setTimestamp(SapientMessages.timestamp(Instant.parse("2026-11-26T06:00:00Z"))).setNodeId(NODE)
                    .setDetectionReport(DetectionReport.newBuilder().setObjectId("obj-1").setRangeBearing(
                            RangeBearing.newBuilder().setRange(s[1]).setAzimuth(s[2])
                                    .setCoordinateSystem(RangeBearingCoordinateSystem.forNumber((int) s[0]))
                                    .setDatum(RangeBearingDatum.RANGE_BEARING_DATUM_TRUE))).build();

            Reading r = driver.decode(frame(m.toByteArray())).get(0);

            assertThat(r.number("range_m")).as("system %s", (int) s[0]).isEqualTo(500.0, within(1e-9));
            assertThat(r.number("bearing_deg")).as("system %s", (int) s[0]).isEqualTo(45.0, within(1e-9));
        }
    }

    @Test
    void withoutOptionsTheNodeIdNamesTheDevice() throws DecodeException {
        Driver plain = new SapientDriverFactory().create(DriverOptions.empty());

        Reading r = plain.decode(frame(hex(DETECTION))).get(0);

        assertThat(r.deviceId()).isEqualTo(NODE);
        assertThat(r.fields()).containsKeys("range_m", "bearing_deg").doesNotContainKeys("lat_deg", "lon_deg");
    }

    @Test
    void anUpperCaseNodeIdIsTheSameNode() throws DecodeException {
        Driver only = new SapientDriverFactory().create(DriverOptions.of(Map.of("node_id", NODE.toUpperCase())));
        assertThat(only.decode(frame(hex(DETECTION)))).hasSize(1);
    }

    @Test
    void optionsAreChecked() {
        SapientDriverFactory f = new SapientDriverFactory();
        assertThatThrownBy(() -> f.create(DriverOptions.of(Map.of("node_id", "radar-1"))))
                .hasMessage("option node_id must be a UUID (8-4-4-4-12 hexadecimal digits), got 'radar-1'");
        assertThatThrownBy(() -> f.create(DriverOptions.of(Map.of("sensor_lat", "32"))))
                .hasMessage("options sensor_lat and sensor_lon go together, got only sensor_lat");
        assertThatThrownBy(() -> f.create(DriverOptions.of(Map.of("device", "a b"))))
                .hasMessageStartingWith("option device must be 1..64 characters");
        assertThatThrownBy(() -> f.create(DriverOptions.of(Map.of("zone", "x"))))
                .hasMessageStartingWith("unknown option zone");
    }

    @Test
    void theFieldNumbersAreTheStandards() {
        // SapientMessage: timestamp 1, node_id 2, detection_report 7; DetectionReport: object_id 2,
        // range_bearing 5, detection_confidence 7 (float); RangeBearing: azimuth 2, range 3, system 7, datum 8.
        SapientMessage m = SapientMessage.newBuilder().setNodeId("n")
                .setDetectionReport(DetectionReport.newBuilder().setObjectId("o").setDetectionConfidence(1f)
                        .setRangeBearing(RangeBearing.newBuilder().setAzimuth(0).setRange(0)
                                .setCoordinateSystem(RangeBearingCoordinateSystem.RANGE_BEARING_COORDINATE_SYSTEM_DEGREES_M)
                                .setDatum(RangeBearingDatum.RANGE_BEARING_DATUM_TRUE))).build();
        assertThat(HexFormat.of().formatHex(m.toByteArray())).isEqualTo(
                "12016e" + "3a20" + "12016f" + "2a16" + "110000000000000000" + "190000000000000000" + "38014001"
                        + "3d0000803f");
    }

    @Test
    void ulidsAreStableAndWellFormed() {
        String a = Ulids.of(Instant.parse("2026-11-26T06:00:00Z"), "radar/7");
        assertThat(a).hasSize(26).matches("[0-9A-HJKMNP-TV-Z]{26}");
        assertThat(Ulids.of(Instant.parse("2026-11-26T06:00:00Z"), "radar/7")).isEqualTo(a);
        assertThat(Ulids.of(Instant.parse("2026-11-26T06:00:00Z"), "radar/8")).isNotEqualTo(a);
    }

    @Test
    void encodeRefusesWhatSapientCannotCarry() {
        Reading count = new Reading("d", "", "vehicle_count", Map.of(), Map.of("count", 1L), RECEIVED_AT, RECEIVED_AT);
        assertThatThrownBy(() -> driver.encode(count)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("vehicle_count");
        Reading noPosition = new Reading("d", "", "radar_track", Map.of("track", "7"), Map.of("detection_confidence", 1.0),
                RECEIVED_AT, RECEIVED_AT);
        assertThatThrownBy(() -> driver.encode(noPosition)).hasMessageContaining("range_m and bearing_deg");
    }
}
