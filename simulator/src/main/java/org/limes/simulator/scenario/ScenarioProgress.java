package org.limes.simulator.scenario;

import java.time.Duration;

/**
 * A snapshot of a running scenario, reported every few seconds.
 *
 * @param elapsed       real time since sending started
 * @param sent          frames handed to the transports
 * @param delivered     frames the transports confirmed
 * @param failed        frames that failed
 * @param ratePerSecond frames per second so far
 * @param remaining     real time left
 */
public record ScenarioProgress(Duration elapsed, long sent, long delivered, long failed, double ratePerSecond,
        Duration remaining) {
}
