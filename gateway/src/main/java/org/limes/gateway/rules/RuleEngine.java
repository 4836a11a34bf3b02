package org.limes.gateway.rules;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.limes.drivers.Reading;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pipeline shard's rules and their state: judges each reading's time, evaluates the
 * rules, runs their periodic tick, and knows every open alert episode, so that episodes
 * survive a restart ({@link #restore}) and a reload ({@link #replace}).
 *
 * <p>Per reading ({@link #process}): the device gets its {@link DeviceTable} index; the
 * time-integrity rule (if any) sees the reading as received and decides on quarantine;
 * the clock offset is recorded (the {@code limes.clock.skew} gauge); the other rules
 * evaluate the reading to be stored — unless it was quarantined, whether stored or dropped:
 * then it only counts as a sign of life for deadman rules; the device is marked heard. Transitions are appended to {@code out}.
 * A reading visits only the rules that can act on it ({@link RuleIndex}: by kind and field,
 * thresholds by level, deadman rules only with an episode open); the transitions come out in
 * the same order as if every rule had evaluated it in configuration order.
 *
 * <p>Threading: shard-confined; no locks. Time comes from the injected {@link Clock}.
 */
public final class RuleEngine {

    private static final Logger LOG = LoggerFactory.getLogger(RuleEngine.class);
    private static final long SKEW_LOG_INTERVAL_MS = 60_000;
    static final String QUARANTINE_TAG = "quarantine";
    static final String DEVICE_TIME_FIELD = "device_time_ms";
    /** At most this often the last-heard times are saved only because devices were heard. */
    static final long LAST_HEARD_SAVE_MS = 30_000;
    /**
     * How far a persisted last-heard time may lag the true last report after a crash: the
     * save period, plus the ~1 s tick and the outbox commit before the write, with margin.
     */
    static final long LAST_HEARD_GRACE_MS = 2 * LAST_HEARD_SAVE_MS;

    private final DeviceTable devices;
    private final Clock clock;
    private final RuleMetrics metrics;
    private final RuleContext context;
    private final Map<String, Alert> open = new LinkedHashMap<>();
    private long[] lastSkewLogMs = new long[0];
    /** Per inventory device, when its silence started counting if not heard since; -1 once heard. */
    private final long[] armedAt;
    private Rule[] rules = new Rule[0];
    /** The same rules arranged so that a reading visits only those that can act on it. */
    private RuleIndex index;
    private TimeIntegrityRule time;
    /** The open episodes changed since last taken for saving. */
    private boolean openChanged;
    /**
     * The armed times changed since last taken for saving: at start-up, or an armed device was
     * heard (saved at the next tick, about a second later, so after a crash a device first heard
     * in that second may still count as never heard).
     */
    private boolean armedChanged;
    /** The last-heard times are due for saving. */
    private boolean heardChanged;
    /** An inventory device was heard since the last-heard times were last taken for saving. */
    private boolean heardSinceSave;
    /** An armed device was heard since the last tick. */
    private boolean disarmedSinceTick;
    private long lastHeardSaveMs;

    /**
     * @param devices the shard's devices, inventory already registered
     * @param configs the rules, already checked (unique ids, at most one time_integrity)
     * @param context what the pipeline's shards share (one per pipeline)
     */
    public RuleEngine(DeviceTable devices, List<RuleConfig> configs, Clock clock, RuleContext context) {
        this.devices = devices;
        this.clock = clock;
        this.metrics = context.metrics();
        this.context = context;
        devices.start(clock.millis());
        lastHeardSaveMs = clock.millis();
        armedAt = new long[devices.inventorySize()];
        for (int d = 0; d < armedAt.length; d++) {
            armedAt[d] = devices.lastHeardMs(d);
        }
        for (int d = 0; d < devices.inventorySize(); d++) {
            metrics.skewGauge(devices, d);
        }
        install(Rules.create(configs, devices, context));
    }

    private void install(List<Rule> next) {
        rules = next.toArray(Rule[]::new);
        time = null;
        for (Rule r : rules) {
            if (r instanceof TimeIntegrityRule t) {
                time = t;
            }
        }
        index = new RuleIndex(rules, time, devices);
    }

    /**
     * Evaluates one normalised reading; returns the reading to store — the same one, a
     * quarantined copy stamped with gateway time, or null when it is to be dropped.
     */
    public Reading process(Reading r, List<Alert> out) {
        int d = devices.admit(r.deviceId());
        if (d < 0) {
            metrics.unevaluated();
            return r;
        }
        long now = clock.millis();
        int mark = out.size();
        long offset = r.deviceTime().toEpochMilli() - r.receivedAt().toEpochMilli();
        Reading stored = r;
        boolean quarantined = false;
        if (time != null) {
            time.evaluate(r, d, now, out);
            if (time.quarantines(offset)) {
                quarantined = true;
                stored = quarantine(r, d, offset, now);
            }
        }
        devices.offset(d, offset);
        if (!quarantined) {
            // Only the rules that can act on this reading (RuleIndex); their transitions are
            // put back in rule order below.
            index.evaluate(stored, d, now, out);
        } else {
            // A quarantined reading's time is not known: it drives no rule whose meaning rests
            // on time (hold times, rates, an episode's id would come from the gateway's clock);
            // it still says the device is alive. A watchlist hit does not rest on time: a wanted
            // plate read by a camera with a wrong clock is still a wanted plate at the crossing,
            // so it is raised (its id from the device's own time, stable on redelivery) beside
            // the clock alert the time-integrity rule has raised.
            Rule[] rs = rules;
            for (int i = 0; i < rs.length; i++) {
                Rule rule = rs[i];
                if (rule != time && (rule instanceof DeadmanRule || rule instanceof WatchlistRule)) {
                    rule.evaluate(r, d, now, out);
                }
            }
        }
        index.order(out, mark);
        devices.heard(d, now);
        if (d < armedAt.length) {
            heardSinceSave = true;
            if (armedAt[d] >= 0) {
                // Saved at the next tick, not now: a fleet's first round would otherwise ask
                // for a save of every device's times on every one of its readings.
                armedAt[d] = -1;
                disarmedSinceTick = true;
            }
        }
        record(out, mark);
        return stored;
    }

    private Reading quarantine(Reading r, int d, long offsetMs, long now) {
        boolean drop = time.drops();
        metrics.quarantined(drop ? "drop" : "store");
        if (d >= lastSkewLogMs.length) {
            int from = lastSkewLogMs.length;
            lastSkewLogMs = Arrays.copyOf(lastSkewLogMs, Math.max(d + 1, devices.size()));
            Arrays.fill(lastSkewLogMs, from, lastSkewLogMs.length, Long.MIN_VALUE / 2);
        }
        if (now - lastSkewLogMs[d] >= SKEW_LOG_INTERVAL_MS) {
            lastSkewLogMs[d] = now;
            LOG.warn("device {} reports time {} received at {} (offset {} s, beyond the rule {} limits): {} "
                    + "(counted in limes.quarantined, logged once a minute per device)", r.deviceId(),
                    r.deviceTime(), r.receivedAt(), offsetMs / 1000.0, time.id(),
                    drop ? "dropped" : "stored with the receive time and tag quarantine=clock_skew");
        }
        if (drop) {
            return null;
        }
        Map<String, String> tags = new TreeMap<>(r.tags());
        tags.put(QUARANTINE_TAG, "clock_skew");
        Map<String, Object> fields = new HashMap<>(r.fields());
        fields.put(DEVICE_TIME_FIELD, r.deviceTime().toEpochMilli());
        return new Reading(r.deviceId(), r.site(), r.kind(), tags, fields, r.receivedAt(), r.receivedAt());
    }

    /**
     * Takes over persisted armed times (at start-up, before the first tick): an inventory
     * device not heard from since it was armed in an earlier run keeps counting its silence
     * from then, so a deadman episode for a device never heard gets the same id
     * ({@code …/<armed + interval>}) however often the gateway restarts.
     */
    public void arm(Map<String, Long> persisted) {
        // Written at once: a raise must not be the first save of the times its id comes from.
        openChanged = true;
        armedChanged = true;
        heardChanged = true;
        for (int d = 0; d < armedAt.length; d++) {
            Long at = persisted.get(devices.id(d));
            if (at != null && at >= 0 && at < armedAt[d]) {
                armedAt[d] = at;
                devices.lastHeard(d, at);
            }
        }
    }

    /** Inventory devices not heard from since armed, with when (gateway epoch ms), for {@link #arm}. */
    public Map<String, Long> armed() {
        Map<String, Long> m = new HashMap<>();
        for (int d = 0; d < armedAt.length; d++) {
            if (armedAt[d] >= 0) {
                m.put(devices.id(d), armedAt[d]);
            }
        }
        return m;
    }

    /**
     * Inventory devices heard from (in this run or, restored, an earlier one), with when
     * (gateway epoch ms), for {@link #restoreLastHeard}. Saved at start-up, when a device
     * is first heard, and when devices were heard at most every {@value #LAST_HEARD_SAVE_MS} ms — not on every
     * reading — so after a crash a time may lag the true last report by about that much.
     */
    public Map<String, Long> lastHeard() {
        Map<String, Long> m = new HashMap<>();
        for (int d = 0; d < armedAt.length; d++) {
            if (armedAt[d] < 0) {
                m.put(devices.id(d), devices.lastHeardMs(d));
            }
        }
        return m;
    }

    /**
     * Takes over persisted last-heard times (at start-up, after {@link #arm}, before the
     * first tick): a device heard before the restart counts its silence from that report,
     * so a deadman clear (and a raise) says how long the device was really silent, and a
     * device silent across the restart is raised at its last report plus its interval plus
     * {@value #LAST_HEARD_GRACE_MS} ms (the most the saved time may lag after a crash: a
     * raise is never early) rather than one interval after the restart. A time later than
     * now (the clock went back) is ignored: the device counts from this start-up.
     */
    public void restoreLastHeard(Map<String, Long> persisted) {
        long now = clock.millis();
        for (int d = 0; d < armedAt.length; d++) {
            Long at = persisted.get(devices.id(d));
            if (at != null && at >= 0 && at <= now) {
                armedAt[d] = -1;
                devices.lastHeard(d, at, LAST_HEARD_GRACE_MS);
            }
        }
    }

    /**
     * Cluster mode: the rule state of {@code device} to hand to another instance, or null when
     * this engine does not know the device.
     */
    public DeviceSnapshot snapshot(String device) {
        int d = devices.indexOf(device);
        if (d < 0) {
            return null;
        }
        boolean heard = d >= armedAt.length || armedAt[d] < 0;
        List<Alert> mine = new ArrayList<>(2);
        for (Alert a : open.values()) {
            if (device.equals(a.device())) {
                mine.add(a);
            }
        }
        Map<String, byte[]> states = new HashMap<>();
        for (Rule r : rules) {
            byte[] b = r.saveDevice(d);
            if (b != null) {
                states.put(r.id(), b);
            }
        }
        return new DeviceSnapshot(device, heard ? devices.lastHeardMs(d) : armedAt[d], heard, mine, states);
    }

    /**
     * Cluster mode: takes over a device's rule state from the instance that owned it before
     * (before its first reading or tick here): when it was heard or armed, its open episodes
     * ({@link #restore}, so transitions the rules can no longer hold are cleared into
     * {@code out}), and each rule's own state ({@link Rule#loadDevice}).
     */
    public void takeOver(DeviceSnapshot s, List<Alert> out) {
        int d = devices.indexOf(s.device());
        if (d < 0 && devices.acceptsUnknown()) {
            d = devices.admit(s.device());
        }
        if (d >= 0) {
            if (d < armedAt.length && !s.heard()) {
                armedAt[d] = s.heardMs();
                devices.lastHeard(d, s.heardMs());
            } else {
                if (d < armedAt.length) {
                    armedAt[d] = -1;
                }
                // Saved on every reading in cluster mode: no grace for a lagging save.
                devices.lastHeard(d, s.heardMs(), 0);
            }
        }
        restore(s.open(), out);
        if (d >= 0) {
            for (Rule r : rules) {
                byte[] b = s.rules().get(r.id());
                if (b != null) {
                    r.loadDevice(d, b);
                }
            }
        }
    }

    /** Runs every rule's periodic tick at the clock's current time. */
    public void tick(List<Alert> out) {
        long now = clock.millis();
        int mark = out.size();
        for (Rule rule : rules) {
            rule.tick(now, out);
        }
        if (disarmedSinceTick) {
            // A device leaving the armed set is heard: both files change.
            disarmedSinceTick = false;
            armedChanged = true;
            heardChanged = true;
        }
        if (heardSinceSave && now - lastHeardSaveMs >= LAST_HEARD_SAVE_MS) {
            heardChanged = true;
        }
        record(out, mark);
    }

    /**
     * Takes over persisted open episodes (at start-up): each goes to its rule, so it is not
     * raised again and its clear carries its id. A device that is not in the inventory but
     * was admitted as unknown ({@code unknown_devices: accept}) is admitted again first, so
     * its episodes survive a restart like an inventory device's. An episode whose rule no
     * longer exists, or whose subject the rule cannot hold any more (the device left the
     * inventory and unknown devices are rejected, or their table is full), is cleared now
     * with reason {@code rule_removed} or {@code subject_removed} — a centre is never left
     * with an episode nobody will clear.
     */
    public void restore(List<Alert> persisted, List<Alert> out) {
        int mark = out.size();
        Map<String, Rule> byId = byId();
        for (Alert a : persisted) {
            if (a.state() != AlertState.RAISED || open.containsKey(a.alertId())) {
                continue;
            }
            if (a.device() != null && devices.indexOf(a.device()) < 0 && devices.acceptsUnknown()) {
                devices.admit(a.device());
            }
            Rule rule = byId.get(a.rule());
            if (rule == null) {
                out.add(gone(a, "rule_removed"));
            } else if (rule.restore(a)) {
                open.put(a.alertId(), a);
                openChanged = true;
            } else {
                out.add(gone(a, "subject_removed"));
            }
        }
        record(out, mark);
    }

    /**
     * Replaces the rules: a rule whose id and configuration are unchanged keeps its
     * instance and state; a changed rule of the same type is built anew and takes over its
     * open episodes; a removed rule's open episodes (and those of a rule whose type changed)
     * are cleared with reason {@code rule_removed}.
     */
    public void replace(List<RuleConfig> configs, List<Alert> out) {
        int mark = out.size();
        Map<String, Rule> old = byId();
        List<Rule> next = new ArrayList<>(configs.size());
        List<Rule> fresh = new ArrayList<>();
        for (RuleConfig c : configs) {
            Rule previous = old.get(c.id());
            if (previous != null && previous.config().equals(c)) {
                next.add(previous);
                old.remove(c.id());
            } else {
                Rule created = Rules.create(c, devices, context);
                next.add(created);
                if (previous != null && previous.config().getClass() == c.getClass()) {
                    old.remove(c.id());
                    fresh.add(created);
                }
            }
        }
        for (Alert a : new ArrayList<>(open.values())) {
            if (old.containsKey(a.rule())) {
                out.add(gone(a, "rule_removed"));
            }
        }
        for (Rule created : fresh) {
            for (Alert a : new ArrayList<>(open.values())) {
                if (a.rule().equals(created.id()) && !created.restore(a)) {
                    out.add(gone(a, "subject_removed"));
                }
            }
        }
        install(next);
        record(out, mark);
    }

    private Alert gone(Alert a, String reason) {
        Instant now = Instant.ofEpochMilli(clock.millis());
        return a.cleared(a.value(), a.threshold(), a.lastSeen(), now, reason);
    }

    private Map<String, Rule> byId() {
        Map<String, Rule> m = new HashMap<>();
        for (Rule r : rules) {
            m.put(r.id(), r);
        }
        return m;
    }

    private void record(List<Alert> out, int from) {
        for (int i = from; i < out.size(); i++) {
            Alert a = out.get(i);
            if (a.state() == AlertState.RAISED) {
                open.put(a.alertId(), a);
            } else {
                open.remove(a.alertId());
            }
            openChanged = true;
        }
    }

    /**
     * What changed since the last call — the open episodes, the armed times, or the last-heard
     * times being due — and resets it; the caller saves just those ({@link StateChanges#NONE}
     * when nothing did).
     */
    public StateChanges takeChanges() {
        if (!openChanged && !armedChanged && !heardChanged) {
            return StateChanges.NONE;
        }
        StateChanges changes = new StateChanges(openChanged, armedChanged, heardChanged);
        if (heardChanged) {
            heardSinceSave = false;
            lastHeardSaveMs = clock.millis();
        }
        openChanged = false;
        armedChanged = false;
        heardChanged = false;
        return changes;
    }

    /** The open episodes, as raised. */
    public List<Alert> openAlerts() {
        return List.copyOf(open.values());
    }

    public int openCount() {
        return open.size();
    }

    public List<String> ruleIds() {
        List<String> ids = new ArrayList<>(rules.length);
        for (Rule r : rules) {
            ids.add(r.id());
        }
        return ids;
    }

    public DeviceTable devices() {
        return devices;
    }
}
