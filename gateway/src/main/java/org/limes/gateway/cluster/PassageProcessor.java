package org.limes.gateway.cluster;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.limes.drivers.Reading;
import org.limes.gateway.pipeline.Inventory;
import org.limes.gateway.pipeline.Pipeline;
import org.limes.gateway.ratelimit.LogLimiter;
import org.limes.gateway.rules.Alert;
import org.limes.gateway.rules.AlertJson;
import org.limes.gateway.rules.AlertState;
import org.limes.gateway.rules.DeviceTable;
import org.limes.gateway.rules.PassageTable;
import org.limes.gateway.rules.RuleConfig;
import org.limes.gateway.rules.RuleContext;
import org.limes.gateway.rules.WatchlistRule;
import org.limes.gateway.rules.WatchlistRule.OpenPassage;
import org.limes.gateway.rules.WatchlistRuleConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The watchlist passages of one partition of the passages topic (one Kafka Streams task): every
 * read of a listed plate comes here keyed by its lane ({@link WatchlistRule#laneKey}), whichever
 * camera read it and whichever instance owns that camera, so one owner sees all the cameras of
 * a lane and a plate read by two of them within {@code passage_window} is one passage — one
 * raise, one clear — as in single mode. The judging is single mode's: the same
 * {@link WatchlistRule}s, over a {@link PassageTable} of this task's own, at the gateway time
 * at which the frames' owner took the read ({@link PassageRead}).
 *
 * <pre>
 * passages topic (key site/lane) ──► PassageProcessor ──► alerts topic (alert JSON, key camera)
 *                                        │ ▲ state store "passages": alert_id → open passage
 *                                        ▼ │ (in memory, changelog, 1 standby)
 * </pre>
 *
 * <p>Each open passage is in the store (its episode, last read and read count,
 * {@link PassageStateCodec}), written in the transaction of the read or tick that changed it and
 * deleted with its clear; at {@link #init} (the lane's partition assigned here) the rules take
 * them over, so after a failover a read within the window extends the same passage and the clear
 * comes when it would have, with every read counted. A wall-clock punctuator ticks the rules once
 * a second (windows running out), at the partition's {@link PartitionTime}: not ahead of the reads
 * still to come, so a backlog after a takeover does not see its windows run out early.
 *
 * <p>Plates never reach a log line: a record is named by its camera. Bad records are counted
 * ({@code limes.errors{component=cluster,stage=processing,error_type=unreadable_passage}}),
 * logged once a minute per camera, and skipped. Threading: one Streams thread per task; Streams
 * creates one instance per task.
 */
final class PassageProcessor implements Processor<byte[], byte[], byte[], byte[]> {

    private static final Logger LOG = LoggerFactory.getLogger(PassageProcessor.class);
    static final String STORE = "passages";
    static final String ALERTS_SINK = "passage-alerts";
    private static final Duration TICK = Duration.ofSeconds(1);

    private final ClusterRules.Setup setup;
    private final Clock clock;
    private PartitionTime time;
    private final LogLimiter badLog = new LogLimiter(TimeUnit.MINUTES.toNanos(1), 1_000);
    private final List<Alert> alerts = new ArrayList<>();
    /** What the store holds per open passage, as last written: its last read and reads. */
    private final Map<String, long[]> saved = new HashMap<>();
    private ProcessorContext<byte[], byte[]> context;
    private KeyValueStore<String, byte[]> store;
    private DeviceTable devices;
    private List<WatchlistRule> rules;

    PassageProcessor(ClusterRules.Setup setup, Clock clock) {
        this.setup = setup;
        this.clock = clock;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.store = context.getStateStore(STORE);
        Inventory inventory = setup.inventory();
        devices = new DeviceTable(setup.crossing(), inventory.acceptsUnknown() ? inventory.defaultSite() : null,
                Pipeline.MAX_UNKNOWN_DEVICES);
        for (String id : inventory.ids()) {
            devices.addInventory(id, inventory.site(id), inventory.tags(id), inventory.expectedIntervalMs(id));
        }
        time = new PartitionTime(clock, setup.passagesOffsets().apply(context.taskId().partition()));
        devices.start(time.now());
        // This task's lanes only: a lane is on one partition, so its passages are all here.
        RuleContext own = new RuleContext(new PassageTable(), setup.ruleContext().metrics());
        rules = new ArrayList<>();
        for (RuleConfig c : setup.rules()) {
            if (c instanceof WatchlistRuleConfig w) {
                rules.add(new WatchlistRule(w, devices, own));
            }
        }
        int taken = 0;
        List<String> gone = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> all = store.all()) {
            while (all.hasNext()) {
                KeyValue<String, byte[]> kv = all.next();
                try {
                    if (takeOver(PassageStateCodec.decode(kv.key, kv.value))) {
                        taken++;
                    } else {
                        gone.add(kv.key);
                    }
                } catch (IllegalArgumentException e) {
                    setup.metrics().error("processing", "bad_passage_state");
                    LOG.error("cluster passages: the stored state of passage {} cannot be read ({}); it is dropped",
                            episode(kv.key), e.getMessage());
                    gone.add(kv.key);
                }
            }
        }
        gone.forEach(store::delete);
        context.schedule(TICK, PunctuationType.WALL_CLOCK_TIME, this::tick);
        setup.assignments().passagesStarted(context.taskId().partition(), taken);
        LOG.debug("cluster passages: partition {} of the passages topic here, {} open passages taken over",
                context.taskId().partition(), taken);
    }

    /** Hands a stored passage to its rule; false (after clearing it) when no rule can hold it any more. */
    private boolean takeOver(OpenPassage p) {
        Alert a = p.alert();
        for (WatchlistRule rule : rules) {
            if (rule.id().equals(a.rule())) {
                if (a.device() != null && devices.indexOf(a.device()) < 0) {
                    devices.admit(a.device());
                }
                if (rule.takeOver(p)) {
                    saved.put(a.alertId(), new long[] {p.lastSeenMs(), p.reads()});
                    return true;
                }
                alerts.add(a.cleared(a.value(), a.threshold(), a.lastSeen(), Instant.ofEpochMilli(time.now()),
                        "subject_removed"));
                return false;
            }
        }
        alerts.add(a.cleared(a.value(), a.threshold(), a.lastSeen(), Instant.ofEpochMilli(time.now()),
                "rule_removed"));
        return false;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        PassageRead read;
        try {
            if (record.value() == null) {
                throw new IllegalArgumentException("a record without value");
            }
            read = PassageRead.decode(record.value());
        } catch (IllegalArgumentException e) {
            bad("?", e.getMessage());
            return;
        }
        Reading r = read.reading();
        int d = devices.indexOf(r.deviceId());
        if (d < 0) {
            d = devices.admit(r.deviceId());
        }
        if (d < 0) {
            // As a shard whose table of unknown devices is full: the read is not judged.
            setup.ruleContext().metrics().unevaluated();
        } else {
            // At the time the frames' owner took the read, and never before a read already judged.
            long now = time.record(read.nowMs(), RulesProcessor.offset(context));
            try {
                for (WatchlistRule rule : rules) {
                    rule.evaluate(r, d, now, alerts);
                }
            } catch (RuntimeException e) {
                bad(r.deviceId(), "a watchlist rule failed: " + e.getClass().getName());
            }
        }
        setup.metrics().passageRead();
        emit(record.timestamp());
    }

    private void tick(long wallMs) {
        if (!time.tick()) {
            return;
        }
        long now = time.now();
        for (WatchlistRule rule : rules) {
            rule.tick(now, alerts);
        }
        emit(wallMs);
    }

    /**
     * Forwards the transitions (with what {@link #init} cleared) and brings the store up to date
     * in the same transaction: each open passage whose last read or reads changed is written,
     * each cleared one deleted.
     */
    private void emit(long timestamp) {
        for (Alert a : alerts) {
            setup.metrics().alert(a);
            LOG.info("alert {} {} on a plate read by {} at {}: {} = {}", a.rule(), a.state().label(), a.device(),
                    a.site(), a.field(), a.value());
            RecordHeaders headers = new RecordHeaders();
            headers.add(RulesProcessor.INSTANCE_HEADER, setup.instance().getBytes(StandardCharsets.UTF_8));
            String key = a.device() == null ? a.rule() : a.device();
            context.forward(new Record<>(key.getBytes(StandardCharsets.UTF_8), AlertJson.encode(a, setup.instance()),
                    timestamp, headers), ALERTS_SINK);
            if (a.state() == AlertState.CLEARED && saved.remove(a.alertId()) != null) {
                store.delete(a.alertId());
            }
        }
        alerts.clear();
        for (WatchlistRule rule : rules) {
            for (OpenPassage p : rule.openPassages()) {
                long[] was = saved.get(p.alert().alertId());
                if (was == null || was[0] != p.lastSeenMs() || was[1] != p.reads()) {
                    store.put(p.alert().alertId(), PassageStateCodec.encode(p));
                    saved.put(p.alert().alertId(), new long[] {p.lastSeenMs(), p.reads()});
                }
            }
        }
    }

    /** The task leaves this instance: its passages stay in the store for the next owner. */
    @Override
    public void close() {
        if (rules != null) {
            setup.assignments().passagesClosed(context.taskId().partition());
            rules = null;
        }
    }

    private void bad(String device, String why) {
        setup.metrics().error("processing", "unreadable_passage");
        String who = device.length() <= 64 ? device : device.substring(0, 64) + "…";
        if (badLog.allow("unreadable_passage", who, System.nanoTime())) {
            LOG.warn("cluster passages: skipped a read of camera {}: {} (counted in limes.errors{component=cluster,"
                    + "stage=processing,error_type=unreadable_passage}, logged once a minute per camera)", who, why);
        }
    }

    /** An episode id names the plate ({@code rule/site:lane:PLATE/ms}): in a log line, only its rule. */
    private static String episode(String alertId) {
        String[] parts = alertId.split("/");
        return parts.length > 1 ? parts[1] + "/…" : "…";
    }
}
