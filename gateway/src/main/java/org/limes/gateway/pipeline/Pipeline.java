package org.limes.gateway.pipeline;

import org.limes.gateway.ratelimit.TokenBucket;
import org.limes.gateway.ratelimit.LogLimiter;
import io.micrometer.core.instrument.Gauge;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.limes.drivers.Attachment;
import org.limes.drivers.DecodeException;
import org.limes.drivers.DecodeResult;
import org.limes.drivers.Driver;
import org.limes.drivers.Frame;
import org.limes.drivers.Reading;
import org.limes.drivers.lineprotocol.LineProtocolEncoder;
import org.limes.gateway.live.LiveMetrics;
import org.limes.gateway.live.LiveView;
import org.limes.gateway.pipeline.StoreGuard.Refusal;
import org.limes.gateway.outbox.OutboxCommitter;
import org.limes.gateway.outbox.OutboxRecord;
import org.limes.gateway.picture.PictureStore;
import org.limes.gateway.privacy.PlatePseudonymiser;
import org.limes.gateway.rules.Alert;
import org.limes.gateway.rules.AlertJson;
import org.limes.gateway.rules.AlertLine;
import org.limes.gateway.rules.AlertStateStore;
import org.limes.gateway.rules.DeviceTable;
import org.limes.gateway.rules.PassageTable;
import org.limes.gateway.rules.RuleConfig;
import org.limes.gateway.rules.RuleContext;
import org.limes.gateway.rules.RuleEngine;
import org.limes.gateway.rules.RuleMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hot path: decode → admit (identity, limits) → normalise (inventory) → rate limit →
 * rules → outboxes.
 *
 * <p>Decoding runs on the calling source thread (drivers are pure). The readings are then
 * handed to shards, one thread each, chosen by device id, so every device's rule state is
 * owned by one thread and rules need no locks. Each shard's hand-off queue is bounded;
 * when it is full {@link #submit} waits, which stops the source reading (the MQTT client
 * stops taking messages, so the broker holds them): backpressure, not buffering.
 *
 * <p>Each shard owns a {@link RuleEngine} for its devices and ticks it about once a second
 * from its own thread (deadman, hold times), so rule state needs no locks. Rules are
 * replaced ({@link #replaceRules}) by handing each shard the new list through a small
 * control queue; open alert episodes are persisted ({@link AlertStateStore}) after each
 * transition is durable, and restored at start.
 *
 * <p>Every reading is appended to the store's outbox; every alert transition to the
 * store's and to each centre's outbox. The frame's acknowledgement runs once all of that
 * is durable ({@link OutboxCommitter#afterDurable}). A malformed frame is counted, logged
 * at most once per source and origin per interval with the decoder's reason, and acknowledged (a
 * redelivery would not mend it); the frames around it flow on.
 *
 * <p>Admission, right after decoding: when the transport authenticated the frame's sender
 * ({@link Frame#identity()}), a reading naming another device is dropped
 * ({@code limes.dropped{reason=identity_mismatch}}); a reading of a device not in the
 * inventory, unless unknown devices are accepted, is dropped ({@code reason=unknown_device},
 * logged at most once a minute per device); a reading over the {@link LimitsConfig} is dropped
 * ({@code reason=over_limits}); the others logged at most once a minute per source and origin. A frame
 * that keeps no reading is answered like a malformed one. Each shard then holds a
 * {@link TokenBucket} per inventory device (and one for all accepted unknown devices, so the
 * map is bounded by the inventory) and drops readings beyond a device's rate
 * ({@code reason=rate_limited}).
 *
 * <p>Last in admission, {@link StoreGuard} keeps out of the outboxes every reading the store
 * could not take or that would write over the gateway's own names: a name the store cannot
 * hold ({@code reason=invalid_name}), {@code device}/{@code site}/an inventory tag in another
 * letter case or the {@code alert} measurement ({@code reason=gateway_name}), a field whose
 * type conflicts with the store's ({@code reason=field_type}, {@code field_types_full}).
 *
 * <p>A source that answers with counts (HTTP) offers a frame with a receipt instead of an
 * acknowledgement ({@link #offer(Frame, Driver, Consumer)}): it learns, once the frame is
 * durable, how many of its readings were stored and why each other one was not
 * ({@link Outcome}), so an answer never counts as stored a reading that was then dropped.
 */
public final class Pipeline implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);
    /** Accepted unknown devices whose readings rules evaluate, over all shards; beyond it they are only stored. */
    public static final int MAX_UNKNOWN_DEVICES = 10_000;
    private static final long TICK_MS = 1_000;

    private final Shard[] shards;
    private final Inventory inventory;
    private final Destination store;
    private final List<Destination> centres;
    private final OutboxCommitter committer;
    private final PipelineMetrics metrics;
    private final String gateway;
    private final LogLimiter malformedLog;
    private final LogLimiter unknownLog;
    private final LogLimiter rejectedLog;
    private final LimitsConfig limits;
    private final Clock clock;
    private final AlertStateStore alertState;
    private final LiveView live;
    private final PictureStore pictures;
    private final StoreGuard storeGuard = new StoreGuard(StoreGuard.MAX_FIELD_TYPES);

    /**
     * Builds the shards and their rule engines, and loads the persisted open alerts (each
     * shard takes over its devices' episodes when it starts).
     *
     * @param rules      the rules, already checked by the configuration loader
     * @param clock      gateway time for the rules (hold times, deadman, alert times)
     * @param alertState where open alert episodes are kept across restarts
     */
    public Pipeline(String gateway, PipelineConfig config, LimitsConfig limits, Inventory inventory,
            List<RuleConfig> rules, Clock clock,
            AlertStateStore alertState, RuleMetrics ruleMetrics, Destination store, List<Destination> centres,
            OutboxCommitter committer, PipelineMetrics metrics) throws IOException {
        this(gateway, config, limits, inventory, rules, clock, alertState, ruleMetrics, store, centres, committer,
                metrics, new LiveView(inventory, MAX_UNKNOWN_DEVICES, clock, new LiveMetrics(metrics.registry())));
    }

    /**
     * As above, feeding {@code live} (the status page's view) with every reading after the
     * rules ran and with every alert transition.
     */
    public Pipeline(String gateway, PipelineConfig config, LimitsConfig limits, Inventory inventory,
            List<RuleConfig> rules, Clock clock, AlertStateStore alertState, RuleMetrics ruleMetrics,
            Destination store, List<Destination> centres, OutboxCommitter committer, PipelineMetrics metrics,
            LiveView live) throws IOException {
        this(gateway, config, limits, inventory, rules, clock, alertState, ruleMetrics, store, centres, committer,
                metrics, live, PictureStore.dropping(metrics.registry()));
    }

    /**
     * As above, handing the pictures that come with readings (camera reads) to
     * {@code pictures}, which keeps or drops them before the reading goes on.
     */
    public Pipeline(String gateway, PipelineConfig config, LimitsConfig limits, Inventory inventory,
            List<RuleConfig> rules, Clock clock, AlertStateStore alertState, RuleMetrics ruleMetrics,
            Destination store, List<Destination> centres, OutboxCommitter committer, PipelineMetrics metrics,
            LiveView live, PictureStore pictures) throws IOException {
        this.live = live;
        this.pictures = pictures;
        this.gateway = gateway;
        this.clock = clock;
        this.alertState = alertState;
        this.inventory = inventory;
        this.store = store;
        this.centres = List.copyOf(centres);
        this.committer = committer;
        this.metrics = metrics;
        this.malformedLog = new LogLimiter(TimeUnit.MINUTES.toNanos(1), 10_000);
        this.unknownLog = new LogLimiter(TimeUnit.MINUTES.toNanos(1), 10_000);
        this.rejectedLog = new LogLimiter(TimeUnit.MINUTES.toNanos(1), 10_000);
        this.limits = limits;
        this.shards = new Shard[config.shards()];
        // One passage table for all shards: two cameras of one lane may hash to two shards.
        RuleContext ruleContext = new RuleContext(new PassageTable(), ruleMetrics);
        List<List<Alert>> persisted = new ArrayList<>();
        for (int i = 0; i < shards.length; i++) {
            persisted.add(new ArrayList<>());
        }
        Map<String, Long> armed = alertState.loadArmed();
        Map<String, Long> lastHeard = alertState.loadLastHeard();
        for (Alert a : alertState.load()) {
            persisted.get(shardOf(a.device())).add(a);
        }
        persisted.forEach(live::restore);
        for (int i = 0; i < shards.length; i++) {
            DeviceTable devices = new DeviceTable(gateway, inventory.acceptsUnknown() ? inventory.defaultSite() : null,
                    Math.max(1, MAX_UNKNOWN_DEVICES / shards.length));
            for (String id : inventory.ids()) {
                if (shardOf(id) == i) {
                    devices.addInventory(id, inventory.site(id), inventory.tags(id), inventory.expectedIntervalMs(id));
                }
            }
            RuleEngine engine = new RuleEngine(devices, rules, clock, ruleContext);
            engine.arm(armed);
            engine.restoreLastHeard(lastHeard);
            alertState.seed(i, persisted.get(i));
            alertState.seedTimes(i, engine.armed(), engine.lastHeard());
            shards[i] = new Shard(i, config.queueCapacity(), engine, persisted.get(i));
            ruleMetrics.openGauge(i, engine::openCount);
            Shard s = shards[i];
            Gauge.builder("limes.pipeline.queue", s.queue, BlockingQueue::size)
                    .description("Frames waiting for a pipeline shard")
                    .tag("shard", Integer.toString(i)).strongReference(true).register(metrics.registry());
        }
    }

    public void start() {
        for (Shard s : shards) {
            s.thread.start();
        }
    }

    /**
     * Decodes a frame and hands its readings to their shards. Waits while a shard's queue
     * is full. {@code ack} runs exactly once: when everything the frame produced is
     * durable in the outboxes, or at once when the frame is malformed or empty. A frame of
     * several records (lines) passes on its good readings; each bad record is counted and
     * logged like a malformed frame.
     */
    public void submit(Frame frame, Driver driver, Runnable ack) throws InterruptedException {
        Decoded decoded = decode(frame, driver);
        if (decoded.malformed() != null) {
            ack.run();
            return;
        }
        List<Reading> readings = decoded.readings();
        metrics.decoded(driver.name(), readings.size());
        if (readings.isEmpty()) {
            ack.run();
            return;
        }
        int first = shardOf(readings.get(0));
        boolean oneShard = true;
        for (int i = 1; i < readings.size() && oneShard; i++) {
            oneShard = shardOf(readings.get(i)) == first;
        }
        if (oneShard) {
            shards[first].put(new Work(readings, new FrameTicket(1, ack, null, null), decoded.attachments()));
            return;
        }
        List<List<Reading>> parts = split(readings);
        FrameTicket ticket = new FrameTicket((int) parts.stream().filter(p -> !p.isEmpty()).count(), ack, null,
                null);
        for (int i = 0; i < shards.length; i++) {
            if (!parts.get(i).isEmpty()) {
                shards[i].put(new Work(parts.get(i), ticket, decoded.attachments()));
            }
        }
    }

    /**
     * Like {@link #submit}, but never waits: for callers that must not block, such as a
     * Netty event loop. Decoding is pure and cheap, so it runs on the caller.
     *
     * <p>When a shard the frame's readings go to has a full queue, nothing happens (no
     * meter moves, {@code ack} does not run, nothing is logged) and the answer is
     * {@link Offer#FULL}: the caller keeps the frame and offers it again later. Otherwise
     * the frame is taken and {@code ack} runs exactly once, as with {@link #submit}; a
     * malformed frame is counted, logged at a rate limit, acknowledged at once and its
     * decoder's reason returned. A frame whose readings span several shards is taken only
     * when each of them has room; if another producer takes the last slot of one of them
     * in between, that part waits for it (the only wait here, and only on that race).
     */
    public Offer offer(Frame frame, Driver driver, Runnable ack) {
        return offer(frame, driver, ack, null);
    }

    /**
     * Like {@link #offer(Frame, Driver, Runnable)}, but instead of a bare acknowledgement
     * {@code receipt} is told, exactly once and under the same conditions, what became of the
     * frame: how many readings were stored (durable in the outboxes) and why each other one
     * (a malformed record, a reading refused at admission, over its device's rate, or dropped
     * by a rule) was not.
     */
    public Offer offer(Frame frame, Driver driver, Consumer<Outcome> receipt) {
        return offer(frame, driver, null, receipt);
    }

    private Offer offer(Frame frame, Driver driver, Runnable ack, Consumer<Outcome> receipt) {
        Decoded decoded = decode(frame, driver);
        if (decoded.malformed() != null) {
            finish(ack, receipt, decoded);
            return new Offer(true, decoded.malformed());
        }
        List<Reading> readings = decoded.readings();
        if (readings.isEmpty()) {
            metrics.decoded(driver.name(), 0);
            finish(ack, receipt, decoded);
            return Offer.TAKEN;
        }
        int first = shardOf(readings.get(0));
        boolean oneShard = true;
        for (int i = 1; i < readings.size() && oneShard; i++) {
            oneShard = shardOf(readings.get(i)) == first;
        }
        if (oneShard) {
            if (!shards[first].queue.offer(new Work(readings, new FrameTicket(1, ack, receipt, decoded),
                    decoded.attachments()))) {
                return Offer.FULL;
            }
            metrics.decoded(driver.name(), readings.size());
            return Offer.TAKEN;
        }
        List<List<Reading>> parts = split(readings);
        for (int i = 0; i < shards.length; i++) {
            if (!parts.get(i).isEmpty() && shards[i].queue.remainingCapacity() == 0) {
                return Offer.FULL;
            }
        }
        metrics.decoded(driver.name(), readings.size());
        FrameTicket ticket = new FrameTicket((int) parts.stream().filter(p -> !p.isEmpty()).count(), ack, receipt,
                decoded);
        boolean interrupted = false;
        for (int i = 0; i < shards.length; i++) {
            Work w = new Work(parts.get(i), ticket, decoded.attachments());
            while (!parts.get(i).isEmpty() && !shards[i].queue.offer(w)) {
                try {
                    shards[i].put(w);
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return Offer.TAKEN;
    }

    /**
     * What {@link #offer} did with a frame.
     *
     * @param taken     false when a shard queue was full and nothing happened
     * @param malformed the decoder's complaint when the frame was malformed (taken, counted
     *                  and acknowledged), else null
     */
    public record Offer(boolean taken, String malformed) {
        public static final Offer TAKEN = new Offer(true, null);
        public static final Offer FULL = new Offer(false, null);
    }

    /**
     * What became of one frame, for {@link #offer(Frame, Driver, Consumer)}.
     *
     * @param stored      readings now durable in the outboxes (or, where routing keeps a kind
     *                    from the store, processed)
     * @param rejected    records and readings not stored: malformed records, readings refused at
     *                    admission, over their device's rate, or dropped by a rule
     * @param rateLimited how many of {@code rejected} were over their device's rate (worth a retry)
     * @param reasons     why, one per rejection, the first {@value #MAX_REASONS}
     */
    public record Outcome(int stored, int rejected, int rateLimited, List<String> reasons) {
        public Outcome {
            reasons = List.copyOf(reasons);
        }
    }

    /** Reasons an {@link Outcome} keeps at most. */
    public static final int MAX_REASONS = 20;

    /**
     * A decoded frame: its admitted readings (null when it is answered at once: {@code malformed}
     * says why), and the records and readings rejected so far, with their reasons (null when none).
     */
    private record Decoded(List<Reading> readings, String malformed, Attachments attachments, int rejected,
            List<String> reasons) {
    }

    /** Runs the acknowledgement, or tells the receipt, of a frame none of whose readings went to a shard. */
    private static void finish(Runnable ack, Consumer<Outcome> receipt, Decoded decoded) {
        if (ack != null) {
            ack.run();
        } else {
            receipt.accept(new Outcome(0, decoded.rejected(), 0,
                    decoded.reasons() == null ? List.of() : decoded.reasons()));
        }
    }

    private static List<String> note(List<String> reasons, String reason) {
        List<String> to = reasons == null ? new ArrayList<>(2) : reasons;
        if (to.size() < MAX_REASONS) {
            to.add(reason);
        }
        return to;
    }

    /** A frame's attachments, by the reading (the very object) they belong to. */
    private record Attachments(byte[] payload, IdentityHashMap<Reading, List<Attachment>> byReading) {

        static Attachments of(byte[] payload, DecodeResult result) {
            if (result.attachments().isEmpty()) {
                return null;
            }
            IdentityHashMap<Reading, List<Attachment>> by = new IdentityHashMap<>();
            for (Attachment a : result.attachments()) {
                by.computeIfAbsent(result.readings().get(a.reading()), r -> new ArrayList<>(2)).add(a);
            }
            return new Attachments(payload, by);
        }
    }

    /**
     * The good readings of a frame, counting and logging (at a rate limit) each record the
     * driver rejected; or, when nothing in it decoded or was admitted, the reason (the caller
     * then acknowledges it at once).
     */
    private Decoded decode(Frame frame, Driver driver) {
        String reason;
        List<String> reasons = null;
        int rejected = 0;
        try {
            DecodeResult result = driver.decodeAll(frame);
            for (DecodeException e : result.errors()) {
                rejected++;
                reasons = note(reasons, e.getMessage());
                metrics.decodeError(driver.name(), e.errorType());
                if (malformedLog.allow(frame.source(), frame.origin(), System.nanoTime())) {
                    LOG.warn("dropped a malformed {} {} from {} ({}): {} (further ones from there are counted in "
                            + "limes.errors and logged at most once a minute)", driver.name(),
                            result.readings().isEmpty() ? "frame" : "record of a frame", frame.origin(),
                            frame.source(), e.getMessage());
                }
            }
            if (!result.readings().isEmpty()) {
                List<String> refusals = new ArrayList<>(2);
                List<Reading> admitted = admit(frame, result.readings(), refusals);
                rejected += result.readings().size() - admitted.size();
                for (String why : refusals) {
                    reasons = note(reasons, why);
                }
                if (!admitted.isEmpty()) {
                    return new Decoded(admitted, null, Attachments.of(frame.payload(), result), rejected, reasons);
                }
                reason = "no reading of this frame was admitted: " + refusals.get(0);
            } else if (result.errors().isEmpty()) {
                return new Decoded(result.readings(), null, null, 0, null);
            } else {
                reason = result.errors().get(0).getMessage();
            }
        } catch (RuntimeException e) {
            metrics.decodeError(driver.name(), "driver_failure");
            if (malformedLog.allow(frame.source(), frame.origin(), System.nanoTime())) {
                LOG.error("driver {} failed on a frame from {} instead of reporting it malformed", driver.name(),
                        frame.origin(), e);
            }
            reason = "driver " + driver.name() + " failed on this frame";
            rejected = 1;
            reasons = note(null, reason);
        }
        return new Decoded(null, reason, null, rejected, reasons);
    }

    /**
     * The readings that pass the identity, limit and store checks; the others counted, logged,
     * and their reasons added to {@code refusals} (at most {@code MAX_REASONS}).
     */
    private List<Reading> admit(Frame frame, List<Reading> readings, List<String> refusals) {
        List<Reading> admitted = null;
        for (int i = 0; i < readings.size(); i++) {
            Reading r = readings.get(i);
            Refusal why = rejection(frame, r);
            if (why != null) {
                if (refusals.size() < MAX_REASONS) {
                    refusals.add(why.why());
                }
                metrics.dropped(why.reason());
                if ("unknown_device".equals(why.reason())) {
                    if (unknownLog.allow(r.deviceId(), System.nanoTime())) {
                        LOG.warn("dropped readings of device '{}', which is not in the inventory (counted in "
                                + "limes.dropped{reason=unknown_device}, logged once a minute per device)",
                                shorten(r.deviceId()));
                    }
                } else if (rejectedLog.allow(frame.source(), frame.origin(), System.nanoTime())) {
                    LOG.warn("dropped a reading from {} ({}): {} (counted in limes.dropped{reason={}}, logged at "
                            + "most once a minute per source and origin)", frame.origin(), frame.source(), why.why(),
                            why.reason());
                }
                if (admitted == null) {
                    admitted = new ArrayList<>(readings.subList(0, i));
                }
            } else if (admitted != null) {
                admitted.add(r);
            }
        }
        return admitted == null ? readings : admitted;
    }

    /**
     * Why a reading is not admitted, or null; the store check comes last, so that only a reading
     * otherwise admitted fixes a field's first type. Device ids in the message are shortened:
     * they are input.
     */
    private Refusal rejection(Frame frame, Reading r) {
        if (frame.identity() != null && !frame.identity().equals(r.deviceId())) {
            return new Refusal("identity_mismatch", "it names device '" + shorten(r.deviceId())
                    + "' but the sender authenticated as '" + frame.identity() + "'");
        }
        if (unknown(r)) {
            return new Refusal("unknown_device", "device '" + shorten(r.deviceId()) + "' is not in the inventory");
        }
        String over = limits.violation(r);
        if (over != null) {
            return new Refusal("over_limits", "it is over the reading limits: " + over);
        }
        Refusal store = storeGuard.check(r, inventory.tags(r.deviceId()),
                inventory.knows(r.deviceId()) || inventory.acceptsUnknown());
        return store == null ? null : new Refusal(store.reason(), "the store cannot take it: " + store.why());
    }

    /** A device the inventory neither lists nor, by {@code unknown_devices: accept}, admits. */
    private boolean unknown(Reading r) {
        return !inventory.acceptsUnknown() && !inventory.knows(r.deviceId());
    }

    private static String shorten(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "…";
    }

    private List<List<Reading>> split(List<Reading> readings) {
        List<List<Reading>> parts = new ArrayList<>(shards.length);
        for (int i = 0; i < shards.length; i++) {
            parts.add(new ArrayList<>());
        }
        for (Reading r : readings) {
            parts.get(shardOf(r)).add(r);
        }
        return parts;
    }

    private int shardOf(Reading r) {
        return shardOf(r.deviceId());
    }

    private int shardOf(String deviceId) {
        return Math.floorMod(deviceId.hashCode(), shards.length);
    }

    /**
     * Hands every shard a new rule list and waits until all have applied it: unchanged
     * rules keep their state, changed ones take over their open episodes, removed ones
     * clear theirs (see {@link RuleEngine#replace}). The rules must already be checked.
     *
     * @return true when every shard applied them within {@code timeout}
     */
    public boolean replaceRules(List<RuleConfig> rules, Duration timeout) throws InterruptedException {
        CountDownLatch applied = new CountDownLatch(shards.length);
        for (Shard s : shards) {
            if (!s.control.offer(new Replace(List.copyOf(rules), applied))) {
                return false;
            }
        }
        return applied.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops taking work, lets the shards finish what is queued, and waits for them. */
    @Override
    public void close() {
        for (Shard s : shards) {
            s.running = false;
        }
        for (Shard s : shards) {
            try {
                s.thread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Readings of one frame for one shard, with the frame's attachments (null when it has none). */
    private record Work(List<Reading> readings, FrameTicket ticket, Attachments attachments) {
    }

    private record Replace(List<RuleConfig> rules, CountDownLatch applied) {
    }

    /**
     * Counts down the shards a frame was split over; the last one schedules the ack, or the
     * receipt with what the shards stored and dropped.
     */
    private final class FrameTicket {
        private final AtomicInteger parts;
        private final Runnable ack;
        private final Consumer<Outcome> receipt;
        /** Set only with a receipt; then guarded by this ticket (shards drop readings rarely). */
        private int readings;
        private int rejected;
        private int rateLimited;
        private List<String> reasons;

        FrameTicket(int parts, Runnable ack, Consumer<Outcome> receipt, Decoded decoded) {
            this.parts = new AtomicInteger(parts);
            this.ack = ack;
            this.receipt = receipt;
            if (receipt != null) {
                this.readings = decoded.readings().size();
                this.rejected = decoded.rejected();
                this.reasons = decoded.reasons();
            }
        }

        /** A reading of this frame was not stored, and why (called on the shard that dropped it). */
        void dropped(String reason, boolean overRate) {
            if (receipt == null) {
                return;
            }
            synchronized (this) {
                readings--;
                rejected++;
                if (overRate) {
                    rateLimited++;
                }
                reasons = note(reasons, reason);
            }
        }

        void partDone() {
            if (parts.decrementAndGet() == 0) {
                if (receipt == null) {
                    committer.afterDurable(ack);
                } else {
                    Outcome outcome;
                    synchronized (this) {
                        outcome = new Outcome(readings, rejected, rateLimited, reasons == null ? List.of() : reasons);
                    }
                    committer.afterDurable(() -> receipt.accept(outcome));
                }
            }
        }
    }

    private final class Shard {
        final int index;
        final BlockingQueue<Work> queue;
        final BlockingQueue<Replace> control = new ArrayBlockingQueue<>(4);
        final RuleEngine engine;
        final List<Alert> restoreAtStart;
        final Thread thread;
        final List<Alert> alerts = new ArrayList<>();
        final StringBuilder line = new StringBuilder(256);
        /** One bucket per inventory device of this shard, and {@link #unknownRate} for all others: bounded. */
        final Map<String, TokenBucket> rates = new HashMap<>();
        final TokenBucket unknownRate;
        volatile boolean running = true;

        Shard(int index, int capacity, RuleEngine engine, List<Alert> restoreAtStart) {
            this.index = index;
            this.queue = new ArrayBlockingQueue<>(capacity);
            this.engine = engine;
            this.restoreAtStart = restoreAtStart;
            this.unknownRate = new TokenBucket(limits.maxReadingsPerSecondPerDevice(), this::nanos);
            this.thread = new Thread(this::loop, "limes-pipeline-" + index);
            this.thread.setDaemon(true);
        }

        void put(Work w) throws InterruptedException {
            queue.put(w);
        }

        private void loop() {
            try {
                alerts.clear();
                engine.restore(restoreAtStart, alerts);
                publish();
                persist();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            long nextTick = clock.millis() + TICK_MS;
            while (running || !queue.isEmpty()) {
                Work w;
                try {
                    w = queue.poll(50, TimeUnit.MILLISECONDS);
                    Replace replace = control.poll();
                    if (replace != null) {
                        alerts.clear();
                        engine.replace(replace.rules(), alerts);
                        publish();
                        persist();
                        replace.applied().countDown();
                        LOG.info("pipeline shard {} now runs rules {}", index, engine.ruleIds());
                    }
                    long now = clock.millis();
                    if (now >= nextTick) {
                        nextTick = now + TICK_MS;
                        alerts.clear();
                        engine.tick(alerts);
                        publish();
                        persist();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                if (w == null) {
                    continue;
                }
                try {
                    for (Reading r : w.readings()) {
                        process(r, w.attachments(), w.ticket());
                    }
                    persist();
                    w.ticket().partDone();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (RuntimeException e) {
                    // The frame stays unacknowledged, so the broker redelivers it after a reconnect.
                    LOG.error("pipeline shard failed on a frame; it is left unacknowledged", e);
                }
            }
        }

        /** After a transition, the open episodes are saved once the outboxes hold it (and before the ack). */
        private void persist() {
            if (engine.takeOpenChanged()) {
                List<Alert> open = engine.openAlerts();
                Map<String, Long> armed = engine.armed();
                Map<String, Long> lastHeard = engine.lastHeard();
                committer.afterDurable(() -> {
                    alertState.save(index, open);
                    alertState.saveArmed(index, armed);
                    alertState.saveLastHeard(index, lastHeard);
                });
            }
        }

        private void process(Reading raw, Attachments attachments, FrameTicket ticket) throws InterruptedException {
            Reading r = inventory.normalise(raw);
            if (r == null) {
                // Admission refuses these already; kept for a reading that reaches a shard another way.
                ticket.dropped("device '" + shorten(raw.deviceId()) + "' is not in the inventory", false);
                metrics.dropped("unknown_device");
                if (unknownLog.allow(raw.deviceId(), System.nanoTime())) {
                    LOG.warn("dropped readings of device '{}', which is not in the inventory (counted in "
                            + "limes.dropped{reason=unknown_device}, logged once a minute per device)",
                            raw.deviceId());
                }
                return;
            }
            if (!rateOf(r.deviceId()).tryTake()) {
                metrics.dropped("rate_limited");
                ticket.dropped("device '" + shorten(r.deviceId()) + "' is over its rate of "
                        + limits.maxReadingsPerSecondPerDevice() + " readings a second", true);
                if (rejectedLog.allow("rate/" + r.deviceId(), System.nanoTime())) {
                    LOG.warn("device '{}' reports faster than {} readings a second; the readings beyond that are "
                            + "dropped (counted in limes.dropped{reason=rate_limited}, logged once a minute per "
                            + "device)", r.deviceId(), limits.maxReadingsPerSecondPerDevice());
                }
                return;
            }
            List<Attachment> own = attachments == null ? null : attachments.byReading().get(raw);
            if (own != null) {
                r = pictures.attach(r, attachments.payload(), own);
            }
            alerts.clear();
            Reading stored = engine.process(r, alerts);
            live.reading(r, stored);
            if (stored == null) {
                ticket.dropped("device '" + shorten(r.deviceId()) + "': its clock is too far from the gateway's; "
                        + "the time_integrity rule drops such readings", false);
            } else {
                if (store.routing().accepts(stored)) {
                    line.setLength(0);
                    LineProtocolEncoder.appendReading(line, store.plates() == null ? stored
                            : store.plates().apply(stored));
                    store.queue().append(OutboxRecord.READING, line.toString().getBytes(StandardCharsets.UTF_8));
                }
                metrics.processed();
            }
            publish();
        }

        private TokenBucket rateOf(String device) {
            if (!inventory.knows(device)) {
                return unknownRate;
            }
            TokenBucket b = rates.get(device);
            if (b == null) {
                b = new TokenBucket(limits.maxReadingsPerSecondPerDevice(), this::nanos);
                rates.put(device, b);
            }
            return b;
        }

        private long nanos() {
            return TimeUnit.MILLISECONDS.toNanos(clock.millis());
        }

        private void publish() throws InterruptedException {
            for (Alert a : alerts) {
                metrics.alert(a);
                live.alert(a);
                // Plates stay out of the log: a watchlist hit is logged by its camera.
                LOG.info("alert {} {} on {} at {}: {} = {} (level {}){}", a.rule(), a.state().label(),
                        PlatePseudonymiser.PLATE.equals(a.subjectKind()) ? "a plate read by " + a.device()
                                : a.subject(), a.site(), a.field(), a.value(), a.threshold(),
                        a.reason() == null ? "" : ", " + a.reason());
                if (store.routing().accepts(a)) {
                    store.queue().append(OutboxRecord.ALERT, AlertLine.encode(store.plates() == null ? a
                            : store.plates().apply(a)));
                }
                byte[] json = null;
                for (Destination centre : centres) {
                    if (centre.routing().accepts(a)) {
                        byte[] out;
                        if (centre.plates() != null) {
                            out = AlertJson.encode(centre.plates().apply(a), gateway);
                        } else {
                            out = json == null ? json = AlertJson.encode(a, gateway) : json;
                        }
                        centre.queue().append(OutboxRecord.ALERT, out);
                    }
                }
            }
            alerts.clear();
        }
    }
}
