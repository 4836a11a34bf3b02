package org.limes.gateway.rules;

import java.util.Set;
import org.limes.gateway.config.Require;

/**
 * A {@code type: rate_of_change} rule: per device, raises when a field of readings of one
 * kind changes by more than a limit within {@code window} (device time), compared with
 * the lowest (for a rise) or highest (for a fall) value of the earlier readings in the
 * window. Exactly one limit: {@code rise_by} / {@code fall_by} (absolute change) or
 * {@code rise_factor} / {@code fall_factor} (ratio, e.g. 3 = "triples" or "falls to a
 * third"; only judged when the base is at least {@code min_base}, so 0 → 1 is not an
 * infinite rise). Clears once a whole window passes without the change.
 *
 * @param id         stable rule id
 * @param kind       reading kind it watches
 * @param field      numeric field
 * @param window     e.g. {@code 10m}
 * @param riseBy     raise when value − lowest ≥ this
 * @param fallBy     raise when highest − value ≥ this
 * @param riseFactor raise when value ≥ lowest × this (&gt; 1)
 * @param fallFactor raise when value ≤ highest ÷ this (&gt; 1)
 * @param minBase    smallest base a factor is judged on (default 1)
 * @param maxSamples readings kept per device for the window, 2..4096 (default 64); when
 *                   more arrive within a window, the oldest are forgotten early
 * @param severity   info, warning, critical (default warning)
 */
public record RateOfChangeRuleConfig(String id, String kind, String field, String window, Double riseBy,
        Double fallBy, Double riseFactor, Double fallFactor, Double minBase, Integer maxSamples, String severity)
        implements RuleConfig {

    public RateOfChangeRuleConfig {
        Require.identifier("id", id);
        Require.nonBlank("kind", kind);
        Require.nonBlank("field", field);
        Require.present("window", window);
        Require.duration("window", window, 0, 1_000, 7 * 86_400_000L);
        int limits = (riseBy == null ? 0 : 1) + (fallBy == null ? 0 : 1) + (riseFactor == null ? 0 : 1)
                + (fallFactor == null ? 0 : 1);
        if (limits != 1) {
            throw new IllegalArgumentException("rise_by must be given, or exactly one of fall_by, rise_factor, "
                    + "fall_factor; got " + limits + " limits");
        }
        if (riseBy != null && riseBy <= 0) {
            throw new IllegalArgumentException("rise_by must be above 0, got " + riseBy);
        }
        if (fallBy != null && fallBy <= 0) {
            throw new IllegalArgumentException("fall_by must be above 0, got " + fallBy);
        }
        if (riseFactor != null && riseFactor <= 1) {
            throw new IllegalArgumentException("rise_factor must be above 1, got " + riseFactor);
        }
        if (fallFactor != null && fallFactor <= 1) {
            throw new IllegalArgumentException("fall_factor must be above 1, got " + fallFactor);
        }
        minBase = minBase == null ? 1.0 : minBase;
        if (minBase <= 0) {
            throw new IllegalArgumentException("min_base must be above 0, got " + minBase);
        }
        maxSamples = (int) Require.range("max_samples", maxSamples, 64, 2, 4096);
        severity = Require.oneOf("severity", severity, "warning", Set.of("info", "warning", "critical"));
    }

    public long windowMs() {
        return Require.duration("window", window, 0, 1_000, 7 * 86_400_000L);
    }

    /** True when it watches for a rise, false for a fall. */
    public boolean rising() {
        return riseBy != null || riseFactor != null;
    }
}
