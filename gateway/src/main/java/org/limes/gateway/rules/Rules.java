package org.limes.gateway.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds a shard's rule instances from configuration. Closed set: the rule kind is
 * chosen explicitly by the config type.
 */
public final class Rules {

    private Rules() {
    }

    public static List<Rule> create(List<RuleConfig> configs, int maxSubjects) {
        List<Rule> rules = new ArrayList<>(configs.size());
        for (RuleConfig c : configs) {
            if (c instanceof ThresholdRuleConfig t) {
                rules.add(new ThresholdRule(t, maxSubjects));
            } else {
                throw new IllegalStateException("no rule implementation for " + c.getClass().getSimpleName());
            }
        }
        return rules;
    }
}
