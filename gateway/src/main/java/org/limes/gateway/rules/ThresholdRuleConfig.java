package org.limes.gateway.rules;

import java.util.Set;
import org.limes.gateway.config.Require;

/**
 * A {@code type: threshold} rule: raise when a field of readings of one kind rises above
 * {@code raise_above}, clear when it falls below {@code clear_below} (hysteresis), per
 * device.
 *
 * @param id         stable rule id, part of every alert id
 * @param kind       reading kind it watches, e.g. {@code vehicle_count}
 * @param field      numeric field, e.g. {@code count_total}
 * @param raiseAbove level above which the alert is raised
 * @param clearBelow level below which it clears; at most {@code raise_above}
 * @param severity   info, warning, critical (default warning)
 */
public record ThresholdRuleConfig(String id, String kind, String field, Double raiseAbove, Double clearBelow,
        String severity) implements RuleConfig {

    public ThresholdRuleConfig {
        Require.identifier("id", id);
        Require.nonBlank("kind", kind);
        Require.nonBlank("field", field);
        Require.present("raise_above", raiseAbove);
        Require.present("clear_below", clearBelow);
        if (clearBelow > raiseAbove) {
            throw new IllegalArgumentException("clear_below must be at most raise_above " + raiseAbove + ", got "
                    + clearBelow);
        }
        severity = Require.oneOf("severity", severity, "warning", Set.of("info", "warning", "critical"));
    }
}
