package org.limes.drivers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.limes.drivers.lineprotocol.LineProtocolEncoder;

/**
 * The store key (measurement, tags, timestamp) of every kind of every driver: an event kind
 * gives two distinct events of one device and one device time two keys, and the same event
 * twice one key; a periodic kind gives a repeat of its interval the same key, so it
 * overwrites.
 */
class EventKeyTest {

    private static final Instant RECEIVED_AT = Instant.parse("2026-11-26T06:00:03Z");
    private static final Drivers DRIVERS = Drivers.load();

    // --- event kinds -------------------------------------------------------------------

    @Test
    void hikvisionReadsInOneSecondGetTwoKeysAndARedeliveryOne() throws DecodeException {
        Driver cam = DRIVERS.create("camera-hikvision", DriverOptions.of(Map.of("device", "cam-01")));

        Reading first = one(cam, hikvision("2026-11-26T08:00:00+02:00", "QQ-111"));
        Reading second = one(cam, hikvision("2026-11-26T08:00:00+02:00", "QQ-222"));
        Reading again = one(cam, hikvision("2026-11-26T08:00:00+02:00", "QQ-111"));

        assertThat(first.deviceTime()).isEqualTo(second.deviceTime());
        assertThat(storeKey(first)).isNotEqualTo(storeKey(second));
        assertThat(storeKey(again)).isEqualTo(storeKey(first));
        // The offset stays inside the camera's second; the rules keep the true device time.
        assertThat(EventKey.storeTime(first).truncatedTo(ChronoUnit.SECONDS)).isEqualTo(first.deviceTime());
        assertThat(first.deviceTime()).isEqualTo(Instant.parse("2026-11-26T06:00:00Z"));
    }

    @Test
    void aHundredHikvisionReadsInOneSecondGetAHundredKeys() throws DecodeException {
        Driver cam = DRIVERS.create("camera-hikvision", DriverOptions.of(Map.of("device", "cam-01")));
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            keys.add(storeKey(one(cam, hikvision("2026-11-26T08:00:00+02:00", "5-" + (123_400 + i)))));
        }
        assertThat(keys).hasSize(100);
    }

    @Test
    void cameraJsonReadsInOneTimeStepGetTwoKeysAndARedeliveryOne() throws DecodeException {
        Driver cam = DRIVERS.create("camera-json", DriverOptions.empty());
        String read = "{\"type\":\"anpr_read\",\"device\":\"cam-02\",\"time\":\"2026-11-26T06:00:00.250Z\","
                + "\"plate\":\"%s\",\"confidence_pct\":90,\"lane\":\"1\"}";

        Reading first = one(cam, read.formatted("QQ-111"));
        Reading second = one(cam, read.formatted("QQ-222"));
        Reading again = one(cam, read.formatted("QQ-111"));

        assertThat(first.fields()).containsEntry(EventKey.FIELD, 1_000L);
        assertThat(storeKey(first)).isNotEqualTo(storeKey(second));
        assertThat(storeKey(again)).isEqualTo(storeKey(first));
        assertThat(EventKey.storeTime(first).truncatedTo(ChronoUnit.MILLIS)).isEqualTo(first.deviceTime());
    }

    @Test
    void asterixPlotsWithoutATrackInOneTimeStepGetTwoKeysAndARedeliveryOne() throws DecodeException {
        Driver radar = DRIVERS.create("radar-asterix", DriverOptions.of(Map.of("device", "gsr-1")));
        byte[] near = radar.encode(plot(1_200.0));
        byte[] far = radar.encode(plot(2_400.0));

        Reading first = one(radar, near);
        Reading second = one(radar, far);
        Reading again = one(radar, near);

        assertThat(first.tags()).doesNotContainKey("track");
        assertThat(first.fields()).containsEntry(EventKey.FIELD, 7_812L);
        assertThat(first.deviceTime()).isEqualTo(second.deviceTime());
        assertThat(storeKey(first)).isNotEqualTo(storeKey(second));
        assertThat(storeKey(again)).isEqualTo(storeKey(first));
        assertThat(EventKey.offsetMicros(first)).isLessThan(7_812);
    }

    // --- periodic kinds: a repeat overwrites ---------------------------------------------

    @Test
    void asterixTrackUpdatesAreSamplesOfTheirTrack() throws DecodeException {
        Driver radar = DRIVERS.create("radar-asterix", DriverOptions.of(Map.of("device", "gsr-1")));
        Reading track = withTag(plot(1_200.0), "track", "257");
        Reading moved = withTag(plot(1_250.0), "track", "257");

        Reading a = one(radar, radar.encode(track));
        Reading b = one(radar, radar.encode(moved));

        assertThat(a.fields()).doesNotContainKey(EventKey.FIELD);
        assertThat(storeKey(a)).isEqualTo(storeKey(b)).endsWith(" " + LineProtocolEncoder.nanos(a.deviceTime()));
    }

    @Test
    void nmeaTargetsAreSamplesOfTheirTrack() throws DecodeException {
        Driver radar = DRIVERS.create("radar-nmea", DriverOptions.of(Map.of("device", "radar-north")));

        Reading a = one(radar, nmea("RATTM,07,0.50,045.0,T,10.0,270.0,T,0.10,-1.5,N,PED1,T,,055959.50,A"));
        Reading b = one(radar, nmea("RATTM,07,0.55,046.0,T,10.0,270.0,T,0.10,-1.5,N,PED1,T,,055959.50,A"));

        assertNotAnEvent(a, b);
    }

    @Test
    void counterJsonIntervalsOverwrite() throws DecodeException {
        Driver counter = DRIVERS.create("counter-json", DriverOptions.empty());
        String interval = "{\"device\":\"cnt-01\",\"time\":\"2026-11-26T06:00:00Z\",\"lane\":\"1\","
                + "\"direction\":\"inbound\",\"interval_s\":60,\"counts\":{\"car\":%d}}";

        assertNotAnEvent(one(counter, interval.formatted(12)), one(counter, interval.formatted(13)));
    }

    @Test
    void counterCsvIntervalsOverwrite() throws DecodeException {
        Driver counter = DRIVERS.create("counter-csv", DriverOptions.of(Map.of("zone", "Africa/Tripoli")));

        assertNotAnEvent(one(counter, "401,1,12,61.5,120,2026-11-26 08:00:00"),
                one(counter, "401,1,13,61.5,120,2026-11-26 08:00:00"));
    }

    @Test
    void cameraJsonCountsAndHealthOverwrite() throws DecodeException {
        Driver cam = DRIVERS.create("camera-json", DriverOptions.empty());
        for (String type : List.of("people_count", "vehicle_count")) {
            String count = "{\"type\":\"" + type + "\",\"device\":\"cam-02\",\"time\":\"2026-11-26T06:01:00Z\","
                    + "\"zone\":\"hall-a\",\"interval_s\":60,\"count_in\":%d,\"count_out\":9}";
            assertNotAnEvent(one(cam, count.formatted(14)), one(cam, count.formatted(15)));
        }
        String health = "{\"type\":\"device_health\",\"device\":\"cam-02\",\"time\":\"2026-11-26T06:01:00Z\","
                + "\"online\":%s}";
        assertNotAnEvent(one(cam, health.formatted("true")), one(cam, health.formatted("false")));
    }

    @Test
    void lineProtocolPointsKeepTheDevicesOwnTimestamp() throws DecodeException {
        Driver lp = DRIVERS.create("lineprotocol", DriverOptions.empty());

        assertNotAnEvent(one(lp, "plc,device=lp-1 v=1 1764136800000000000"),
                one(lp, "plc,device=lp-1 v=2 1764136800000000000"));
    }

    // --- EventKey itself ---------------------------------------------------------------

    @Test
    void theOffsetIsAHashOfTheFieldsBelowThePrecisionAndIgnoresTheGatewaysPictureRef() {
        Reading read = EventKey.mark(new Reading("cam-01", "", "anpr_read", Map.of("lane", "1"),
                Map.of("plate", "QQ-111", "picture_bytes", 4_210L), Instant.parse("2026-11-26T06:00:00Z"),
                RECEIVED_AT), EventKey.SECOND_US);

        long offset = EventKey.offsetMicros(read);

        assertThat(offset).isBetween(0L, 999_999L);
        assertThat(EventKey.storeTime(read)).isEqualTo(read.deviceTime().plusNanos(offset * 1_000));
        assertThat(EventKey.offsetMicros(read.withField("picture_ref", "cam-01/2026-11-26/0600-1a2b3c4d")))
                .as("picture_ref is local state").isEqualTo(offset);
        assertThat(EventKey.offsetMicros(read.withSite("ras-ajdir").withExtraTags(Map.of("class", "camera"))))
                .as("site and tags are already in the key").isEqualTo(offset);
        assertThat(EventKey.offsetMicros(read.withField("plate", "QQ-112"))).isNotEqualTo(offset);
        assertThat(EventKey.offsetMicros(read.withField("picture_bytes", 4_211L))).isNotEqualTo(offset);
    }

    @Test
    void theJavadocsWorkedExampleHolds() {
        Reading read = EventKey.mark(new Reading("10.20.0.31", "", "anpr_read", Map.of(),
                Map.of("confidence_pct", 97.0, "picture_bytes", 0L, "plate", "QQ-111"),
                Instant.parse("2026-11-26T06:00:00Z"), RECEIVED_AT), EventKey.SECOND_US);

        assertThat(EventKey.storeTime(read)).isEqualTo(Instant.parse("2026-11-26T06:00:00.595120Z"));
        assertThat(EventKey.storeTime(read.withField("plate", "QQ-222")))
                .isEqualTo(Instant.parse("2026-11-26T06:00:00.131758Z"));
    }

    @Test
    void aReadingWithoutAValidMarkIsStoredAtItsDeviceTime() {
        Reading sample = new Reading("lp-1", "", "plc", Map.of(), Map.of("v", 1.0),
                Instant.parse("2026-11-26T06:00:00.123456789Z"), RECEIVED_AT);

        assertThat(EventKey.storeTime(sample)).isEqualTo(sample.deviceTime());
        for (Object bad : List.of(0L, -5L, 1_000_001L, "1000000", 1e6)) {
            assertThat(EventKey.storeTime(sample.withField(EventKey.FIELD, bad))).as("mark " + bad)
                    .isEqualTo(sample.deviceTime());
        }
        assertThatThrownBy(() -> EventKey.mark(sample, 2_000_000)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("event_precision_us must be 1..1000000");
    }

    @Test
    void thePrecisionIsWhatTheTimeTextCarries() {
        assertThat(EventKey.precisionOf("2026-11-26T08:00:00+02:00")).isEqualTo(1_000_000);
        assertThat(EventKey.precisionOf("2026-11-26T08:00+02:00")).isEqualTo(1_000_000);
        assertThat(EventKey.precisionOf("2026-11-26T08:00:00.5Z")).isEqualTo(100_000);
        assertThat(EventKey.precisionOf("2026-11-26T08:00:00.120+01:00")).isEqualTo(1_000);
        assertThat(EventKey.precisionOf("2026-11-26T08:00:00.123456Z")).isEqualTo(1);
        assertThat(EventKey.precisionOf("2026-11-26T08:00:00.123456789Z")).isEqualTo(1);

        Instant t = Instant.parse("2026-11-26T06:00:00.250Z");
        assertThat(EventKey.isoTime(t, 1_000)).isEqualTo("2026-11-26T06:00:00.250Z");
        assertThat(EventKey.isoTime(t, 10_000)).isEqualTo("2026-11-26T06:00:00.25Z");
        assertThat(EventKey.isoTime(t.truncatedTo(ChronoUnit.SECONDS), 1_000_000)).isEqualTo("2026-11-26T06:00:00Z");
        assertThat(EventKey.isoTime(t.plusNanos(1), 1)).isEqualTo("2026-11-26T06:00:00.250000001Z");
        assertThatThrownBy(() -> EventKey.isoTime(t, 1_000_000)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("finer than");
    }

    // --- helpers -----------------------------------------------------------------------

    /** Measurement and tags, then the timestamp: what InfluxDB and QuestDB key a point by. */
    static String storeKey(Reading r) {
        String line = LineProtocolEncoder.encode(r);
        return line.substring(0, line.indexOf(' ')) + " " + line.substring(line.lastIndexOf(' ') + 1);
    }

    private static void assertNotAnEvent(Reading first, Reading repeat) {
        assertThat(first.fields()).doesNotContainKey(EventKey.FIELD);
        assertThat(first.fields()).isNotEqualTo(repeat.fields());
        assertThat(storeKey(repeat)).as("a repeat of " + first.kind() + " overwrites").isEqualTo(storeKey(first))
                .endsWith(" " + LineProtocolEncoder.nanos(first.deviceTime()));
    }

    private static Reading one(Driver driver, String frame) throws DecodeException {
        return one(driver, frame.getBytes(StandardCharsets.UTF_8));
    }

    private static Reading one(Driver driver, byte[] frame) throws DecodeException {
        List<Reading> readings = driver.decode(new Frame(frame, "test", "test", RECEIVED_AT));
        assertThat(readings).hasSize(1);
        return readings.get(0);
    }

    private static String hikvision(String dateTime, String plate) {
        return "<EventNotificationAlert version=\"2.0\" xmlns=\"http://www.hikvision.com/ver20/XMLSchema\">"
                + "<ipAddress>10.20.0.31</ipAddress><dateTime>" + dateTime + "</dateTime><eventType>ANPR</eventType>"
                + "<ANPR><licensePlate>" + plate + "</licensePlate><line>1</line><confidenceLevel>97</confidenceLevel>"
                + "</ANPR></EventNotificationAlert>";
    }

    private static Reading plot(double rangeM) {
        return new Reading("gsr-1", "", "radar_track", Map.of("category", "48", "sac", "25", "sic", "12"),
                Map.of("time_of_day_s", 21_600.0, "range_m", rangeM, "bearing_deg", 45.0),
                Instant.parse("2026-11-26T06:00:00Z"), RECEIVED_AT);
    }

    private static Reading withTag(Reading r, String tag, String value) {
        TreeMap<String, String> tags = new TreeMap<>(r.tags());
        tags.put(tag, value);
        return new Reading(r.deviceId(), r.site(), r.kind(), tags, r.fields(), r.deviceTime(), r.receivedAt());
    }

    private static String nmea(String body) {
        int sum = 0;
        for (int i = 0; i < body.length(); i++) {
            sum ^= body.charAt(i);
        }
        return "$" + body + "*" + String.format("%02X", sum);
    }
}
