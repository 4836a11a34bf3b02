package org.limes.gateway.pipeline;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.limes.drivers.Attachment;
import org.limes.drivers.DecodeException;
import org.limes.drivers.DecodeResult;
import org.limes.drivers.Driver;
import org.limes.drivers.Frame;
import org.limes.drivers.Reading;
import org.limes.gateway.live.LiveView;
import org.limes.gateway.outbox.OutboxCommitter;
import org.limes.gateway.pipeline.Pipeline.Offer;
import org.limes.gateway.pipeline.Pipeline.Outcome;
import org.limes.gateway.pipeline.StoreGuard.Refusal;
import org.limes.gateway.ratelimit.LogLimiter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first step of the hot path: decode a frame, admit its readings, and hand them to their
 * {@link Shards}, on one path for blocking callers ({@link Pipeline#submit}) and for callers
 * that must not block ({@link Pipeline#offer}); they differ only in the hand-off.
 *
 * <p>Runs on the calling source thread (drivers are pure, admission is cheap), so many
 * threads call it at once: its own state is the log limiters, which are thread-safe, and the
 * {@link StoreGuard}, which is too.
 *
 * <p>Admission, right after decoding: when the transport authenticated the frame's sender
 * ({@link Frame#identity()}), a reading naming another device is dropped
 * ({@code limes.dropped{reason=identity_mismatch}}); a reading of a device not in the
 * inventory, unless unknown devices are accepted, is dropped ({@code reason=unknown_device},
 * logged at most once a minute per device); a reading over the {@link LimitsConfig} is dropped
 * ({@code reason=over_limits}); the others logged at most once a minute per source and origin.
 * Last, {@link StoreGuard} keeps out every reading the store could not take or that would
 * write over the gateway's own names ({@code reason=invalid_name}, {@code gateway_name},
 * {@code field_type}, {@code field_types_full}). A frame that keeps no reading is answered like a
 * malformed one: counted, logged at most once per source and origin per interval with the
 * decoder's reason, and acknowledged at once (a redelivery would not mend it).
 *
 * <p>In cluster mode ({@link FrameLog} given) an admitted frame goes to the log, keyed by each of
 * its devices, instead of the shards: it is acknowledged once the log has it, and refused
 * ({@code refuse} told why) when the log did not take it. In single-process mode nothing is
 * ever refused.
 */
final class Intake {

    /** The hot path logs under one category, {@code ...pipeline.Pipeline}, as it did before it was split. */
    private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);

    private final Shards shards;
    private final Inventory inventory;
    private final LimitsConfig limits;
    private final OutboxCommitter committer;
    private final PipelineMetrics metrics;
    private final LiveView live;
    private final FrameLog log;
    private final StoreGuard storeGuard = new StoreGuard(StoreGuard.MAX_FIELD_TYPES);
    private final LogLimiter malformedLog = new LogLimiter(TimeUnit.MINUTES.toNanos(1), 10_000);
    private final LogLimiter unknownLog = new LogLimiter(TimeUnit.MINUTES.toNanos(1), 10_000);
    private final LogLimiter rejectedLog = new LogLimiter(TimeUnit.MINUTES.toNanos(1), 10_000);

    Intake(Shards shards, Inventory inventory, LimitsConfig limits, OutboxCommitter committer,
            PipelineMetrics metrics, LiveView live, FrameLog log) {
        this.live = live;
        this.log = log;
        this.shards = shards;
        this.inventory = inventory;
        this.limits = limits;
        this.committer = committer;
        this.metrics = metrics;
    }

    /**
     * Decodes and admits a frame and hands its readings to their shards. Exactly one of
     * {@code ack} and {@code receipt} is given; it runs exactly once when the frame is taken
     * (at once when nothing of it reaches a shard), never when it is not.
     *
     * @param refuse told why, instead of the ack or receipt, when the cluster's {@link FrameLog}
     *             did not take the frame (cluster mode only); null: the frame is then only counted
     * @param wait true: wait while a shard's queue is full (the frame is always taken);
     *             false: answer {@link Offer#FULL} instead, having changed nothing (no meter,
     *             no log, no ack)
     * @throws InterruptedException only when waiting
     */
    Offer take(Frame frame, Driver driver, Runnable ack, Consumer<Outcome> receipt, Consumer<String> refuse,
            boolean wait) throws InterruptedException {
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
        if (log != null) {
            return toLog(frame, driver, readings, decoded, ack, receipt, refuse, wait);
        }
        List<Reading>[] parts = shards.split(readings);
        int count = 0;
        for (List<Reading> p : parts) {
            count += p == null ? 0 : 1;
        }
        FrameTicket ticket = new FrameTicket(count, ack, receipt, readings.size(), decoded.rejected(),
                decoded.reasons(), committer);
        if (wait) {
            // Counted before the hand-off: once handed, the frame may be done before this thread runs on.
            metrics.decoded(driver.name(), readings.size());
            shards.put(parts, ticket, decoded.attachments());
        } else if (shards.offer(parts, ticket, decoded.attachments())) {
            metrics.decoded(driver.name(), readings.size());
        } else {
            return Offer.FULL;
        }
        if (live != null) {
            // The status page's commissioning check: the frame beside what became of it (sampled, 1/s per device).
            live.frame(frame, driver.name(), readings);
        }
        return Offer.TAKEN;
    }

    /** Cluster mode: hands an admitted frame to the log; answers the device when the log does. */
    private Offer toLog(Frame frame, Driver driver, List<Reading> readings, Decoded decoded, Runnable ack,
            Consumer<Outcome> receipt, Consumer<String> refuse, boolean wait) throws InterruptedException {
        Set<String> devices = new LinkedHashSet<>();
        for (Reading r : readings) {
            devices.add(r.deviceId());
        }
        CompletableFuture<Void> appended = log.append(frame, driver.name(), devices, wait);
        if (appended == null) {
            return Offer.FULL;
        }
        metrics.decoded(driver.name(), readings.size());
        appended.whenComplete((ok, e) -> {
            if (e == null) {
                if (ack != null) {
                    ack.run();
                } else {
                    receipt.accept(new Outcome(readings.size(), decoded.rejected(), 0,
                            decoded.reasons() == null ? List.of() : decoded.reasons()));
                }
            } else if (refuse != null) {
                refuse.accept("the cluster did not take the frame: " + e.getClass().getSimpleName());
            }
        });
        return Offer.TAKEN;
    }

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

    /** A frame's attachments, by the reading (the very object) they belong to. */
    record Attachments(byte[] payload, IdentityHashMap<Reading, List<Attachment>> byReading) {

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
                reasons = FrameTicket.note(reasons, e.getMessage());
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
                    reasons = FrameTicket.note(reasons, why);
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
            reasons = FrameTicket.note(null, reason);
        }
        return new Decoded(null, reason, null, rejected, reasons);
    }

    /**
     * The readings that pass the identity, limit and store checks; the others counted, logged,
     * and their reasons added to {@code refusals} (at most {@link Pipeline#MAX_REASONS}).
     */
    private List<Reading> admit(Frame frame, List<Reading> readings, List<String> refusals) {
        List<Reading> admitted = null;
        for (int i = 0; i < readings.size(); i++) {
            Reading r = readings.get(i);
            Refusal why = rejection(frame, r);
            if (why != null) {
                if (refusals.size() < Pipeline.MAX_REASONS) {
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
        if (!inventory.acceptsUnknown() && !inventory.knows(r.deviceId())) {
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

    /** A device id (input) cut to a length fit for a log line or an answer. */
    static String shorten(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "…";
    }
}
