package org.limes.gateway.pipeline;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.limes.drivers.Attachment;
import org.limes.drivers.Reading;
import org.limes.gateway.live.LiveView;
import org.limes.gateway.outbox.OutboxCommitter;
import org.limes.gateway.picture.PictureStore;
import org.limes.gateway.pipeline.Intake.Attachments;
import org.limes.gateway.privacy.PlatePseudonymiser;
import org.limes.gateway.ratelimit.LogLimiter;
import org.limes.gateway.ratelimit.TokenBucket;
import org.limes.gateway.rules.Alert;
import org.limes.gateway.rules.AlertStateStore;
import org.limes.gateway.rules.DeviceTable;
import org.limes.gateway.rules.PassageTable;
import org.limes.gateway.rules.RuleConfig;
import org.limes.gateway.rules.RuleContext;
import org.limes.gateway.rules.RuleEngine;
import org.limes.gateway.rules.RuleMetrics;
import org.limes.gateway.rules.StateChanges;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shards: one thread each, chosen by device id, so every device's state — its rule state,
 * its {@link TokenBucket}, its place in the live view — is owned by one thread and needs no
 * locks. Each shard's hand-off queue is bounded; when it is full {@link #put} waits, which
 * stops the source reading (backpressure, not buffering), and {@link #offer} declines.
 *
 * <p>On its thread a shard normalises each reading (inventory), drops readings beyond its
 * device's rate ({@code limes.dropped{reason=rate_limited}}; a bucket per inventory device and
 * one for all accepted unknown devices, so the map is bounded by the inventory), hands the
 * pictures that came with it to the {@link PictureStore}, runs the rules, feeds the
 * {@link LiveView}, and passes the stored reading and every alert transition to the
 * {@link FanOut}. A shard works through what is queued in batches (at most
 * {@value #MAX_BATCH} frames, taken one at a time in queue order, so each device's
 * readings keep their order and the shard holds no more unprocessed frames than before); after a
 * batch it persists the rule state once, if it changed, and then tells each frame's
 * {@link FrameTicket} its part is done, which schedules the ack once the outboxes made it all
 * durable.
 *
 * <p>Each shard owns a {@link RuleEngine} for its devices and ticks it about once a second
 * from its own thread (deadman, hold times). Rules are replaced ({@link #replaceRules}) by
 * handing each shard the new list through a small control queue; open alert episodes are
 * persisted ({@link AlertStateStore}) after each transition is durable, and restored at start.
 *
 * <p>{@link #put}, {@link #offer} and {@link #replaceRules} are called from any thread;
 * everything else here runs on the shard's own thread.
 */
final class Shards implements AutoCloseable {

    /** The hot path logs under one category, {@code ...pipeline.Pipeline}, as it did before it was split. */
    private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);
    private static final long TICK_MS = 1_000;
    /** Frames of one batch at most; bounds how long the first one's ack waits for the rest. */
    static final int MAX_BATCH = 256;

    private final Shard[] shards;
    private final Inventory inventory;
    private final LimitsConfig limits;
    private final Clock clock;
    private final AlertStateStore alertState;
    private final OutboxCommitter committer;
    private final PipelineMetrics metrics;
    private final LiveView live;
    private final PictureStore pictures;
    private final FanOut fanOut;
    private final LogLimiter unknownLog = new LogLimiter(TimeUnit.MINUTES.toNanos(1), 10_000);
    private final LogLimiter rateLog = new LogLimiter(TimeUnit.MINUTES.toNanos(1), 10_000);

    /**
     * Builds the shards and their rule engines, and loads the persisted open alerts (each
     * shard takes over its devices' episodes when it starts).
     */
    Shards(PipelineBuilder b, FanOut fanOut) throws IOException {
        this.inventory = b.inventory;
        this.limits = b.limits;
        this.clock = b.clock;
        this.alertState = b.alertState;
        this.committer = b.committer;
        this.metrics = b.metrics;
        this.live = b.live;
        this.pictures = b.pictures;
        this.fanOut = fanOut;
        this.shards = new Shard[b.config.shards()];
        // One passage table for all shards: two cameras of one lane may hash to two shards.
        RuleContext ruleContext = new RuleContext(new PassageTable(), b.ruleMetrics);
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
            DeviceTable devices = new DeviceTable(b.gateway,
                    inventory.acceptsUnknown() ? inventory.defaultSite() : null,
                    Math.max(1, Pipeline.MAX_UNKNOWN_DEVICES / shards.length));
            for (String id : inventory.ids()) {
                if (shardOf(id) == i) {
                    devices.addInventory(id, inventory.site(id), inventory.tags(id), inventory.expectedIntervalMs(id));
                }
            }
            RuleEngine engine = new RuleEngine(devices, b.rules, clock, ruleContext);
            engine.arm(armed);
            engine.restoreLastHeard(lastHeard);
            alertState.seed(i, persisted.get(i));
            alertState.seedTimes(i, engine.armed(), engine.lastHeard());
            shards[i] = new Shard(i, b.config.queueCapacity(), engine, persisted.get(i));
            b.ruleMetrics.openGauge(i, engine::openCount);
            metrics.queueGauge(i, shards[i].queue);
        }
    }

    void start() {
        for (Shard s : shards) {
            s.thread.start();
        }
    }

    /**
     * A frame's readings by shard: slot i holds shard i's, null where it has none. Readings
     * usually all go to one shard; then that slot holds {@code readings} itself.
     */
    @SuppressWarnings("unchecked")
    List<Reading>[] split(List<Reading> readings) {
        List<Reading>[] parts = new List[shards.length];
        int first = shardOf(readings.get(0).deviceId());
        boolean oneShard = true;
        for (int i = 1; i < readings.size() && oneShard; i++) {
            oneShard = shardOf(readings.get(i).deviceId()) == first;
        }
        if (oneShard) {
            parts[first] = readings;
            return parts;
        }
        for (Reading r : readings) {
            int s = shardOf(r.deviceId());
            if (parts[s] == null) {
                parts[s] = new ArrayList<>();
            }
            parts[s].add(r);
        }
        return parts;
    }

    /** Hands each part to its shard, waiting while a shard's queue is full. */
    void put(List<Reading>[] parts, FrameTicket ticket, Attachments attachments) throws InterruptedException {
        for (int i = 0; i < shards.length; i++) {
            if (parts[i] != null) {
                shards[i].queue.put(new Work(parts[i], ticket, attachments));
            }
        }
    }

    /**
     * Hands each part to its shard without waiting; false, having handed nothing, when a shard
     * it goes to has a full queue. A frame spanning several shards is taken only when each of
     * them has room; if another producer takes the last slot of one of them in between, that
     * part waits for it (the only wait here, and only on that race).
     */
    boolean offer(List<Reading>[] parts, FrameTicket ticket, Attachments attachments) {
        int only = -1;
        for (int i = 0; i < shards.length; i++) {
            if (parts[i] != null) {
                if (shards[i].queue.remainingCapacity() == 0) {
                    return false;
                }
                only = only == -1 ? i : -2;
            }
        }
        if (only >= 0) {
            return shards[only].queue.offer(new Work(parts[only], ticket, attachments));
        }
        boolean interrupted = false;
        for (int i = 0; i < shards.length; i++) {
            if (parts[i] == null) {
                continue;
            }
            Work w = new Work(parts[i], ticket, attachments);
            while (!shards[i].queue.offer(w)) {
                try {
                    shards[i].queue.put(w);
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return true;
    }

    private int shardOf(String deviceId) {
        return Math.floorMod(deviceId.hashCode(), shards.length);
    }

    /**
     * Hands every shard a new rule list and waits until all have applied it: unchanged
     * rules keep their state, changed ones take over their open episodes, removed ones
     * clear theirs (see {@link RuleEngine#replace}).
     *
     * @return true when every shard applied them within {@code timeoutMs}
     */
    boolean replaceRules(List<RuleConfig> rules, long timeoutMs) throws InterruptedException {
        CountDownLatch applied = new CountDownLatch(shards.length);
        for (Shard s : shards) {
            if (!s.control.offer(new Replace(List.copyOf(rules), applied))) {
                return false;
            }
        }
        return applied.await(timeoutMs, TimeUnit.MILLISECONDS);
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

    /** One shard: everything but its queues is touched by its own thread only. */
    private final class Shard {
        /** Keys of this shard's three state saves, each superseding only its own within a commit cycle. */
        private final Object openKey = new Object();
        private final Object armedKey = new Object();
        private final Object heardKey = new Object();
        final int index;
        final BlockingQueue<Work> queue;
        final BlockingQueue<Replace> control = new ArrayBlockingQueue<>(4);
        final RuleEngine engine;
        final List<Alert> restoreAtStart;
        final Thread thread;
        final List<Alert> alerts = new ArrayList<>();
        /** The frames of the current batch processed so far, in queue order, their parts not yet done. */
        final List<Work> batch = new ArrayList<>(MAX_BATCH);
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
                // The frames queued behind it are processed at once, one at a time (the shard never
                // holds more than the one it works on, so the queue's bound stays the bound), and
                // the rule state is persisted once for all of them before their acks: a device's
                // first reading after start-up changes it, so 10,000 devices meant 10,000 rewrites
                // of the state files when each frame was persisted on its own.
                try {
                    runBatch(w);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } finally {
                    batch.clear();
                }
            }
        }

        /**
         * Processes {@code first} and the frames queued behind it, {@value #MAX_BATCH} at most, in queue
         * order, persists the rule state once, and only then marks each frame's part done: every
         * ack is scheduled after the state save its frame may have needed, as when each frame was
         * persisted on its own. A frame a shard fails on is left unacknowledged.
         */
        private void runBatch(Work first) throws InterruptedException {
            Work w = first;
            int taken = 1;
            while (w != null) {
                try {
                    for (Reading r : w.readings()) {
                        process(r, w.attachments(), w.ticket());
                    }
                    batch.add(w);
                } catch (RuntimeException e) {
                    // The frame stays unacknowledged, so the broker redelivers it after a reconnect.
                    LOG.error("pipeline shard failed on a frame; it is left unacknowledged", e);
                }
                w = taken++ < MAX_BATCH ? queue.poll() : null;
            }
            persist();
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).ticket().partDone();
            }
        }

        /**
         * After a transition, the open episodes are saved once the outboxes hold it (and before the
         * ack); the armed and last-heard times only when they changed or are due — an alert does
         * not rewrite every device's times. Keyed by shard and file: of the saves of one file that
         * one group commit takes up, only the newest is written.
         */
        private void persist() {
            StateChanges changes = engine.takeChanges();
            if (changes.open()) {
                List<Alert> open = engine.openAlerts();
                committer.afterDurable(openKey, () -> alertState.save(index, open));
            }
            if (changes.armed()) {
                Map<String, Long> armed = engine.armed();
                committer.afterDurable(armedKey, () -> alertState.saveArmed(index, armed));
            }
            if (changes.heard()) {
                Map<String, Long> lastHeard = engine.lastHeard();
                committer.afterDurable(heardKey, () -> alertState.saveLastHeard(index, lastHeard));
            }
        }

        private void process(Reading raw, Attachments attachments, FrameTicket ticket) throws InterruptedException {
            Reading r = inventory.normalise(raw);
            if (r == null) {
                // Admission refuses these already; kept for a reading that reaches a shard another way.
                ticket.dropped("device '" + Intake.shorten(raw.deviceId()) + "' is not in the inventory", false);
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
                ticket.dropped("device '" + Intake.shorten(r.deviceId()) + "' is over its rate of "
                        + limits.maxReadingsPerSecondPerDevice() + " readings a second", true);
                if (rateLog.allow("rate/" + r.deviceId(), System.nanoTime())) {
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
                ticket.dropped("device '" + Intake.shorten(r.deviceId()) + "': its clock is too far from the "
                        + "gateway's; the time_integrity rule drops such readings", false);
            } else {
                fanOut.reading(stored, line);
                metrics.processed();
            }
            publish();
        }

        private TokenBucket rateOf(String device) {
            // One lookup for a device already seen: only inventory devices get a bucket here.
            TokenBucket b = rates.get(device);
            if (b != null) {
                return b;
            }
            if (!inventory.knows(device)) {
                return unknownRate;
            }
            b = new TokenBucket(limits.maxReadingsPerSecondPerDevice(), this::nanos);
            rates.put(device, b);
            return b;
        }

        private long nanos() {
            return TimeUnit.MILLISECONDS.toNanos(clock.millis());
        }

        /** The rules' transitions: counted, shown, logged, and fanned out to the destinations. */
        private void publish() throws InterruptedException {
            for (Alert a : alerts) {
                metrics.alert(a);
                live.alert(a);
                // Plates stay out of the log: a watchlist hit is logged by its camera.
                LOG.info("alert {} {} on {} at {}: {} = {} (level {}){}", a.rule(), a.state().label(),
                        PlatePseudonymiser.PLATE.equals(a.subjectKind()) ? "a plate read by " + a.device()
                                : a.subject(), a.site(), a.field(), a.value(), a.threshold(),
                        a.reason() == null ? "" : ", " + a.reason());
                fanOut.alert(a);
            }
            alerts.clear();
        }
    }
}
