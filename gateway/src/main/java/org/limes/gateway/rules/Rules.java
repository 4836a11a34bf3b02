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

    public static List<Rule> create(List<RuleConfig> configs, DeviceTable devices, RuleContext context) {
        List<Rule> rules = new ArrayList<>(configs.size());
        for (RuleConfig c : configs) {
            rules.add(create(c, devices, context));
        }
        return rules;
    }

    /**
     * @param context what the shards of one pipeline share (the watchlist passage table)
     */
    public static Rule create(RuleConfig c, DeviceTable devices, RuleContext context) {
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
        if (c instanceof GeofenceRuleConfig g) {
            return new GeofenceRule(g, devices, context);
        }
        if (c instanceof WatchlistRuleConfig w) {
            return new WatchlistRule(w, devices, context);
        }
        if (c instanceof SensorAlertRuleConfig s) {
            return new SensorAlertRule(s, devices, context);
        }
        throw new IllegalStateException("no rule implementation for " + c.getClass().getSimpleName());
    }
}
