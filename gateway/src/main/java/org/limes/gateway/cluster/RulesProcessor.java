package org.limes.gateway.cluster;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.limes.drivers.DecodeResult;
import org.limes.drivers.Driver;
import org.limes.drivers.Reading;
import org.limes.drivers.lineprotocol.LineProtocolEncoder;
import org.limes.gateway.pipeline.Inventory;
import org.limes.gateway.pipeline.Pipeline;
import org.limes.gateway.pipeline.StoreGuard;
import org.limes.gateway.privacy.PlatePseudonymiser;
import org.limes.gateway.ratelimit.LogLimiter;
import org.limes.gateway.rules.Alert;
import org.limes.gateway.rules.AlertJson;
import org.limes.gateway.rules.DeviceSnapshot;
import org.limes.gateway.rules.DeviceTable;
import org.limes.gateway.rules.RuleEngine;
import org.limes.gateway.rules.WatchlistRule;
import org.limes.gateway.rules.WatchlistRuleConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rules of one partition of the frames topic (one Kafka Streams task): decodes each
 * {@link FrameRecord} with the driver that decoded it at the source (its options from this
 * instance's config of that source: {@link SourceDrivers}), keeps the readings of the
 * record's key (its device) that the source's admission took (identity, inventory, limits, the
 * store's names and types, checked again here), normalises them and runs the same {@link RuleEngine} as
 * a pipeline shard; forwards each stored reading as line protocol to the readings topic and each
 * alert transition as canonical JSON to the alerts topic, and writes the device's rule state
 * ({@link DeviceSnapshot}) to the changelog-backed store. A wall-clock punctuator ticks the rules
 * once a second (hold times, deadman) and writes the state of the devices whose alerts changed.
 *
 * <p>Rule time is the partition's {@link PartitionTime}: each frame is judged at the time the
 * ingesting instance received it, and ticks do not run ahead of the frames still to come, so the
 * backlog a takeover works through is judged as it happened (a running hold goes on, it does not
 * start again at the takeover).
 *
 * <p>Exactly-once ({@code exactly_once_v2}): the outputs, the state writes and the frames offset
 * of one commit are one Kafka transaction, so a transition and the state that says it happened are
 * never separated, and an instance that dies mid-transaction leaves nothing its successor sees.
 *
 * <p>At {@link #init} (a task assigned here: first start, a rebalance, or after an aborted
 * transaction) the engine is built anew over the inventory devices whose key falls on this
 * partition, and every device's state is taken back from the store — restored by Streams from
 * the changelog, or kept warm by a standby replica — so a device taken over mid-hold goes on
 * where the previous owner was. Devices never heard get their armed time written at once, so a
 * deadman episode for a silent device keeps its id across owners.
 *
 * <p>Alert ids come from the crossing ({@link DeviceTable}'s gateway is {@code cluster.crossing})
 * and the data; the emitting instance is only the JSON's {@code gateway} field and the record's
 * {@value #INSTANCE_HEADER} header. A frame that cannot be read (record, driver) is counted,
 * logged at a rate limit and skipped; the frames behind it flow on.
 *
 * <p>Threading: one Streams thread per task; Streams creates one instance per task.
 */
final class RulesProcessor implements Processor<byte[], byte[], byte[], byte[]> {

    private static final Logger LOG = LoggerFactory.getLogger(RulesProcessor.class);
    static final String STORE = "device-rules";
    static final String READINGS_SINK = "readings";
    static final String ALERTS_SINK = "alerts";
    static final String PASSAGES_SINK = "passages-out";
    static final String INSTANCE_HEADER = "limes-instance";
    private static final Duration TICK = Duration.ofSeconds(1);

    private final ClusterRules.Setup setup;
    private final Clock clock;
    private PartitionTime time;
    private final LogLimiter badLog = new LogLimiter(TimeUnit.MINUTES.toNanos(1), 1_000);
    private final LogLimiter driftLog = new LogLimiter(TimeUnit.MINUTES.toNanos(1), 1_000);
    private final String digest;
    private final SourceDrivers drivers;
    private final StringBuilder line = new StringBuilder(256);
    private final List<Alert> alerts = new ArrayList<>();
    private ProcessorContext<byte[], byte[]> context;
    private KeyValueStore<String, byte[]> store;
    private RuleEngine engine;

    RulesProcessor(ClusterRules.Setup setup, Clock clock) {
        this.setup = setup;
        this.clock = clock;
        this.drivers = new SourceDrivers(setup.sources(), setup.drivers());
        this.digest = ConfigDigest.of(setup.sources());
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.store = context.getStateStore(STORE);
        int partition = context.taskId().partition();
        Inventory inventory = setup.inventory();
        DeviceTable devices = new DeviceTable(setup.crossing(),
                inventory.acceptsUnknown() ? inventory.defaultSite() : null,
                Math.max(1, Pipeline.MAX_UNKNOWN_DEVICES / setup.partitions()));
        for (String id : inventory.ids()) {
            if (partitionOf(id, setup.partitions()) == partition) {
                devices.addInventory(id, inventory.site(id), inventory.tags(id), inventory.expectedIntervalMs(id));
            }
        }
        time = new PartitionTime(clock, setup.framesOffsets().apply(partition));
        engine = new RuleEngine(devices, setup.deviceRules(), time.clock(), setup.ruleContext());
        int taken = 0;
        try (KeyValueIterator<String, byte[]> all = store.all()) {
            while (all.hasNext()) {
                KeyValue<String, byte[]> kv = all.next();
                try {
                    engine.takeOver(DeviceStateCodec.decode(kv.key, kv.value), alerts);
                    taken++;
                } catch (IllegalArgumentException e) {
                    setup.metrics().error("processing", "bad_device_state");
                    LOG.error("cluster rules: the stored state of device {} cannot be read ({}); it starts afresh",
                            shorten(kv.key), e.getMessage());
                }
            }
        }
        // A device never heard keeps the moment its silence started counting, whoever owns it next.
        for (int d = 0; d < devices.inventorySize(); d++) {
            if (store.get(devices.id(d)) == null) {
                save(devices.id(d));
            }
        }
        context.schedule(TICK, PunctuationType.WALL_CLOCK_TIME, this::tick);
        setup.assignments().framesStarted(partition, taken);
        LOG.debug("cluster rules: partition {} of {} here, {} inventory devices, {} devices' state taken over",
                partition, setup.partitions(), devices.inventorySize(), taken);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        if (record.key() == null || record.value() == null) {
            bad("unreadable_record", "a record without key or value", null);
            return;
        }
        String device = new String(record.key(), StandardCharsets.UTF_8);
        drift(record);
        FrameRecord frame;
        Driver driver;
        try {
            frame = FrameRecord.decode(record.value());
            driver = drivers.resolve(frame);
        } catch (SourceDrivers.Unresolved e) {
            // A source or driver this instance's config lacks: skipped, never thrown (Streams would meet it again).
            bad(e.type(), e.getMessage(), device);
            return;
        } catch (RuntimeException e) {
            // Skipped, never thrown: Streams would replace the thread and meet the record again, for ever.
            bad("unreadable_record", e.getMessage(), device);
            return;
        }
        DecodeResult result;
        try {
            result = driver.decodeAll(frame.frame());
        } catch (RuntimeException e) {
            bad("driver_failure", "driver " + frame.driver() + " failed: " + e, device);
            return;
        }
        // Judged at the time the ingesting instance received it (PartitionTime), whenever processed.
        long receivedMs = frame.frame().receivedAt().toEpochMilli();
        long offset = offset(context);
        if (!time.heard()) {
            // Once per assignment: how late the backlog came, and how many ticks waited for it.
            long now = clock.millis();
            long waitedMs = now - time.assignedMs();
            setup.metrics().firstRecord(waitedMs);
            LOG.debug("cluster rules: partition {}: first record {} ms after the assignment (offset {}, received {} ms "
                    + "ago); {} ticks waited for it", context.taskId().partition(), waitedMs, offset,
                    now - receivedMs, time.skippedTicks());
        }
        time.record(receivedMs, offset);
        // What init left (episodes cleared because their rule is gone) goes out with this frame's.
        boolean any = false;
        try {
            any = evaluate(record, device, frame, result);
        } catch (KafkaException e) {
            // Streams' own, from a forward or the store (a fenced producer, a migrated task, a failed
            // send), not a rule's fault: thrown on, so Streams aborts the transaction and the frame is
            // processed again by the partition's owner. Counted as skipped it would report a loss.
            throw e;
        } catch (RuntimeException e) {
            // A fault in a rule: counted and skipped, as a shard leaves such a frame unacknowledged.
            bad("rule_failure", e.toString(), device);
            LOG.error("cluster rules: evaluating a frame of device {} failed; it is skipped", shorten(device), e);
            any = true;
        }
        emit(alerts, record.timestamp());
        if (any) {
            save(device);
        }
    }

    /** The offset of the record being processed (-1 when Streams cannot say, as for a punctuation). */
    static long offset(ProcessorContext<?, ?> context) {
        return context.recordMetadata().map(m -> m.offset()).orElse(-1L);
    }

    /** Runs the key's admitted readings through the rules; true when any was. */
    private boolean evaluate(Record<byte[], byte[]> record, String device, FrameRecord frame, DecodeResult result) {
        boolean any = false;
        for (Reading raw : result.readings()) {
            // The record is the key's copy: other devices' readings have records of their own.
            if (!device.equals(raw.deviceId())) {
                continue;
            }
            String refused = refusal(frame, raw);
            if (refused != null) {
                // The source refused it already (and said so to the device): only counted here.
                setup.metrics().dropped(refused);
                continue;
            }
            Reading r = setup.inventory().normalise(raw);
            any = true;
            passage(record, r);
            Reading stored = engine.process(r, alerts);
            if (stored != null && setup.storeRouting().accepts(stored)) {
                PlatePseudonymiser plates = setup.storePlates();
                line.setLength(0);
                LineProtocolEncoder.appendReading(line, plates == null ? stored : plates.apply(stored));
                context.forward(new Record<>(record.key(), line.toString().getBytes(StandardCharsets.UTF_8),
                        record.timestamp()), READINGS_SINK);
                setup.metrics().readingOut();
            }
        }
        return any;
    }

    /**
     * A read of a listed plate goes to its lane's passage owner ({@link PassageProcessor}), keyed
     * by the lane, with the gateway time it is judged at — in this transaction, so it is sent
     * exactly when the frame counts as processed. As in single mode, a read is judged whether
     * or not the time-integrity rule quarantines it.
     */
    private void passage(Record<byte[], byte[]> record, Reading r) {
        for (WatchlistRuleConfig w : setup.watchlists()) {
            if (WatchlistRule.listed(w, r)) {
                context.forward(new Record<>(WatchlistRule.laneKey(r).getBytes(StandardCharsets.UTF_8),
                        new PassageRead(time.now(), r).encode(), record.timestamp()), PASSAGES_SINK);
                return;
            }
        }
    }

    /** The task leaves this instance (a rebalance, an aborted transaction, shutdown): its state stays in the store. */
    @Override
    public void close() {
        if (engine != null) {
            setup.assignments().framesClosed(context.taskId().partition());
            engine = null;
        }
    }

    /**
     * Single mode's admission again, on the owner (the record carries the frame's bytes, not the
     * source's verdicts): the reason a reading the source did not admit is not taken, or null.
     */
    private String refusal(FrameRecord frame, Reading r) {
        if (frame.frame().identity() != null && !frame.frame().identity().equals(r.deviceId())) {
            return "identity_mismatch";
        }
        Inventory inventory = setup.inventory();
        if (!inventory.acceptsUnknown() && !inventory.knows(r.deviceId())) {
            return "unknown_device";
        }
        if (setup.limits().violation(r) != null) {
            return "over_limits";
        }
        StoreGuard.Refusal store = setup.storeGuard().check(r, inventory.tags(r.deviceId()), true);
        return store == null ? null : store.reason();
    }

    private void tick(long wallMs) {
        if (!time.tick()) {
            return;
        }
        engine.tick(alerts);
        emit(alerts, wallMs);
    }

    /**
     * Forwards the transitions and writes the state of their devices (the same transaction), and
     * empties {@code out}: between calls the list holds only what {@link #init} could not forward.
     */
    private void emit(List<Alert> out, long timestamp) {
        if (out.isEmpty()) {
            return;
        }
        for (Alert a : out) {
            setup.metrics().alert(a);
            LOG.info("alert {} {} on {} at {}: {} = {} (level {}){}", a.rule(), a.state().label(),
                    PlatePseudonymiser.PLATE.equals(a.subjectKind()) ? "a plate read by " + a.device() : a.subject(),
                    a.site(), a.field(), a.value(), a.threshold(), a.reason() == null ? "" : ", " + a.reason());
            RecordHeaders headers = new RecordHeaders();
            headers.add(INSTANCE_HEADER, setup.instance().getBytes(StandardCharsets.UTF_8));
            String key = a.device() == null ? a.subject() : a.device();
            context.forward(new Record<>(key.getBytes(StandardCharsets.UTF_8), AlertJson.encode(a, setup.instance()),
                    timestamp, headers), ALERTS_SINK);
        }
        List<String> saved = new ArrayList<>(2);
        for (Alert a : out) {
            if (a.device() != null && !saved.contains(a.device())) {
                saved.add(a.device());
                save(a.device());
            }
        }
        out.clear();
    }

    private void save(String device) {
        DeviceSnapshot s = engine.snapshot(device);
        if (s != null) {
            store.put(device, DeviceStateCodec.encode(s));
        }
    }

    /**
     * Counts (and logs once a minute per instance) a record produced by an instance whose sources
     * are configured otherwise ({@link ConfigDigest}); the record is still processed — where the
     * difference matters to it, the driver resolution refuses it.
     */
    private void drift(Record<byte[], byte[]> record) {
        Header theirs = record.headers().lastHeader(ConfigDigest.HEADER);
        if (theirs == null || theirs.value() == null
                || digest.equals(new String(theirs.value(), StandardCharsets.UTF_8))) {
            return;
        }
        setup.metrics().error("processing", "config_drift");
        Header from = record.headers().lastHeader(INSTANCE_HEADER);
        String instance = from == null || from.value() == null ? "?"
                : shorten(new String(from.value(), StandardCharsets.UTF_8));
        if (driftLog.allow("config_drift", instance, System.nanoTime())) {
            LOG.warn("cluster rules: instance {} produces frames with config digest {}, this instance has {}: their "
                    + "sources are configured apart (counted in limes.errors{component=cluster,stage=processing,"
                    + "error_type=config_drift}, logged once a minute per instance)", instance,
                    shorten(new String(theirs.value(), StandardCharsets.UTF_8)), digest);
        }
    }

    private void bad(String type, String why, String device) {
        setup.metrics().error("processing", type);
        String who = device == null ? "?" : shorten(device);
        if (badLog.allow(type, who, System.nanoTime())) {
            LOG.warn("cluster rules: skipped a frame of device {} ({}): {} (counted in limes.errors{component="
                    + "cluster,stage=processing}, logged once a minute per device and error)", who, type, why);
        }
    }

    /** The frames topic partition of a device: Kafka's default partitioner on the UTF-8 key. */
    static int partitionOf(String device, int partitions) {
        return Utils.toPositive(Utils.murmur2(device.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** Device ids are input: cut to a length fit for a log line. */
    private static String shorten(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "…";
    }
}
