package org.limes.gateway.rules;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Set;
import org.limes.gateway.config.Require;

/**
 * A {@code type: threshold} rule: per device, raise when a field of readings of one kind
 * rises above {@code raise_above} and clear when it falls below {@code clear_below}
 * (hysteresis); or, for a level that must not be undercut, raise below {@code raise_below}
 * and clear above {@code clear_above}. With {@code for}, the condition must hold that long
 * before the alert is raised, and (unless {@code clear_for} says otherwise) the clear
 * condition that long before it clears.
 *
 * @param id         stable rule id, part of every alert id
 * @param kind       reading kind it watches, e.g. {@code vehicle_count}
 * @param field      numeric field, e.g. {@code count_total}
 * @param raiseAbove level above which the alert is raised
 * @param clearBelow level below which it clears; at most {@code raise_above}
 * @param raiseBelow level below which the alert is raised (instead of {@code raise_above})
 * @param clearAbove level above which it clears; at least {@code raise_below}
 * @param holdFor    {@code for:} how long the raise condition must hold, e.g. {@code 60s} (default 0s)
 * @param clearFor   how long the clear condition must hold (default: {@code for})
 * @param severity   info, warning, critical (default warning)
 */
public record ThresholdRuleConfig(String id, String kind, String field, Double raiseAbove, Double clearBelow,
        Double raiseBelow, Double clearAbove, @JsonProperty("for") String holdFor, String clearFor, String severity)
        implements RuleConfig {

    static final long MAX_HOLD_MS = 7 * 86_400_000L;

    public ThresholdRuleConfig {
        Require.identifier("id", id);
        Require.nonBlank("kind", kind);
        Require.nonBlank("field", field);
        if (raiseAbove != null && raiseBelow != null) {
            throw new IllegalArgumentException("raise_below cannot be combined with raise_above: a threshold rule "
                    + "watches one direction");
        }
        if (raiseAbove == null && raiseBelow == null) {
            throw new IllegalArgumentException("raise_above is required (or raise_below, for a level that must not "
                    + "be undercut)");
        }
        if (raiseAbove != null) {
            Require.present("clear_below", clearBelow);
            if (clearAbove != null) {
                throw new IllegalArgumentException("clear_above goes with raise_below; with raise_above use "
                        + "clear_below");
            }
            if (clearBelow > raiseAbove) {
                throw new IllegalArgumentException("clear_below must be at most raise_above " + raiseAbove
                        + ", got " + clearBelow);
            }
        } else {
            Require.present("clear_above", clearAbove);
            if (clearBelow != null) {
                throw new IllegalArgumentException("clear_below goes with raise_above; with raise_below use "
                        + "clear_above");
            }
            if (clearAbove < raiseBelow) {
                throw new IllegalArgumentException("clear_above must be at least raise_below " + raiseBelow
                        + ", got " + clearAbove);
            }
        }
        Require.duration("for", holdFor, 0, 0, MAX_HOLD_MS);
        Require.duration("clear_for", clearFor, 0, 0, MAX_HOLD_MS);
        severity = Require.oneOf("severity", severity, "warning", Set.of("info", "warning", "critical"));
    }

    /** A rule that raises above {@code raiseAbove} and clears below {@code clearBelow}, without hold times. */
    public ThresholdRuleConfig(String id, String kind, String field, Double raiseAbove, Double clearBelow,
            String severity) {
        this(id, kind, field, raiseAbove, clearBelow, null, null, null, null, severity);
    }

    /** True when it raises above a level, false when below one. */
    public boolean rising() {
        return raiseAbove != null;
    }

    public double raiseLevel() {
        return rising() ? raiseAbove : raiseBelow;
    }

    public double clearLevel() {
        return rising() ? clearBelow : clearAbove;
    }

    public long holdMs() {
        return Require.duration("for", holdFor, 0, 0, MAX_HOLD_MS);
    }

    public long clearHoldMs() {
        return clearFor == null ? holdMs() : Require.duration("clear_for", clearFor, 0, 0, MAX_HOLD_MS);
    }
}
