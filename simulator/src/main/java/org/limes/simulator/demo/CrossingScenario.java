package org.limes.simulator.demo;

import java.time.Duration;
import java.util.Locale;
import org.limes.simulator.scenario.Scenario;
import org.limes.simulator.scenario.ScenarioException;
import org.limes.simulator.scenario.ScenarioLoader;

/**
 * The demo's whole crossing as a scenario, laid out on the demo's own timeline (speed 1, as
 * long as {@code --duration}) and played by the same {@code ScenarioRunner}, device models and
 * drivers as {@code run --scenario}, over MQTT to the gateway's embedded broker:
 *
 * <pre>
 * group        devices          every            what happens (fractions of the duration D)
 * -----------  ---------------  ---------------  ------------------------------------------------------
 * counter      cnt-01 … cnt-08  8 / rate         queue surge on cnt-03 from 0.25 D to 0.50 D
 * anpr_json    anpr-01 … 05     2 s (≤ D / 10)   anpr-03 reads 5-123456 at 0.30 D, anpr-05 (lane 3's
 *                                                rear camera) 2 s later: one passage, one alert
 * radar_nmea   rdr-1            1 s (≤ D / 20)   3 tracks within 60 m of the radar (never reach the
 *                                                zone, 78 m north); track 900 drives from 40 m north
 *                                                of the radar through exclusion-north (0.20 D … 0.75 D)
 * </pre>
 *
 * <p>Topics: counters on {@code crossing/ras-ajdir/counter/<device>}, the rest on
 * {@code crossing/ras-ajdir/<kind>/<device>} (the sources of {@code config/demo.yml}). Track 900
 * runs at most 60 m/s (the model's limit), so below about 15 s of demo it does not leave the
 * zone before the end. Positions and zone: {@code config/demo.yml} (rdr-1 at 32.8843 N,
 * 11.5548 E) and {@code config/zones/ras-ajdir-exclusion.geojson}.
 */
public final class CrossingScenario {

    /** Track 900's path, metres east and north of the radar: in the zone from y = 78 m to y = 411 m. */
    static final double[][] PATH = {{0, 40}, {60, 500}};
    static final double RADAR_LAT = 32.8843;
    static final double RADAR_LON = 11.5548;
    public static final String WATCHLISTED = "5-123456";

    private CrossingScenario() {
    }

    /**
     * The scenario for a demo of {@code duration}, counters sending {@code rate} messages per
     * second in all, to the broker at {@code brokerUri} ({@code tcp://host:port}).
     */
    public static Scenario of(Duration duration, double rate, String brokerUri, long seed) {
        long d = Math.max(1_000, duration.toMillis());
        long counterEvery = Math.max(1, Math.round(8_000 / Math.max(0.01, rate)));
        long cameraEvery = Math.min(2_000, Math.max(100, d / 10));
        long radarEvery = Math.min(1_000, Math.max(100, d / 20));
        double pathLength = Math.hypot(PATH[1][0] - PATH[0][0], PATH[1][1] - PATH[0][1]);
        double speed = Math.min(60, pathLength / (0.55 * d / 1000.0));
        long plateAt = d * 30 / 100;
        String yaml = String.format(Locale.ROOT, """
                name: whole-crossing
                seed: %d
                site: ras-ajdir
                duration: %dms
                speed: 1
                targets:
                  counters: {type: mqtt, uri: "%s", topic: "crossing/{site}/counter/{device}"}
                  devices: {type: mqtt, uri: "%s", topic: "crossing/{site}/{kind}/{device}"}
                devices:
                  - {model: counter, count: 8, prefix: cnt, every: %dms, target: counters}
                  - model: anpr_json
                    count: 5
                    prefix: anpr
                    every: %dms
                    target: devices
                    plates:
                      - {at: %dms, camera: 3, plate: "%s", country: LY}
                      - {at: %dms, camera: 5, plate: "%s", country: LY}
                  - model: radar_nmea
                    count: 1
                    prefix: rdr
                    every: %dms
                    target: devices
                    tracks: 3
                    range_m: 60
                    lat: %s
                    lon: %s
                    path: [{x_m: %s, y_m: %s}, {x_m: %s, y_m: %s}]
                    path_speed_mps: %.3f
                    path_start: %dms
                faults:
                  - {kind: surge, device: cnt-03, from: %dms, to: %dms}
                """, seed, d, brokerUri, brokerUri, counterEvery, cameraEvery, plateAt, WATCHLISTED,
                plateAt + Math.min(2_000, d / 20), WATCHLISTED, radarEvery, RADAR_LAT, RADAR_LON,
                PATH[0][0], PATH[0][1], PATH[1][0], PATH[1][1], speed, d * 20 / 100, d * 25 / 100, d * 50 / 100);
        try {
            return new ScenarioLoader().parse("whole-crossing (demo)", yaml);
        } catch (ScenarioException e) {
            throw new IllegalStateException("the demo's own scenario does not parse: " + e.getMessage(), e);
        }
    }
}
