package org.limes.drivers.radar.asterix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.limes.drivers.DecodeException;
import org.limes.drivers.Driver;
import org.limes.drivers.DriverContractTest;
import org.limes.drivers.DriverOptions;
import org.limes.drivers.Drivers;
import org.limes.drivers.Frame;
import org.limes.drivers.Framing;
import org.limes.drivers.Reading;

class AsterixDriverTest extends DriverContractTest {

    /** CAT048: I048/010, /140, /020, /040, /161, /042, /200, /170 (golden case cat048-track). */
    static final String CAT048 = "30001af11e190c2a3000200c80400001010640ff000040800000";
    /** CAT062 with I062/015, /380 and /295 to skip (golden case cat062-track). */
    static final String CAT062 =
            "3e002ebf1d402802072a2f80005d950d0020feddfff830000bb9000cfff0c0abcdef0000000000000fa000014010";
    /** CAT010 surface target (golden case cat010-surface-target). */
    static final String CAT010 =
            "0a0025db7101400107012a3001176267750837c29dff6a01400005fffe004d000201020304";
    /** A CAT048 block and a CAT062 block of two records (golden case several-blocks-and-records). */
    static final String SEVERAL =
            "30000d8118190c0001008000803e001983082802fffc000000028508280200000afffff60003";

    private static final Map<String, String> OPTIONS =
            Map.of("device", "radar-north", "sensor_lat", "32.8843", "sensor_lon", "11.5563");

    private final Driver driver = new AsterixDriverFactory().create(DriverOptions.of(OPTIONS));

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
        return List.of(hex(CAT048), hex(CAT062), hex(CAT010), hex(SEVERAL));
    }

    @Test
    void declaresAsterixBlockFraming() {
        assertThat(driver.framing()).isEqualTo(Framing.ASTERIX_BLOCK);
        assertThat(driver.name()).isEqualTo("radar-asterix");
    }

    @Test
    void decodesTheCat048Example() throws DecodeException {
        Reading r = driver.decode(frame(hex(CAT048))).get(0);

        assertThat(r.deviceId()).isEqualTo("radar-north");
        assertThat(r.kind()).isEqualTo("radar_track");
        assertThat(r.tags()).isEqualTo(Map.of("category", "48", "sac", "25", "sic", "12", "track", "257",
                "status", "tracking"));
        assertThat(r.number("range_m")).isEqualTo(12.5 * 1852);
        assertThat(r.number("bearing_deg")).isEqualTo(90.0);
        assertThat(r.number("x_m")).isEqualTo(12.5 * 1852);
        assertThat(r.number("y_m")).isEqualTo(-2 * 1852);
        assertThat(r.number("speed_mps")).isEqualTo(64 * 1852 / 16384.0);
        assertThat(r.number("heading_deg")).isEqualTo(180.0);
        assertThat(r.fields()).containsEntry("skipped_items", 1L).containsKeys("lat_deg", "lon_deg");
        assertThat(r.deviceTime()).isEqualTo(Instant.parse("2026-11-26T06:00:00Z"));
    }

    @Test
    void latLonComeFromTheCartesianPositionWhenBothLocalPositionsArePresent() throws DecodeException {
        Reading r = driver.decode(frame(hex(CAT048))).get(0);
        double[] fromXy = new SensorPosition(32.8843, 11.5563).locate(12.5 * 1852, -2 * 1852);

        assertThat(r.number("lat_deg")).isEqualTo(fromXy[0]);
        assertThat(r.number("lon_deg")).isEqualTo(fromXy[1]);
    }

    @Test
    void withoutASensorPositionLocalPositionsGiveNoLatLon() throws DecodeException {
        Driver plain = new AsterixDriverFactory().create(DriverOptions.of(Map.of("device", "radar-north")));

        assertThat(plain.decode(frame(hex(CAT048))).get(0).fields()).doesNotContainKeys("lat_deg", "lon_deg");
    }

    @Test
    void cartesianVelocityGivesSpeedAndHeading() throws DecodeException {
        Reading r = driver.decode(frame(hex(CAT062))).get(0);

        assertThat(r.number("vx_mps")).isEqualTo(3.0);
        assertThat(r.number("vy_mps")).isEqualTo(-4.0);
        assertThat(r.number("speed_mps")).isEqualTo(5.0);
        assertThat(r.number("heading_deg")).isCloseTo(180 - Math.toDegrees(Math.atan(0.75)), within(1e-12));
        assertThat(r.fields()).containsEntry("skipped_items", 3L);
    }

    @Test
    void compoundItemsAreSizedThroughTheirSubfields() throws DecodeException {
        // I062/380 with ADR (3), TIS (extended, 2), TID (REP 1 × 15), MB (REP 2 × 8), then I062/040.
        ByteArrayOutputStream item = new ByteArrayOutputStream();
        item.writeBytes(new byte[] {(byte) 0x81, (byte) 0xC1, 0x01, 0x10});
        item.writeBytes(new byte[3]);
        item.writeBytes(new byte[] {0x01, 0x00});
        item.write(1);
        item.writeBytes(new byte[15]);
        item.write(2);
        item.writeBytes(new byte[16]);
        byte[] record = concat(new byte[] {(byte) 0x81, 0x18}, new byte[] {0x28, 0x02}, item.toByteArray(), new byte[] {0x01, 0x02});
        Reading r = driver.decode(frame(block(62, record))).get(0);

        assertThat(r.tags()).containsEntry("track", "258");
        assertThat(r.fields()).containsEntry("skipped_items", 1L);
    }

    @Test
    void extendedItemsWithThreeOctetPartsAreSized() throws DecodeException {
        // FRN 1 (I062/010), 12 (I062/040), 26 (I062/510, 3 + 3 octets), 28 (I062/340 with MDC only).
        byte[] record = concat(new byte[] {(byte) 0x81, 0x09, 0x01, 0x0A}, new byte[] {0x28, 0x02},
                new byte[] {0x0F, (byte) 0xA0}, new byte[] {0x01, 0x00, 0x03, 0x02, 0x00, 0x04},
                new byte[] {0x10, 0x12, 0x34});
        Reading r = driver.decode(frame(block(62, record))).get(0);

        assertThat(r.tags()).containsEntry("track", "4000");
        assertThat(r.fields()).containsEntry("skipped_items", 2L);
    }

    @Test
    void aStatusMessageYieldsNoReading() throws DecodeException {
        byte[] status = {(byte) 0xD1, 0x01, 0x04, 0x01, 0x07, 0x03, 0x2A, 0x30, 0x00, 0x40};

        assertThat(driver.decode(frame(block(10, status)))).isEmpty();
    }

    @Test
    void aBlockOfManyRecordsDecodesEveryRecordInOrder() throws DecodeException {
        ByteArrayOutputStream records = new ByteArrayOutputStream();
        for (int track = 0; track < 2000; track++) {
            records.writeBytes(new byte[] {(byte) 0x81, 0x10, 0x19, 0x0C, (byte) (track >> 8), (byte) track});
        }
        List<Reading> readings = driver.decode(frame(block(48, records.toByteArray())));

        assertThat(readings).hasSize(2000);
        assertThat(readings.get(1999).tags()).containsEntry("track", "1999");
    }

    @Test
    void aRecordOfOnlyFspecAndNothingFailsWithItsOffset() {
        assertThatThrownBy(() -> driver.decode(frame(hex("30000400"))))
                .isInstanceOf(DecodeException.class)
                .hasMessage("byte 3: record with an empty FSPEC (no item present)");
    }

    @Test
    void aLenClaimingTheWholeRangeDoesNotAllocateOrReadPastTheFrame() {
        assertThatThrownBy(() -> driver.decode(frame(hex("30ffff81"))))
                .isInstanceOf(DecodeException.class)
                .hasMessage("byte 1: LEN 65535 runs past the end of the frame (4 octets left)");
    }

    @ParameterizedTest(name = "ToD {0} s received {1} is {2}")
    @CsvSource({
        "86399, 2026-11-26T00:00:01Z, 2026-11-25T23:59:59Z",
        "1, 2026-11-26T23:59:59Z, 2026-11-27T00:00:01Z",
        "43200, 2026-11-26T06:00:00Z, 2026-11-26T12:00:00Z",
        "64800.5, 2026-11-26T06:00:00Z, 2026-11-25T18:00:00.500Z",
    })
    void deviceTimeIsTheTimeOfDayOnTheNearestDay(double tod, String received, String expected) {
        TrackReport report = new TrackReport();
        report.timeOfDay = tod;

        assertThat(report.deviceTime(Instant.parse(received))).isEqualTo(Instant.parse(expected));
    }

    @Test
    void factoryRequiresTheDeviceAndChecksTheSensorPosition() {
        AsterixDriverFactory factory = new AsterixDriverFactory();

        assertThat(Drivers.load().create("radar-asterix", DriverOptions.of(Map.of("device", "r1"))))
                .isInstanceOf(AsterixDriver.class);
        assertThatThrownBy(() -> factory.create(DriverOptions.empty()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("option device is required");
        assertThatThrownBy(() -> factory.create(DriverOptions.of(Map.of("device", "radar north"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("option device must be");
        assertThatThrownBy(() -> factory.create(DriverOptions.of(Map.of("device", "r1", "sensor_lat", "32.9"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("options sensor_lat and sensor_lon go together, got only sensor_lat");
        assertThatThrownBy(() -> factory.create(DriverOptions.of(Map.of("device", "r1", "sensor_lat", "91",
                "sensor_lon", "11")))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("option sensor_lat must be -90..90 degrees, got 91.0");
        assertThatThrownBy(() -> factory.create(DriverOptions.of(Map.of("device", "r1", "sensor_lat", "32",
                "sensor_lon", "east")))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("option sensor_lon must be a number");
        assertThatThrownBy(() -> factory.create(DriverOptions.of(Map.of("device", "r1", "sac", "25"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown option sac");
    }

    @Test
    void encodeRefusesWhatTheFormatCannotCarry() throws DecodeException {
        Reading good = driver.decode(frame(hex(CAT048))).get(0);

        assertThatThrownBy(() -> driver.encode(new Reading("radar-south", "", "radar_track", good.tags(),
                good.fields(), good.deviceTime(), good.receivedAt())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("radar-south");
        assertThatThrownBy(() -> driver.encode(withTag(good, "category", "21")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tag category must be 10, 48 or 62");
        assertThatThrownBy(() -> driver.encode(withTag(good, "lane", "1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[lane]");
        assertThatThrownBy(() -> driver.encode(withTag(good, "track", "4096")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tag track must be 0..4095");
        assertThatThrownBy(() -> driver.encode(withField(good, "vx_mps", 1.0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vx_mps");
        assertThatThrownBy(() -> driver.encode(withField(good, "range_m", 500_000.0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("field range_m must be");
        assertThatThrownBy(() -> driver.encode(withField(good, "temperature_c", 20.0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("temperature_c");
        assertThatThrownBy(() -> driver.encode(withField(good, "skipped_items", 40L)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("skipped_items");
    }

    @Test
    void encodeWritesTheCategoryOfTheTag() throws DecodeException {
        Reading r62 = driver.decode(frame(hex(CAT062))).get(0);
        Reading r10 = driver.decode(frame(hex(CAT010))).get(0);

        assertThat(driver.encode(r62)[0]).isEqualTo((byte) 62);
        assertThat(driver.encode(r10)[0]).isEqualTo((byte) 10);
    }

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }

    static byte[] block(int category, byte[] records) {
        byte[] out = new byte[records.length + 3];
        out[0] = (byte) category;
        out[1] = (byte) (out.length >> 8);
        out[2] = (byte) out.length;
        System.arraycopy(records, 0, out, 3, records.length);
        return out;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static Reading withTag(Reading r, String tag, String value) {
        TreeMap<String, String> tags = new TreeMap<>(r.tags());
        tags.put(tag, value);
        return new Reading(r.deviceId(), r.site(), r.kind(), tags, r.fields(), r.deviceTime(), r.receivedAt());
    }

    private static Reading withField(Reading r, String name, Object value) {
        TreeMap<String, Object> fields = new TreeMap<>(r.fields());
        fields.put(name, value);
        return new Reading(r.deviceId(), r.site(), r.kind(), r.tags(), fields, r.deviceTime(), r.receivedAt());
    }
}
