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

    public static List<Rule> create(List<RuleConfig> configs, DeviceTable devices) {
        List<Rule> rules = new ArrayList<>(configs.size());
        for (RuleConfig c : configs) {
            rules.add(create(c, devices));
        }
        return rules;
    }

    public static Rule create(RuleConfig c, DeviceTable devices) {
        if (c instanceof ThresholdRuleConfig t) {
            return new ThresholdRule(t, devices);
        }
        if (c instanceof RateOfChangeRuleConfig r) {
            return new RateOfChangeRule(r, devices);
        }
        if (c instanceof DeadmanRuleConfig d) {
            return new DeadmanRule(d, devices);
        }
        if (c instanceof TimeIntegrityRuleConfig t) {
            return new TimeIntegrityRule(t, devices);
        }
        throw new IllegalStateException("no rule implementation for " + c.getClass().getSimpleName());
    }
}
