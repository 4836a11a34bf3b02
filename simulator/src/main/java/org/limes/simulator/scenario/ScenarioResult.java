package org.limes.simulator.scenario;

import java.time.Duration;
import java.util.Map;

/**
 * What a scenario run did.
 *
 * @param scenario         the scenario name
 * @param sent             frames handed to the transports
 * @param delivered        frames the transports confirmed (MQTT acknowledged, HTTP 2xx, TCP/UDP written)
 * @param failed           frames that failed (refused, connection lost, HTTP error)
 * @param malformed        frames broken on purpose (a {@code malformed} fault), included in {@code sent}
 * @param suppressed       frames a {@code silent} fault kept back
 * @param bufferDropped    frames an {@code offline} device could not hold (its buffer was full)
 * @param goodReadings     readings in good (not malformed) delivered frames, by device
 * @param goodReadingsByKind readings in good delivered frames, by reading kind
 * @param elapsed          real time taken
 * @param stoppedEarly     whether the run was stopped before its end
 */
public record ScenarioResult(String scenario, long sent, long delivered, long failed, long malformed,
        long suppressed, long bufferDropped, Map<String, Long> goodReadings, Map<String, Long> goodReadingsByKind,
        Duration elapsed, boolean stoppedEarly) {

    public ScenarioResult {
        goodReadings = Map.copyOf(goodReadings);
        goodReadingsByKind = Map.copyOf(goodReadingsByKind);
    }

    /** Whether every frame sent was delivered. */
    public boolean complete() {
        return failed == 0 && delivered == sent;
    }

    /** Frames per second over the run. */
    public double ratePerSecond() {
        double s = elapsed.toNanos() / 1e9;
        return s <= 0 ? 0 : sent / s;
    }
}
