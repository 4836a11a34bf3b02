package org.limes.simulator.load;

import java.time.Duration;

/**
 * The outcome of one {@link CounterFleet} run.
 *
 * @param sent          messages handed to the MQTT client
 * @param acknowledged  messages the broker acknowledged
 * @param failed        messages refused, failed, or still unacknowledged when the final wait ran out
 * @param elapsed       from the first send until the last acknowledgement (or the wait's end)
 * @param ratePerSecond {@code sent} over {@code elapsed}
 */
public record FleetResult(long sent, long acknowledged, long failed, Duration elapsed, double ratePerSecond) {

    /** Whether every message sent was acknowledged. */
    public boolean complete() {
        return failed == 0 && acknowledged == sent;
    }
}
