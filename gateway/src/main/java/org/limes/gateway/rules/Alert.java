package org.limes.gateway.rules;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One alert transition: an episode was raised or cleared.
 *
 * <p>{@code alertId} is stable for the episode and derived from its data (rule, subject
 * and the device time of the reading that raised it), so re-evaluating a redelivered
 * frame yields the same id; {@link #eventId()} names this transition, so a centre can drop
 * a redelivered one.
 *
 * @param alertId   episode id: {@code rule/device/raisedAtMillis}
 * @param rule      the rule's id
 * @param state     raised or cleared
 * @param severity  info, warning or critical
 * @param site      the crossing
 * @param device    the subject device
 * @param kind      the reading kind that was evaluated
 * @param field     the field that crossed the level
 * @param value     the value that caused this transition
 * @param threshold the level that was crossed (raise or clear level)
 * @param raisedAt  device time of the reading that raised the episode
 * @param at        device time of this transition
 * @param tags      the reading's tags (lane, direction, location, …)
 */
public record Alert(String alertId, String rule, AlertState state, String severity, String site, String device,
        String kind, String field, double value, double threshold, Instant raisedAt, Instant at,
        Map<String, String> tags) {

    public Alert {
        Objects.requireNonNull(alertId, "alertId");
        Objects.requireNonNull(state, "state");
        tags = java.util.Collections.unmodifiableMap(new TreeMap<>(tags));
    }

    /** Identifies this transition: {@code alertId:raised} or {@code alertId:cleared}. */
    public String eventId() {
        return alertId + ":" + state.label();
    }
}
