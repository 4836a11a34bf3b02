package org.limes.gateway.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.limes.gateway.outbox.OutboxCommitter;
import org.limes.gateway.pipeline.Pipeline.Outcome;

/**
 * One frame on its way through the shards: counts down the shards the frame was split over;
 * the last one schedules the acknowledgement, or the receipt with what the shards stored and
 * dropped, for when everything the frame produced is durable.
 *
 * <p>Created by {@link Intake} on the caller's thread; {@link #dropped} and {@link #partDone}
 * are called on the shard threads. The counts are kept only with a receipt, and then guarded
 * by this ticket (shards drop readings rarely).
 */
final class FrameTicket {

    private final AtomicInteger parts;
    private final Runnable ack;
    private final Consumer<Outcome> receipt;
    private final OutboxCommitter committer;
    private int readings;
    private int rejected;
    private int rateLimited;
    private List<String> reasons;

    /**
     * @param parts    how many shards the frame's readings went to
     * @param readings the readings handed to the shards
     * @param rejected records and readings already refused while decoding and admitting
     * @param reasons  why, null when none
     */
    FrameTicket(int parts, Runnable ack, Consumer<Outcome> receipt, int readings, int rejected, List<String> reasons,
            OutboxCommitter committer) {
        this.parts = new AtomicInteger(parts);
        this.ack = ack;
        this.receipt = receipt;
        this.committer = committer;
        if (receipt != null) {
            this.readings = readings;
            this.rejected = rejected;
            this.reasons = reasons;
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

    /** A shard is done with its part of the frame; the last one schedules the ack or receipt. */
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

    /** {@code reasons} with {@code reason} added, while it holds fewer than {@link Pipeline#MAX_REASONS}. */
    static List<String> note(List<String> reasons, String reason) {
        List<String> to = reasons == null ? new ArrayList<>(2) : reasons;
        if (to.size() < Pipeline.MAX_REASONS) {
            to.add(reason);
        }
        return to;
    }
}
