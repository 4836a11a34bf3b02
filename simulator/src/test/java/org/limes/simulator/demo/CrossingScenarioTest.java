package org.limes.simulator.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.limes.drivers.Drivers;
import org.limes.drivers.Reading;
import org.limes.gateway.config.ConfigLoader;
import org.limes.gateway.config.GatewayConfig;
import org.limes.gateway.pipeline.DeviceConfig;
import org.limes.gateway.rules.GeofenceZone;
import org.limes.gateway.rules.GeofenceZonesFile;
import org.limes.simulator.device.radar.RadarPathTrack;
import org.limes.simulator.scenario.DeviceGroupConfig;
import org.limes.simulator.scenario.Scenario;

/** The demo's crossing fits {@code config/demo.yml} and its zone: what the demo's alerts rest on. */
class CrossingScenarioTest {

    private static final Path ZONES = Path.of("..", "config", "zones", "ras-ajdir-exclusion.geojson");

    @ParameterizedTest
    @ValueSource(strings = {"5s", "60s", "10m"})
    void everyDeviceItPlaysIsInTheDemoInventoryAndEveryEventFallsWithinTheRun(String length) throws Exception {
        Duration d = Duration.ofMillis(org.limes.simulator.DurationConverter.parse(length).toMillis());
        Scenario s = CrossingScenario.of(d, 20, "tcp://127.0.0.1:1883", 18L);
        GatewayConfig demo = new ConfigLoader(Drivers.load()).load(Path.of("..", "config", "demo.yml"));
        List<String> inventory = demo.inventory().devices().stream().map(DeviceConfig::id).toList();
        assertThat(inventory).containsExactlyInAnyOrderElementsOf(s.deviceIds());
        assertThat(s.simulatedDuration()).isEqualTo(d);
        assertThat(s.speed()).isEqualTo(1.0);
        DeviceGroupConfig cameras = s.devices().get(1);
        assertThat(cameras.plates()).extracting(DeviceGroupConfig.PlateEvent::camera).containsExactly(3, 5);
        assertThat(demo.inventory().devices().stream().filter(x -> x.id().equals("anpr-03") || x.id().equals("anpr-05"))
                .map(DeviceConfig::lane)).as("one lane: one passage").containsOnly("3");
        for (DeviceGroupConfig.PlateEvent p : cameras.plates()) {
            assertThat(org.limes.simulator.DurationConverter.parse(p.at())).isLessThan(d);
        }
    }

    @Test
    void track900EntersTheExclusionZoneAndLeavesItWithinASixtySecondDemoAndTheOtherTracksNeverReachIt()
            throws Exception {
        GeofenceZone zone = GeofenceZonesFile.read(ZONES).stream().filter(z -> z.name().equals("exclusion-north"))
                .findFirst().orElseThrow();
        Duration d = Duration.ofSeconds(60);
        DeviceGroupConfig radar = CrossingScenario.of(d, 20, "tcp://127.0.0.1:1883", 18L).devices().get(2);
        Instant start = Instant.parse("2026-12-05T12:00:00Z");
        RadarPathTrack track = new RadarPathTrack("rdr-1", 900, radar.path().stream()
                .map(w -> new double[] {w.xM(), w.yM()}).toList(), radar.pathSpeedMps(),
                start.plus(org.limes.simulator.DurationConverter.parse(radar.pathStart())), radar.lat(), radar.lon());
        List<Boolean> inside = new ArrayList<>();
        for (long ms = 0; ms < d.toMillis(); ms += 1000) {
            for (Reading r : track.readings(start.plusMillis(ms))) {
                if (r.fields().get("lat_deg") instanceof Double lat && r.fields().get("lon_deg") instanceof Double lon) {
                    inside.add(zone.contains(lon, lat));
                }
            }
        }
        assertThat(inside).as("positions inside the zone, in order").isNotEmpty();
        assertThat(inside.get(0)).as("starts outside").isFalse();
        assertThat(inside.get(inside.size() - 1)).as("ends outside, before the demo ends").isFalse();
        assertThat(inside.stream().filter(b -> b).count()).isGreaterThanOrEqualTo(10);

        // The random tracks are lost beyond range_m of the radar; the zone is further than that.
        double metresPerDegLon = 111_320 * Math.cos(Math.toRadians(radar.lat()));
        double nearest = Double.MAX_VALUE;
        for (int i = 0; i <= 1000; i++) {
            double lon = 11.5540 + i * (11.5590 - 11.5540) / 1000;
            nearest = Math.min(nearest, Math.hypot((lon - radar.lon()) * metresPerDegLon,
                    (32.8850 - radar.lat()) * 111_320));
        }
        assertThat(nearest).isGreaterThan(radar.rangeM());
    }
}
