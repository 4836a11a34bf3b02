package org.limes.gateway.rules;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.limes.drivers.Reading;

/**
 * The engine's rules arranged so that a reading visits only the rules that can do something
 * with it (built by {@link RuleEngine} whenever it installs rules; its size follows the rule
 * set, never the readings):
 *
 * <ul>
 *   <li>by reading kind, then by field: the field's value is looked up once for all the
 *       threshold and rate-of-change rules on it;</li>
 *   <li>thresholds sorted by raise level: while none of a field's thresholds is busy with a
 *       device ({@link DeviceCounts}), a reading visits only those whose raise condition it
 *       meets;</li>
 *   <li>rate-of-change rules created together with the same kind, field and {@code
 *       max_samples} share one {@link RateSamples}: one push per reading, one base per
 *       distinct window and direction, and a rule is visited only when the value reaches its
 *       limit or it has an episode open for the device;</li>
 *   <li>deadman rules are visited only for a device with an open silence episode;</li>
 *   <li>geofence, watchlist and sapient_alert rules only for readings of their kind.</li>
 * </ul>
 *
 * Visiting rules in this order changes the order in which one reading's transitions are
 * appended, so {@link #order} puts them back in the engine's order (the time-integrity rule
 * first, then configuration order) — the same list the engine produced rule by rule.
 *
 * <p>Threading: shard-confined, like the rules.
 */
final class RuleIndex {

    private final Map<String, KindRules> byKind = new HashMap<>();
    private final Map<String, Integer> position = new HashMap<>();
    private final Rule[] always;
    private final DeadmanRule[] deadman;
    private final DeviceCounts silent;
    private String lastKind;
    private KindRules lastKindRules;

    RuleIndex(Rule[] rules, TimeIntegrityRule time, DeviceTable devices) {
        silent = new DeviceCounts(devices);
        List<Rule> rest = new ArrayList<>();
        List<DeadmanRule> dead = new ArrayList<>();
        Map<String, Map<String, List<Rule>>> fields = new LinkedHashMap<>();
        Map<String, List<Rule>> others = new LinkedHashMap<>();
        for (int i = 0; i < rules.length; i++) {
            Rule rule = rules[i];
            position.put(rule.id(), rule == time ? -1 : i);
            if (rule == time) {
                continue;
            }
            if (rule instanceof ThresholdRule t) {
                fields.computeIfAbsent(t.kind(), k -> new LinkedHashMap<>())
                        .computeIfAbsent(t.field(), f -> new ArrayList<>()).add(t);
            } else if (rule instanceof RateOfChangeRule r) {
                fields.computeIfAbsent(r.kind(), k -> new LinkedHashMap<>())
                        .computeIfAbsent(r.field(), f -> new ArrayList<>()).add(r);
            } else if (rule instanceof DeadmanRule d) {
                d.join(silent);
                dead.add(d);
            } else if (rule instanceof GeofenceRule) {
                others.computeIfAbsent(GeofenceRule.KIND, k -> new ArrayList<>()).add(rule);
            } else if (rule instanceof WatchlistRule) {
                others.computeIfAbsent(WatchlistRule.KIND, k -> new ArrayList<>()).add(rule);
            } else if (rule instanceof SensorAlertRule) {
                others.computeIfAbsent(SensorAlertRule.KIND, k -> new ArrayList<>()).add(rule);
            } else {
                rest.add(rule);
            }
        }
        always = rest.toArray(Rule[]::new);
        deadman = dead.toArray(DeadmanRule[]::new);
        for (String kind : fields.keySet()) {
            byKind.put(kind, new KindRules(new ArrayList<>(), new ArrayList<>()));
        }
        for (String kind : others.keySet()) {
            byKind.putIfAbsent(kind, new KindRules(new ArrayList<>(), new ArrayList<>()));
        }
        for (Map.Entry<String, KindRules> e : byKind.entrySet()) {
            KindRules k = e.getValue();
            Map<String, List<Rule>> byField = fields.getOrDefault(e.getKey(), Map.of());
            for (Map.Entry<String, List<Rule>> f : byField.entrySet()) {
                k.groupList.add(new FieldGroup(f.getKey(), f.getValue(), devices));
            }
            k.otherList.addAll(others.getOrDefault(e.getKey(), List.of()));
            k.freeze();
        }
    }

    /** Evaluates a reading that is not quarantined with every rule but the time-integrity rule. */
    void evaluate(Reading r, int d, long nowMs, List<Alert> out) {
        String kind = r.kind();
        KindRules k;
        if (kind == lastKind) {
            k = lastKindRules;
        } else {
            k = byKind.get(kind);
            lastKind = kind;
            lastKindRules = k;
        }
        if (k != null) {
            k.evaluate(r, d, nowMs, out);
        }
        for (Rule rule : always) {
            rule.evaluate(r, d, nowMs, out);
        }
        if (silent.get(d) > 0) {
            for (DeadmanRule rule : deadman) {
                rule.evaluate(r, d, nowMs, out);
            }
        }
    }

    /**
     * Puts the transitions appended from {@code from} in the engine's rule order (stable: a
     * rule's own transitions keep theirs). Only needed when one reading caused more than one.
     */
    void order(List<Alert> out, int from) {
        if (out.size() - from < 2) {
            return;
        }
        List<Alert> part = out.subList(from, out.size());
        // List.sort is stable.
        part.sort(Comparator.comparingInt(a -> position.getOrDefault(a.rule(), Integer.MAX_VALUE)));
    }

    private static final class KindRules {
        private final List<FieldGroup> groupList;
        private final List<Rule> otherList;
        private FieldGroup[] groups;
        private Rule[] others;

        KindRules(List<FieldGroup> groupList, List<Rule> otherList) {
            this.groupList = groupList;
            this.otherList = otherList;
        }

        void freeze() {
            groups = groupList.toArray(FieldGroup[]::new);
            others = otherList.toArray(Rule[]::new);
        }

        void evaluate(Reading r, int d, long nowMs, List<Alert> out) {
            for (FieldGroup g : groups) {
                double v = r.number(g.field);
                if (!Double.isNaN(v)) {
                    g.evaluate(r, d, v, nowMs, out);
                }
            }
            for (Rule rule : others) {
                rule.evaluate(r, d, nowMs, out);
            }
        }
    }

    /** The threshold and rate-of-change rules of one kind and field. */
    private static final class FieldGroup {
        private final String field;
        private final ThresholdRule[] thresholds;
        private final ThresholdRule[] rising;
        private final double[] risingLevels;
        private final ThresholdRule[] falling;
        private final double[] fallingLevels;
        private final DeviceCounts active;
        private final RateSet[] rates;

        FieldGroup(String field, List<Rule> rules, DeviceTable devices) {
            this.field = field;
            active = new DeviceCounts(devices);
            List<ThresholdRule> ts = new ArrayList<>();
            List<RateOfChangeRule> rs = new ArrayList<>();
            for (Rule rule : rules) {
                if (rule instanceof ThresholdRule t) {
                    t.join(active);
                    ts.add(t);
                } else {
                    rs.add((RateOfChangeRule) rule);
                }
            }
            thresholds = ts.toArray(ThresholdRule[]::new);
            rising = ts.stream().filter(ThresholdRule::rising)
                    .sorted(Comparator.comparingDouble(ThresholdRule::raiseLevel)).toArray(ThresholdRule[]::new);
            falling = ts.stream().filter(t -> !t.rising())
                    .sorted(Comparator.comparingDouble(ThresholdRule::raiseLevel).reversed())
                    .toArray(ThresholdRule[]::new);
            risingLevels = new double[rising.length];
            for (int i = 0; i < rising.length; i++) {
                risingLevels[i] = rising[i].raiseLevel();
            }
            fallingLevels = new double[falling.length];
            for (int i = 0; i < falling.length; i++) {
                fallingLevels[i] = falling[i].raiseLevel();
            }
            rates = RateSet.of(rs, devices);
        }

        void evaluate(Reading r, int d, double v, long nowMs, List<Alert> out) {
            if (thresholds.length > 0) {
                if (active.get(d) == 0) {
                    for (int i = 0; i < rising.length && risingLevels[i] < v; i++) {
                        rising[i].accept(r, d, v, nowMs, out);
                    }
                    for (int i = 0; i < falling.length && fallingLevels[i] > v; i++) {
                        falling[i].accept(r, d, v, nowMs, out);
                    }
                } else {
                    for (ThresholdRule t : thresholds) {
                        t.accept(r, d, v, nowMs, out);
                    }
                }
            }
            for (RateSet s : rates) {
                s.evaluate(r, d, v, nowMs, out);
            }
        }
    }

    /** Rate-of-change rules of one kind and field that share one ring. */
    private static final class RateSet {
        private final RateSamples samples;
        private final RateOfChangeRule[] rules;
        private final int[] windowOf;
        private final long[] windows;
        private final boolean[] windowRising;
        private final double[] bases;
        private final DeviceCounts open;

        private RateSet(RateSamples samples, List<RateOfChangeRule> rules, DeviceTable devices) {
            this.samples = samples;
            this.rules = rules.toArray(RateOfChangeRule[]::new);
            this.open = new DeviceCounts(devices);
            windowOf = new int[this.rules.length];
            List<Long> ws = new ArrayList<>();
            List<Boolean> wr = new ArrayList<>();
            for (int i = 0; i < this.rules.length; i++) {
                RateOfChangeRule rule = this.rules[i];
                rule.join(open);
                int w = 0;
                while (w < ws.size() && (ws.get(w) != rule.windowMs() || wr.get(w) != rule.rising())) {
                    w++;
                }
                if (w == ws.size()) {
                    ws.add(rule.windowMs());
                    wr.add(rule.rising());
                }
                windowOf[i] = w;
            }
            windows = new long[ws.size()];
            windowRising = new boolean[ws.size()];
            for (int w = 0; w < windows.length; w++) {
                windows[w] = ws.get(w);
                windowRising[w] = wr.get(w);
            }
            bases = new double[windows.length];
        }

        /**
         * Groups rules by ring: rules whose ring has no sample yet, with the same capacity, take
         * one ring (the first one's); a ring with samples stays its rules' own.
         */
        static RateSet[] of(List<RateOfChangeRule> rules, DeviceTable devices) {
            Map<Integer, RateSamples> fresh = new HashMap<>();
            Map<RateSamples, List<RateOfChangeRule>> byRing = new IdentityHashMap<>();
            List<RateSamples> order = new ArrayList<>();
            for (RateOfChangeRule rule : rules) {
                RateSamples s = rule.samples();
                if (!s.used()) {
                    RateSamples shared = fresh.putIfAbsent(s.capacity(), s);
                    if (shared != null && shared != s) {
                        rule.share(shared);
                        s = shared;
                    }
                }
                List<RateOfChangeRule> list = byRing.get(s);
                if (list == null) {
                    list = new ArrayList<>();
                    byRing.put(s, list);
                    order.add(s);
                }
                list.add(rule);
            }
            RateSet[] sets = new RateSet[order.size()];
            for (int i = 0; i < sets.length; i++) {
                sets[i] = new RateSet(order.get(i), byRing.get(order.get(i)), devices);
            }
            return sets;
        }

        void evaluate(Reading r, int d, double v, long nowMs, List<Alert> out) {
            long t = r.deviceTime().toEpochMilli();
            if (samples.stale(d, t)) {
                return;
            }
            for (int w = 0; w < windows.length; w++) {
                bases[w] = samples.base(d, t, windows[w], windowRising[w]);
            }
            samples.push(d, t, v);
            boolean anyOpen = open.get(d) > 0;
            for (int i = 0; i < rules.length; i++) {
                double base = bases[windowOf[i]];
                if (anyOpen || rules[i].changes(v, base)) {
                    rules[i].decide(r, d, v, t, base, nowMs, out);
                }
            }
        }
    }
}
