package org.limes.gateway.pipeline;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.limes.drivers.Driver;
import org.limes.drivers.Frame;
import org.limes.gateway.outbox.OutboxCommitter;
import org.limes.gateway.rules.AlertStateStore;
import org.limes.gateway.rules.RuleConfig;

/**
 * The hot path: decode → admit (identity, limits, store names) → shard by device → normalise
 * (inventory) → rate limit → pictures → rules → live view → fan out to the outboxes. Built by
 * {@link #builder()}; this class only joins its three parts, each with its own threading
 * contract:
 *
 * <ul>
 *   <li>{@link Intake} decodes and admits on the calling source thread (drivers are pure) and
 *       hands the readings to their shard; one path for {@link #submit} (waits) and
 *       {@link #offer} (never waits).
 *   <li>{@link Shards}: one thread each, chosen by device id, so every device's state (rules,
 *       rate bucket, pictures, live view) is owned by one thread and needs no locks. Each
 *       shard's hand-off queue is bounded; when it is full {@link #submit} waits, which stops
 *       the source reading (the MQTT client stops taking messages, so the broker holds them):
 *       backpressure, not buffering.
 *   <li>{@link FanOut} routes, pseudonymises, encodes and appends to the outboxes, for the
 *       shards' readings and alerts and for the outboxes' own overflow and set-aside alerts
 *       ({@link DeliveryAlerts}).
 * </ul>
 *
 * <p>Every reading is appended to the store's outbox; every alert transition to the store's
 * and to each centre's outbox, as their routing admits. The frame's acknowledgement runs once
 * all of that is durable ({@link OutboxCommitter#afterDurable}). A malformed frame is counted,
 * logged at most once per source and origin per interval with the decoder's reason, and
 * acknowledged (a redelivery would not mend it); the frames around it flow on. Open alert
 * episodes are persisted ({@link AlertStateStore}) after each transition is durable, and
 * restored at start.
 *
 * <p>A source that answers with counts (HTTP) offers a frame with a receipt instead of an
 * acknowledgement ({@link #offer(Frame, Driver, Consumer)}): it learns, once the frame is
 * durable, how many of its readings were stored and why each other one was not
 * ({@link Outcome}), so an answer never counts as stored a reading that was then dropped.
 *
 * <p>{@link #submit}, {@link #offer} and {@link #replaceRules} may be called from any thread;
 * {@link #start} and {@link #close} by the owner, once.
 */
public final class Pipeline implements AutoCloseable {

    /** Accepted unknown devices whose readings rules evaluate, over all shards; beyond it they are only stored. */
    public static final int MAX_UNKNOWN_DEVICES = 10_000;
    /** Reasons an {@link Outcome} keeps at most. */
    public static final int MAX_REASONS = 20;

    private final Shards shards;
    private final Intake intake;

    Pipeline(PipelineBuilder b) throws IOException {
        FanOut fanOut = new FanOut(b.gateway, b.store, b.centres);
        this.shards = new Shards(b, fanOut);
        this.intake = new Intake(shards, b.inventory, b.limits, b.committer, b.metrics, b.live, b.frameLog);
        if (b.deliveryAlerts != null) {
            b.deliveryAlerts.bind(fanOut, b.live);
        }
    }

    /** A builder with a named setter for each part. */
    public static PipelineBuilder builder() {
        return new PipelineBuilder();
    }

    public void start() {
        shards.start();
    }

    /**
     * Decodes a frame and hands its readings to their shards. Waits while a shard's queue
     * is full. {@code ack} runs exactly once: when everything the frame produced is
     * durable in the outboxes, or at once when the frame is malformed or empty. A frame of
     * several records (lines) passes on its good readings; each bad record is counted and
     * logged like a malformed frame.
     */
    public void submit(Frame frame, Driver driver, Runnable ack) throws InterruptedException {
        intake.take(frame, driver, ack, null, null, true);
    }

    /**
     * Like {@link #submit(Frame, Driver, Runnable)}, for a source that can refuse a frame: in
     * cluster mode, when the cluster did not take the frame, {@code refuse} is told why instead of
     * {@code ack} (exactly one of them runs, once). In single-process mode {@code refuse} never runs.
     */
    public void submit(Frame frame, Driver driver, Runnable ack, Consumer<String> refuse)
            throws InterruptedException {
        intake.take(frame, driver, ack, null, refuse, true);
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
        return offer(frame, driver, ack, null, null);
    }

    /**
     * Like {@link #offer(Frame, Driver, Runnable)}, but instead of a bare acknowledgement
     * {@code receipt} is told, exactly once and under the same conditions, what became of the
     * frame: how many readings were stored (durable in the outboxes) and why each other one
     * (a malformed record, a reading refused at admission, over its device's rate, or dropped
     * by a rule) was not.
     */
    public Offer offer(Frame frame, Driver driver, Consumer<Outcome> receipt) {
        return offer(frame, driver, null, receipt, null);
    }

    /**
     * Like {@link #offer(Frame, Driver, Consumer)}, for a source that can refuse a frame: in
     * cluster mode, when the cluster did not take the frame, {@code refuse} is told why instead of
     * {@code receipt} (exactly one of them runs, once). In single-process mode it never runs.
     */
    public Offer offer(Frame frame, Driver driver, Consumer<Outcome> receipt, Consumer<String> refuse) {
        return offer(frame, driver, null, receipt, refuse);
    }

    private Offer offer(Frame frame, Driver driver, Runnable ack, Consumer<Outcome> receipt,
            Consumer<String> refuse) {
        try {
            return intake.take(frame, driver, ack, receipt, refuse, false);
        } catch (InterruptedException e) {
            // Unreachable: the intake throws it only when told to wait, which offer never does.
            Thread.currentThread().interrupt();
            throw new IllegalStateException("a non-waiting offer was interrupted", e);
        }
    }

    /**
     * Hands every shard a new rule list and waits until all have applied it: unchanged
     * rules keep their state, changed ones take over their open episodes, removed ones
     * clear theirs (see {@link org.limes.gateway.rules.RuleEngine#replace}). The rules must
     * already be checked.
     *
     * @return true when every shard applied them within {@code timeout}
     */
    public boolean replaceRules(List<RuleConfig> rules, Duration timeout) throws InterruptedException {
        return shards.replaceRules(rules, timeout.toMillis());
    }

    /** Stops taking work, lets the shards finish what is queued, and waits for them. */
    @Override
    public void close() {
        shards.close();
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
}
