package org.limes.simulator.load;

import java.time.Duration;

/**
 * A snapshot of a running {@link CounterFleet}.
 *
 * @param sent          messages handed to the MQTT client so far
 * @param acknowledged  messages the broker acknowledged so far
 * @param failed        messages that failed so far
 * @param elapsed       time since the run started sending
 * @param remaining     planned sending time left
 * @param ratePerSecond {@code sent} over {@code elapsed}
 */
public record FleetProgress(
        long sent, long acknowledged, long failed, Duration elapsed, Duration remaining, double ratePerSecond) {
}
