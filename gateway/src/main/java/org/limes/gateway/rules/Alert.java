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
        return toBuilder().state(AlertState.CLEARED).value(clearValue).threshold(clearLevel)
                .lastSeen(clearLastSeen).at(clearAt).reason(clearReason).build();
    }

    /**
     * A builder for an alert, field by field by name. {@code subjectKind} defaults to
     * {@link #DEVICE}, {@code tags} to none; {@code alertId}, {@code rule}, {@code state},
     * {@code subject}, {@code raisedAt} and {@code at} are required ({@link #build()} says
     * which one is missing).
     */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this alert's fields, to derive another transition from it. */
    public Builder toBuilder() {
        return new Builder().alertId(alertId).rule(rule).state(state).severity(severity).site(site).device(device)
                .subjectKind(subjectKind).subject(subject).kind(kind).field(field).value(value).threshold(threshold)
                .firstSeen(firstSeen).lastSeen(lastSeen).raisedAt(raisedAt).at(at).reason(reason).tags(tags);
    }

    /** Builds an {@link Alert}; see {@link Alert#builder()}. */
    public static final class Builder {
        private String alertId;
        private String rule;
        private AlertState state;
        private String severity;
        private String site;
        private String device;
        private String subjectKind = DEVICE;
        private String subject;
        private String kind;
        private String field;
        private double value = Double.NaN;
        private double threshold = Double.NaN;
        private Instant firstSeen;
        private Instant lastSeen;
        private Instant raisedAt;
        private Instant at;
        private String reason;
        private Map<String, String> tags = Map.of();

        private Builder() {
        }

        public Builder alertId(String alertId) { this.alertId = alertId; return this; }
        public Builder rule(String rule) { this.rule = rule; return this; }
        public Builder state(AlertState state) { this.state = state; return this; }
        public Builder severity(String severity) { this.severity = severity; return this; }
        public Builder site(String site) { this.site = site; return this; }
        public Builder device(String device) { this.device = device; return this; }
        public Builder subjectKind(String subjectKind) { this.subjectKind = subjectKind; return this; }
        public Builder subject(String subject) { this.subject = subject; return this; }
        public Builder kind(String kind) { this.kind = kind; return this; }
        public Builder field(String field) { this.field = field; return this; }
        public Builder value(double value) { this.value = value; return this; }
        public Builder threshold(double threshold) { this.threshold = threshold; return this; }
        public Builder firstSeen(Instant firstSeen) { this.firstSeen = firstSeen; return this; }
        public Builder lastSeen(Instant lastSeen) { this.lastSeen = lastSeen; return this; }
        public Builder raisedAt(Instant raisedAt) { this.raisedAt = raisedAt; return this; }
        public Builder at(Instant at) { this.at = at; return this; }
        public Builder reason(String reason) { this.reason = reason; return this; }
        public Builder tags(Map<String, String> tags) { this.tags = tags == null ? Map.of() : tags; return this; }

        /** The alert; a missing required field is named: {@code Alert.builder(): alertId is required}. */
        public Alert build() {
            required(alertId, "alertId");
            required(rule, "rule");
            required(state, "state");
            required(subject, "subject");
            required(raisedAt, "raisedAt");
            required(at, "at");
            return new Alert(alertId, rule, state, severity, site, device, subjectKind, subject, kind, field, value,
                    threshold, firstSeen, lastSeen, raisedAt, at, reason, tags);
        }

        private static void required(Object value, String field) {
            if (value == null) {
                throw new NullPointerException("Alert.builder(): " + field + " is required");
            }
        }
    }
}
