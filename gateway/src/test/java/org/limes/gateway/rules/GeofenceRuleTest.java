package org.limes.gateway.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.limes.drivers.Reading;

class GeofenceRuleTest {

    private static final Instant T0 = Instant.parse("2026-11-26T06:00:00Z");
    /** Zone A: lon 0..10, lat 0..10, with a hole lon 4..6, lat 4..6. */
    private static final GeofenceZone A = new GeofenceZone("A", new double[][][] {{
        {0, 0, 10, 0, 10, 10, 0, 10, 0, 0},
        {4, 4, 6, 4, 6, 6, 4, 6, 4, 4}}});
    /** Zone B: two squares, lon 8..20, lat 0..10 (overlapping A) and lon 30..31, lat 0..1. */
    private static final GeofenceZone B = new GeofenceZone("B", new double[][][] {
        {{8, 0, 20, 0, 20, 10, 8, 10, 8, 0}},
        {{30, 0, 31, 0, 31, 1, 30, 1, 30, 0}}});

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final RuleContext context = RuleContext.of(new RuleMetrics(registry));
    private final DeviceTable devices = table("rdr-1", "rdr-2");

    static DeviceTable table(String... ids) {
        DeviceTable t = new DeviceTable("test-gw", null, 0);
        for (String id : ids) {
            t.addInventory(id, "ras-ajdir", Map.of("device_class", "radar", "lat", "0.5", "lon", "0.5"), 0);
        }
        t.start(T0.toEpochMilli());
        return t;
    }

    private static GeofenceRuleConfig config(List<String> classes, Integer maxTracks) {
        return new GeofenceRuleConfig("fence", "zones.geojson", classes, "60s", maxTracks, null, List.of(A, B));
    }

    private static Reading track(String device, String track, double second, Double lon, Double lat, String status,
            String cls) {
        Map<String, String> tags = new HashMap<>();
        tags.put("track", track);
        if (status != null) {
            tags.put("status", status);
        }
        if (cls != null) {
            tags.put("class", cls);
        }
        Map<String, Object> fields = new HashMap<>();
        fields.put("target", Long.parseLong(track));
        if (lon != null) {
            fields.put("lon_deg", lon);
            fields.put("lat_deg", lat);
        }
        Instant t = T0.plusMillis((long) (second * 1000));
        return new Reading(device, "ras-ajdir", "radar_track", tags, fields, t, t);
    }

    /**
     * Each row: watched classes (blank = default, all); events {@code t@lon,lat} (a position
     * of track 7 at second t), optionally {@code /status} and {@code /class}, {@code t@-} (a
     * reading without a position) or {@code t@tick}; the transitions expected, {@code R<t><zone>}
     * or {@code C<t><zone>[:reason]}.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "outside stays quiet                     |        | 0@-5,5;1@15,-1;2@25,5                  | ",
        "outside to inside raises                |        | 0@-5,5;1@1,1                           | R1A",
        "staying inside does not raise again     |        | 0@1,1;1@2,2;2@3,3;3@1,9                | R0A",
        "leaving clears                          |        | 0@1,1;1@2,2;2@-1,2                     | R0A;C2A",
        "crossing into and out of, twice         |        | 0@-1,1;1@1,1;2@-1,1;3@1,1;4@11,11      | R1A;C2A;R3A;C4A",
        "ended status clears                     |        | 0@1,1;5@1,1/ended                      | R0A;C5A:track_ended",
        "lost status clears                      |        | 0@1,1;5@-/lost                         | R0A;C5A:track_lost",
        "ended inside raises nothing             |        | 0@1,1/ended                            | ",
        "query status is alive                   |        | 0@1,1/query;1@2,2/tracking             | R0A",
        "timeout clears on tick                  |        | 0@1,1;30@tick;59@tick;60@tick;61@tick  | R0A;C60A:track_timeout",
        "a reading without position keeps alive  |        | 0@1,1;50@-;100@tick;109@tick;110@tick  | R0A;C110A:track_timeout",
        "back after a timeout is a new episode   |        | 0@1,1;60@tick;70@1,1                   | R0A;C60A:track_timeout;R70A",
        "class filter: person watched            | person | 0@1,1/tracking/person                  | R0A",
        "class filter: vehicle ignored           | person | 0@1,1/tracking/vehicle;1@2,2/tracking/VEHICLE | ",
        "class filter: no class is unknown       | person | 0@1,1                                  | ",
        "class filter: unknown watched           | unknown,vehicle | 0@1,1;1@2,2/tracking/Vehicle  | R0A",
        "the hole is outside                     |        | 0@5,5;1@4.5,5.5                        | ",
        "into the hole clears, out of it raises  |        | 0@3,5;1@5,5;2@7,5                      | R0A;C1A;R2A",
        "two zones overlap: both raise           |        | 0@9,5                                  | R0A;R0B",
        "from one zone into the other            |        | 0@1,1;1@9,1;2@15,1;3@25,1              | R0A;R1B;C2A;C3B",
        "the second polygon of a multipolygon    |        | 0@30.5,0.5;1@31.5,0.5                  | R0B;C1B",
        "ended clears every zone of the track    |        | 0@9,5;1@-/ended                        | R0A;R0B;C1A:track_ended;C1B:track_ended",
    })
    void transitions(String name, String classes, String events, String expected) {
        GeofenceRule rule = new GeofenceRule(config(classes == null ? null : Arrays.asList(classes.split(",")), null),
                devices, context);
        List<String> got = new ArrayList<>();
        for (String e : events.split(";")) {
            String[] at = e.split("@");
            double second = Double.parseDouble(at[0]);
            long now = T0.toEpochMilli() + (long) (second * 1000);
            List<Alert> out = new ArrayList<>();
            if ("tick".equals(at[1])) {
                rule.tick(now, out);
            } else {
                String[] parts = at[1].split("/");
                Double lon = null;
                Double lat = null;
                if (!"-".equals(parts[0])) {
                    String[] xy = parts[0].split(",");
                    lon = Double.parseDouble(xy[0]);
                    lat = Double.parseDouble(xy[1]);
                }
                Reading r = track("rdr-1", "7", second, lon, lat, parts.length > 1 ? parts[1] : null,
                        parts.length > 2 ? parts[2] : null);
                rule.evaluate(r, devices.indexOf("rdr-1"), now, out);
            }
            for (Alert a : out) {
                got.add((a.state() == AlertState.RAISED ? "R" : "C") + (a.at().toEpochMilli() - T0.toEpochMilli())
                        / 1000 + a.tags().get("zone") + (a.reason() == null ? "" : ":" + a.reason()));
            }
        }
        assertThat(got).as(name).isEqualTo(expected == null ? List.of() : Arrays.asList(expected.split(";")));
        long raised = got.stream().filter(s -> s.startsWith("R")).count();
        assertThat(rule.openEpisodes()).as(name).isEqualTo((int) (raised - (got.size() - raised)));
    }

    @Test
    void raisedAlertNamesTrackZoneAndWhereItWas() {
        GeofenceRule rule = new GeofenceRule(config(null, null), devices, context);
        List<Alert> out = new ArrayList<>();
        Reading r = track("rdr-2", "12", 3, 1.25, 2.5, "tracking", "person");
        rule.evaluate(r, devices.indexOf("rdr-2"), T0.toEpochMilli() + 3_010, out);
        rule.evaluate(track("rdr-2", "12", 4, -1.0, 2.5, "tracking", "person"), devices.indexOf("rdr-2"),
                T0.toEpochMilli() + 4_010, out);

        assertThat(out).hasSize(2);
        Alert a = out.get(0);
        assertThat(a.alertId()).isEqualTo("test-gw/fence/rdr-2:12@A/" + T0.plusSeconds(3).toEpochMilli());
        assertThat(a.subjectKind()).isEqualTo("track");
        assertThat(a.subject()).isEqualTo("rdr-2:12");
        assertThat(a.device()).isEqualTo("rdr-2");
        assertThat(a.site()).isEqualTo("ras-ajdir");
        assertThat(a.severity()).isEqualTo("critical");
        assertThat(a.kind()).isEqualTo("radar_track");
        assertThat(a.field()).isEqualTo("inside");
        assertThat(a.value()).isEqualTo(1.0);
        assertThat(a.tags()).containsEntry("zone", "A").containsEntry("track", "12").containsEntry("class", "person")
                .containsEntry("lat", "2.5").containsEntry("lon", "1.25");
        assertThat(a.raisedAt()).isEqualTo(T0.plusMillis(3_010));
        Alert c = out.get(1);
        assertThat(c.alertId()).isEqualTo(a.alertId());
        assertThat(c.state()).isEqualTo(AlertState.CLEARED);
        assertThat(c.value()).isZero();
        assertThat(c.reason()).isNull();
        assertThat(c.at()).isEqualTo(T0.plusMillis(4_010));
    }

    @Test
    void tracksOfTwoRadarsWithOneNumberAreTwoSubjects() {
        GeofenceRule rule = new GeofenceRule(config(null, null), devices, context);
        List<Alert> out = new ArrayList<>();
        rule.evaluate(track("rdr-1", "7", 0, 1.0, 1.0, null, null), 0, T0.toEpochMilli(), out);
        rule.evaluate(track("rdr-2", "7", 0, 1.0, 1.0, null, null), 1, T0.toEpochMilli(), out);
        rule.evaluate(track("rdr-1", "7", 1, -1.0, 1.0, null, null), 0, T0.toEpochMilli() + 1000, out);

        assertThat(out).extracting(Alert::subject, Alert::state).containsExactly(
                org.assertj.core.groups.Tuple.tuple("rdr-1:7", AlertState.RAISED),
                org.assertj.core.groups.Tuple.tuple("rdr-2:7", AlertState.RAISED),
                org.assertj.core.groups.Tuple.tuple("rdr-1:7", AlertState.CLEARED));
        assertThat(rule.trackedTracks()).isEqualTo(1);
    }

    @Test
    void atTheTrackLimitTheLeastRecentlySeenIsClearedAsEvictedAndCounted() {
        GeofenceRule rule = new GeofenceRule(config(null, 2), devices, context);
        List<Alert> out = new ArrayList<>();
        rule.evaluate(track("rdr-1", "1", 0, 1.0, 1.0, null, null), 0, T0.toEpochMilli(), out);
        rule.evaluate(track("rdr-1", "2", 1, 1.0, 1.0, null, null), 0, T0.toEpochMilli() + 1000, out);
        rule.evaluate(track("rdr-1", "1", 2, 1.0, 2.0, null, null), 0, T0.toEpochMilli() + 2000, out);
        out.clear();
        rule.evaluate(track("rdr-1", "3", 3, 1.0, 1.0, null, null), 0, T0.toEpochMilli() + 3000, out);

        assertThat(out).extracting(Alert::subject, Alert::state, Alert::reason).containsExactly(
                org.assertj.core.groups.Tuple.tuple("rdr-1:2", AlertState.CLEARED, "evicted"),
                org.assertj.core.groups.Tuple.tuple("rdr-1:3", AlertState.RAISED, null));
        assertThat(rule.trackedTracks()).isEqualTo(2);
        assertThat(registry.get("limes.dropped").tag("component", "rules").tag("reason", "track_limit").counter()
                .count()).isEqualTo(1.0);
    }

    @Test
    void restoredEpisodeIsNotRaisedAgainAndTimesOutFromTheFirstTick() {
        GeofenceRule first = new GeofenceRule(config(null, null), devices, context);
        List<Alert> out = new ArrayList<>();
        first.evaluate(track("rdr-1", "7", 0, 1.0, 1.0, null, null), 0, T0.toEpochMilli(), out);
        Alert open = out.get(0);
        out.clear();

        GeofenceRule next = new GeofenceRule(config(null, null), devices, context);
        assertThat(next.restore(open)).isTrue();
        next.evaluate(track("rdr-1", "7", 500, 2.0, 2.0, null, null), 0, T0.toEpochMilli() + 500_000, out);
        assertThat(out).as("still inside: no second raise").isEmpty();
        next.evaluate(track("rdr-1", "7", 501, -2.0, 2.0, null, null), 0, T0.toEpochMilli() + 501_000, out);
        assertThat(out).singleElement().satisfies(c -> {
            assertThat(c.alertId()).isEqualTo(open.alertId());
            assertThat(c.state()).isEqualTo(AlertState.CLEARED);
        });

        GeofenceRule silent = new GeofenceRule(config(null, null), devices, context);
        assertThat(silent.restore(open)).isTrue();
        out.clear();
        silent.tick(T0.toEpochMilli() + 900_000, out);
        assertThat(out).as("the timeout starts at the first tick after a restore").isEmpty();
        silent.tick(T0.toEpochMilli() + 960_000, out);
        assertThat(out).singleElement().extracting(Alert::reason).isEqualTo("track_timeout");
    }

    @Test
    void restoreRefusesAnEpisodeWhoseZoneOrRadarIsGone() {
        GeofenceRule rule = new GeofenceRule(config(null, null), devices, context);
        List<Alert> out = new ArrayList<>();
        rule.evaluate(track("rdr-1", "7", 0, 1.0, 1.0, null, null), 0, T0.toEpochMilli(), out);
        Alert open = out.get(0);
        GeofenceRule onlyB = new GeofenceRule(new GeofenceRuleConfig("fence", "z", null, null, null, null,
                List.of(B)), devices, context);
        assertThat(onlyB.restore(open)).isFalse();
        GeofenceRule otherRadars = new GeofenceRule(config(null, null), table("rdr-9"), context);
        assertThat(otherRadars.restore(open)).isFalse();
    }

    @Test
    void clusterStateCarriesAtMostTheLimitOfTracksTheMostRecentlySeenFirst() throws Exception {
        GeofenceRule rule = new GeofenceRule(config(null, null), devices, context);
        List<Alert> out = new ArrayList<>();
        int n = GeofenceRule.MAX_SAVED_TRACKS + 1;
        for (int i = 0; i < n; i++) {
            rule.evaluate(track("rdr-1", Integer.toString(i), i, 1.0, 1.0, null, null), 0,
                    T0.toEpochMilli() + i * 1000L, out);
        }
        String tooLong = "9".repeat(GeofenceRule.MAX_SAVED_NUMBER_BYTES + 1);
        Map<String, String> tags = Map.of("track", tooLong);
        rule.evaluate(new Reading("rdr-1", "ras-ajdir", "radar_track", tags, Map.of("lat_deg", 1.0, "lon_deg", 1.0),
                T0, T0), 0, T0.toEpochMilli() + n * 1000L, out);
        assertThat(rule.trackedTracks()).isEqualTo(n + 1);
        assertThat(rule.saveDevice(1)).as("rdr-2 has no track").isNull();

        byte[] state = rule.saveDevice(0);
        java.io.DataInputStream in = new java.io.DataInputStream(new java.io.ByteArrayInputStream(state));
        assertThat(in.readByte()).isEqualTo((byte) 1);
        assertThat(in.readUnsignedShort()).isEqualTo(GeofenceRule.MAX_SAVED_TRACKS);
        List<String> numbers = new ArrayList<>();
        for (int i = 0; i < GeofenceRule.MAX_SAVED_TRACKS; i++) {
            numbers.add(in.readUTF());
            assertThat(in.readLong()).isEqualTo(T0.toEpochMilli() + Long.parseLong(numbers.get(i)) * 1000L);
        }
        assertThat(in.available()).isZero();
        assertThat(numbers).as("the most recent first; the oldest and the over-long number left behind")
                .startsWith("1000", "999").endsWith("1").doesNotContain("0", tooLong);
    }

    @Test
    void otherKindsAndReadingsWithoutTrackAreIgnored() {
        GeofenceRule rule = new GeofenceRule(config(null, null), devices, context);
        List<Alert> out = new ArrayList<>();
        Reading noTrack = new Reading("rdr-1", "ras-ajdir", "radar_track", Map.of(), Map.of("lat_deg", 1.0,
                "lon_deg", 1.0), T0, T0);
        Reading counter = new Reading("rdr-1", "ras-ajdir", "vehicle_count", Map.of("track", "1"),
                Map.of("lat_deg", 1.0, "lon_deg", 1.0), T0, T0);
        rule.evaluate(noTrack, 0, T0.toEpochMilli(), out);
        rule.evaluate(counter, 0, T0.toEpochMilli(), out);
        assertThat(out).isEmpty();
    }

    @Test
    void rayCastingAgreesWithAConcavePolygon() {
        // An L shape: the notch (lon 5..10, lat 5..10) is outside.
        GeofenceZone l = new GeofenceZone("L", new double[][][] {{{0, 0, 10, 0, 10, 5, 5, 5, 5, 10, 0, 10, 0, 0}}});
        assertThat(l.contains(2, 8)).isTrue();
        assertThat(l.contains(8, 2)).isTrue();
        assertThat(l.contains(8, 8)).isFalse();
        assertThat(l.contains(-0.001, 5)).isFalse();
        assertThat(l.contains(11, 2)).isFalse();
    }
}
