package org.limes.gateway.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.limes.drivers.Reading;
import org.limes.gateway.pipeline.DeviceClassConfig;
import org.limes.gateway.pipeline.DeviceConfig;
import org.limes.gateway.pipeline.Inventory;
import org.limes.gateway.pipeline.InventoryConfig;
import org.limes.gateway.rules.Alert;
import org.limes.gateway.rules.AlertState;
import org.limes.gateway.rules.GeofenceZone;
import org.limes.gateway.rules.TestClock;

/** The live view's map ({@code /api/map}) and sparklines ({@code /api/sparklines}): contents and bounds. */
class LiveMapTest {

    private static final Instant T0 = Instant.parse("2026-11-26T06:00:00Z");

    private final TestClock clock = new TestClock(T0);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Inventory inventory = new Inventory(new InventoryConfig("accept", "ras-ajdir",
            Map.of("counter", new DeviceClassConfig("10s")), List.of(
                    new DeviceConfig("cnt-01", "ras-ajdir", "counter", "1", new DeviceConfig.Location(32.8836, 11.5556),
                            Map.of(), null),
                    new DeviceConfig("rdr-1", "ras-ajdir", "radar", null, new DeviceConfig.Location(32.8843, 11.5548),
                            Map.of(), null),
                    new DeviceConfig("cam-09", "ras-ajdir", "camera", "2", null, Map.of(), null))));
    private final LiveView live = new LiveView(inventory, 2, clock, new LiveMetrics(registry));

    private Reading track(String radar, int track, String status, Double lat, Double lon) {
        Map<String, String> tags = new HashMap<>();
        tags.put("track", Integer.toString(track));
        if (status != null) {
            tags.put("status", status);
        }
        Map<String, Object> fields = new HashMap<>();
        fields.put("target", (long) track);
        if (lat != null) {
            fields.put("lat_deg", lat);
            fields.put("lon_deg", lon);
        }
        Instant now = clock.instant();
        return new Reading(radar, "ras-ajdir", "radar_track", tags, fields, now, now);
    }

    private void feed(Reading r) {
        live.reading(r, r);
    }

    @Test
    void theMapHoldsTheZonesWithTheirHolesTheLocatedDevicesAndTheirStates() {
        double[][][] polygons = {{
            {11.554, 32.885, 11.559, 32.885, 11.559, 32.888, 11.554, 32.888, 11.554, 32.885},
            {11.556, 32.886, 11.557, 32.886, 11.557, 32.8868, 11.556, 32.8868, 11.556, 32.886}}};
        live.zones(Map.of("exclusion-zone", List.of(new GeofenceZone("exclusion-north", polygons))));
        feed(new Reading("cnt-01", "ras-ajdir", "vehicle_count", Map.of(), Map.of("count_total", 4L), clock.instant(),
                clock.instant()));

        LiveView.MapSnapshot map = live.map();
        assertThat(map.zones()).hasSize(1);
        LiveView.ZoneView zone = map.zones().get(0);
        assertThat(zone.name()).isEqualTo("exclusion-north");
        assertThat(zone.rule()).isEqualTo("exclusion-zone");
        assertThat(zone.polygons().get(0)).as("outer ring and one hole").hasSize(2);
        assertThat(zone.polygons().get(0).get(1).get(2)).containsExactly(11.557, 32.8868);

        assertThat(map.devices()).extracting(LiveView.DeviceMarker::id).containsExactly("cnt-01", "rdr-1");
        LiveView.DeviceMarker cnt = map.devices().get(0);
        assertThat(cnt.deviceClass()).isEqualTo("counter");
        assertThat(cnt.lat()).isEqualTo(32.8836);
        assertThat(cnt.state()).isEqualTo("ok");
        assertThat(map.devices().get(1).state()).isEqualTo("pending");

        live.zones(Map.of());
        assertThat(live.map().zones()).as("a reload without geofence rules empties the zones").isEmpty();
    }

    @Test
    void aTrackKeepsItsLastPositionsOldestFirstAndLeavesTheMapWhenLost() {
        for (int i = 0; i < LiveView.MAX_TRACK_POINTS + 5; i++) {
            feed(track("rdr-1", 900, "tracking", 32.8847 + i * 1e-5, 11.5548));
            clock.advance(Duration.ofSeconds(1));
        }
        feed(track("rdr-1", 900, "tracking", null, null));
        LiveView.MapSnapshot map = live.map();
        assertThat(map.tracks()).hasSize(1);
        TrackTrails.TrackView t = map.tracks().get(0);
        assertThat(t.id()).isEqualTo("rdr-1:900");
        assertThat(t.track()).isEqualTo("900");
        assertThat(t.points()).hasSize(LiveView.MAX_TRACK_POINTS);
        assertThat(t.points().get(0)[1]).as("the oldest kept").isCloseTo(32.8847 + 5e-5, org.assertj.core.data.Offset
                .offset(1e-9));
        assertThat(t.points().get(t.points().size() - 1)[1]).isCloseTo(32.8847 + (LiveView.MAX_TRACK_POINTS + 4)
                * 1e-5, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(t.pointsCut()).isEqualTo(5);
        assertThat(map.pointsCut()).isEqualTo(5);

        feed(track("rdr-1", 900, "lost", null, null));
        assertThat(live.map().tracks()).isEmpty();
    }

    @Test
    void aTrackWithoutAPositionIsNotDrawnAndASilentTrackExpires() {
        feed(track("rdr-1", 7, "tracking", null, null));
        assertThat(live.map().tracks()).isEmpty();
        feed(track("rdr-1", 7, "tracking", 32.884, 11.555));
        assertThat(live.map().tracks()).hasSize(1);
        clock.advance(Duration.ofMillis(LiveView.TRACK_EXPIRY_MS + 1));
        assertThat(live.map().tracks()).isEmpty();
    }

    @Test
    void beyondTheTrackLimitTheLeastRecentlyHeardIsCutAndCounted() {
        for (int k = 0; k < LiveView.MAX_TRACKS + 3; k++) {
            feed(track("rdr-1", k, "tracking", 32.884, 11.555));
            clock.advance(Duration.ofMillis(10));
        }
        LiveView.MapSnapshot map = live.map();
        assertThat(map.tracks()).hasSize(LiveView.MAX_TRACKS);
        assertThat(map.tracks()).extracting(TrackTrails.TrackView::track).doesNotContain("0", "1", "2")
                .contains("3", Integer.toString(LiveView.MAX_TRACKS + 2));
        assertThat(map.tracksCut()).isEqualTo(3);
        assertThat(registry.get("limes.dropped").tags("component", "live", "reason", "map_tracks_full").counter()
                .count()).isEqualTo(3);
    }

    @Test
    void openAlertsArePlacedWhereTheirTagsSayElseAtTheirDeviceAndClearedOnesLeave() {
        Alert geofence = alert("exclusion-zone", "rdr-1", "track", "rdr-1:900",
                Map.of("zone", "exclusion-north", "lat", "32.8851", "lon", "11.5552"));
        Alert surge = alert("queue-surge", "cnt-01", "device", "cnt-01", Map.of());
        Alert nowhere = alert("queue-surge", "cam-09", "device", "cam-09", Map.of());
        live.alert(geofence);
        live.alert(surge);
        live.alert(nowhere);

        LiveView.MapSnapshot map = live.map();
        assertThat(map.alerts()).extracting(LiveView.AlertMarker::rule).containsExactlyInAnyOrder("exclusion-zone",
                "queue-surge");
        LiveView.AlertMarker g = map.alerts().stream().filter(a -> a.rule().equals("exclusion-zone")).findFirst()
                .orElseThrow();
        assertThat(g.lat()).isEqualTo(32.8851);
        assertThat(g.zone()).isEqualTo("exclusion-north");
        assertThat(g.subject().id()).isEqualTo("rdr-1:900");
        LiveView.AlertMarker s = map.alerts().stream().filter(a -> a.rule().equals("queue-surge")).findFirst()
                .orElseThrow();
        assertThat(s.lat()).as("the device's inventory location").isEqualTo(32.8836);
        assertThat(map.alertsUnplaced()).as("cam-09 has no location").isEqualTo(1);

        live.alert(geofence.toBuilder().state(AlertState.CLEARED).at(clock.instant()).build());
        assertThat(live.map().alerts()).extracting(LiveView.AlertMarker::rule).containsExactly("queue-surge");
    }

    @Test
    void sparklinesCountReadingsPerSecondInTenSecondBucketsOverTenMinutes() {
        for (int s = 0; s < 30; s++) {
            for (int k = 0; k < (s < 10 ? 2 : 1); k++) {
                feed(new Reading("cnt-01", "ras-ajdir", "vehicle_count", Map.of(), Map.of("count_total", 4L),
                        clock.instant(), clock.instant()));
            }
            clock.advance(Duration.ofSeconds(1));
        }
        LiveView.Sparklines sparks = live.sparklines();
        assertThat(sparks.bucketS()).isEqualTo(10);
        double[] cnt = sparks.devices().get("cnt-01");
        assertThat(cnt).hasSize(60);
        assertThat(cnt[57]).isEqualTo(2.0);
        assertThat(cnt[58]).isEqualTo(1.0);
        assertThat(cnt[59]).isEqualTo(1.0);
        assertThat(cnt[56]).isZero();
        assertThat(sparks.devices().get("rdr-1")).containsOnly(0.0);

        clock.advance(Duration.ofMinutes(11));
        assertThat(live.sparklines().devices().get("cnt-01")).as("ten minutes later all has rolled out")
                .containsOnly(0.0);
    }

    @Test
    void aDevicesLastFrameIsKeptBesideWhatTheDriverDecodedSampledOnceASecondAndCut() {
        byte[] line = "{\"device\":\"cnt-01\",\"count_total\":4}\u0001\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Reading decoded = new Reading("cnt-01", "", "vehicle_count", Map.of(), Map.of("count_total", 4L),
                clock.instant(), clock.instant());
        live.frame(new org.limes.drivers.Frame(line, "devices", "crossing/ras-ajdir/counter/cnt-01", clock.instant()),
                "counter-json", List.of(decoded));
        feed(new Reading("cnt-01", "ras-ajdir", "vehicle_count", Map.of("lane", "1"), Map.of("count_total", 4L),
                clock.instant(), clock.instant()));

        LiveView.DeviceFrame f = live.deviceFrame("cnt-01");
        assertThat(f.frame().driver()).isEqualTo("counter-json");
        assertThat(f.frame().origin()).isEqualTo("crossing/ras-ajdir/counter/cnt-01");
        assertThat(f.frame().text()).isEqualTo("{\"device\":\"cnt-01\",\"count_total\":4}\\x01\n");
        assertThat(f.frame().hex()).startsWith("7b22");
        assertThat(f.frame().decoded()).hasSize(1);
        assertThat(f.normalised().get(0).tags()).containsEntry("lane", "1");
        line[0] = 'X';
        assertThat(live.deviceFrame("cnt-01").frame().text()).as("the sample holds a copy, not the source's array")
                .startsWith("{");

        byte[] other = new byte[5000];
        other[0] = (byte) 0xFF;
        live.frame(new org.limes.drivers.Frame(other, "devices", "t", clock.instant()), "counter-json", List.of(decoded));
        assertThat(live.deviceFrame("cnt-01").frame().bytes()).as("sampled at most once a second").isEqualTo(line.length);
        clock.advance(Duration.ofMillis(LiveView.FRAME_SAMPLE_MS));
        live.frame(new org.limes.drivers.Frame(other, "devices", "t", clock.instant()), "counter-json", List.of(decoded));
        LiveView.FrameSample big = live.deviceFrame("cnt-01").frame();
        assertThat(big.bytes()).isEqualTo(5000);
        assertThat(big.truncated()).isTrue();
        assertThat(big.hex()).hasSize(2 * LiveView.FRAME_SAMPLE_BYTES);
        assertThat(big.text()).startsWith("\\xff\\x00");
        clock.advance(Duration.ofMillis(LiveView.FRAME_SAMPLE_MS));
        byte[] small = "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        live.frame(new org.limes.drivers.Frame(small, "devices", "t2", clock.instant()), "counter-json", List.of(decoded));
        LiveView.FrameSample again = live.deviceFrame("cnt-01").frame();
        assertThat(again.text()).as("a shorter frame after a longer one: nothing of the longer left").isEqualTo("{}");
        assertThat(again.hex()).isEqualTo("7b7d");
        assertThat(again.truncated()).isFalse();
        assertThat(again.origin()).isEqualTo("t2");
        assertThat(live.deviceFrame("nobody")).isNull();
    }

    private Alert alert(String rule, String device, String subjectKind, String subject, Map<String, String> tags) {
        return Alert.builder().alertId("gw/" + rule + "/" + subject + "/1").rule(rule).state(AlertState.RAISED)
                .severity("critical").site("ras-ajdir").device(device).subjectKind(subjectKind).subject(subject)
                .kind("radar_track").field("inside").value(1).threshold(1).firstSeen(clock.instant())
                .lastSeen(clock.instant()).raisedAt(clock.instant()).at(clock.instant()).tags(tags).build();
    }
}
