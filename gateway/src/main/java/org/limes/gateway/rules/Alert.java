package org.limes.gateway.rules;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One alert transition: an episode was raised or cleared.
 *
 * <p>{@code alertId} is stable for the episode: {@code gateway/rule/subject/millis}, where
 * the gateway's name keeps two crossings (each with a {@code cnt-03}) apart and the
 * millis are the device time of the first reading in which the condition held (so
 * re-evaluating a redelivered frame yields the same id) or, for rules that raise without
 * a reading (deadman), the gateway time of the raise. {@link #eventId()} names this
 * transition, so a centre can drop a redelivered one. A clear always carries the id of
 * the episode it ends, also when it happens after a restart.
 *
 * <p>Times other than the id's are gateway time (the engine's clock): a device's own
 * clock may be wrong, which is what the time-integrity rule watches.
 *
 * @param alertId     episode id: {@code gateway/rule/subject/millis}
 * @param rule        the rule's id
 * @param state       raised or cleared
 * @param severity    info, warning or critical
 * @param site        the crossing
 * @param device      the device whose readings (or silence) caused it
 * @param subjectKind what the alert is about: {@code device}, later {@code track},
 *                    {@code zone}, {@code plate}
 * @param subject     the subject's id (for {@code device}, the device id)
 * @param kind        the reading kind that was evaluated ({@code any} for deadman)
 * @param field       the field that was evaluated
 * @param value       the value that caused this transition
 * @param threshold   the level that was crossed (the raise level or the clear level)
 * @param firstSeen   when the condition was first seen in this episode
 * @param lastSeen    when the condition was last seen to hold
 * @param raisedAt    when the episode was raised
 * @param at          when this transition happened
 * @param reason      why a clear happened other than by its condition ({@code rule_removed},
 *                    {@code subject_removed}); null otherwise
 * @param tags        the reading's and inventory's tags (lane, direction, location, …)
 */
public record Alert(String alertId, String rule, AlertState state, String severity, String site, String device,
        String subjectKind, String subject, String kind, String field, double value, double threshold,
        Instant firstSeen, Instant lastSeen, Instant raisedAt, Instant at, String reason, Map<String, String> tags) {

    public static final String DEVICE = "device";

    public Alert {
        Objects.requireNonNull(alertId, "alertId");
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(raisedAt, "raisedAt");
        Objects.requireNonNull(at, "at");
        firstSeen = firstSeen == null ? raisedAt : firstSeen;
        lastSeen = lastSeen == null ? at : lastSeen;
        tags = Collections.unmodifiableMap(new TreeMap<>(tags));
    }

    /**
     * The episode id of gateway {@code gateway}'s rule's alert about a subject whose condition
     * began at {@code millis}: {@code gateway/rule/subject/millis}.
     */
    public static String episodeId(String gateway, String rule, String subject, long millis) {
        return gateway + "/" + rule + "/" + subject + "/" + millis;
    }

    /**
     * Identifies this transition: {@code alertId:raised}, {@code alertId:cleared}, or, for a
     * clear that did not come from its condition, {@code alertId:cleared:reason}. A clear the
     * gateway decides (a restart finds the rule or the subject gone) and the clear by the
     * condition are two different transitions with different content: after a crash both may
     * reach a centre, and one id for both would let a centre that drops repeats keep the wrong
     * one.
     */
    public String eventId() {
        return reason == null ? alertId + ":" + state.label() : alertId + ":" + state.label() + ":" + reason;
    }

    /** The clear that ends this (raised) episode. */
    public Alert cleared(double clearValue, double clearLevel, Instant clearLastSeen, Instant clearAt,
            String clearReason) {
        return new Alert(alertId, rule, AlertState.CLEARED, severity, site, device, subjectKind, subject, kind, field,
                clearValue, clearLevel, firstSeen, clearLastSeen, raisedAt, clearAt, clearReason, tags);
    }
}
