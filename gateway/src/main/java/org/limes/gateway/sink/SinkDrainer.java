package org.limes.gateway.sink;

import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.limes.gateway.outbox.DestinationQueue;
import org.limes.gateway.outbox.OutboxRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains one destination's outbox queue into its {@link Delivery}: the one retry loop every
 * sink shares. It polls a batch, hands it to the delivery, acknowledges the prefix the
 * destination took, and then
 *
 * <pre>
 * the delivery                              the drainer
 * took the whole batch                      polls the next one; the backoff starts again from its initial delay
 * took a prefix, no failure                 rewinds: the rest is offered again at once
 * failed ({@link DeliveryFailed#retry})          counts limes.errors{error_type}, rewinds, waits a backoff
 *                                           (at least the Retry-After), offers the rest again; no limit
 * met a record it can never deliver         sets that record aside in the dead-letter file
 *   ({@link DeliveryFailed#setAside})            ({@link DestinationQueue#setAside}), counts limes.dropped{reason},
 *                                           rewinds and goes on at once with the records behind it
 * </pre>
 *
 * A record no retry can deliver therefore never holds back the records behind it, and a
 * record a retry may deliver is never dropped: delivery is at-least-once and in outbox
 * order. Every wait is measured on the injected {@link Clock}; a restart starts from the
 * first unacknowledged record.
 *
 * <p>Threading: one thread of its own ({@code limes-sink-<destination>}), the only consumer
 * of its queue and the only caller of its delivery; {@link #close} from any thread.
 */
public final class SinkDrainer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SinkDrainer.class);
    private static final long POLL_MS = 200;

    private final DestinationQueue queue;
    private final Delivery delivery;
    private final SinkMetrics metrics;
    private final Clock clock;
    private final Backoff backoff;
    private final int maxRecords;
    private final int maxBytes;
    private final long lingerNanos;
    private final long closeTimeoutMs;
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * @param maxRecords     records per batch at most
     * @param maxBytes       payload bytes per batch at most
     * @param closeTimeoutMs how long {@link #close} waits for a delivery in progress
     */
    public SinkDrainer(DestinationQueue queue, Delivery delivery, SinkMetrics metrics, Clock clock, Backoff backoff,
            int maxRecords, int maxBytes, long closeTimeoutMs) {
        this(queue, delivery, metrics, clock, backoff, maxRecords, maxBytes, 0, closeTimeoutMs);
    }

    /**
     * As above, lingering over readings: a batch of fewer than {@code maxRecords} readings waits
     * up to {@code lingerMs} for more ({@link DestinationQueue#poll(int, int, long, long, TimeUnit)}),
     * so batches grow with the load; alerts never wait.
     */
    public SinkDrainer(DestinationQueue queue, Delivery delivery, SinkMetrics metrics, Clock clock, Backoff backoff,
            int maxRecords, int maxBytes, long lingerMs, long closeTimeoutMs) {
        this.lingerNanos = TimeUnit.MILLISECONDS.toNanos(lingerMs);
        this.queue = queue;
        this.delivery = delivery;
        this.metrics = metrics;
        this.clock = clock;
        this.backoff = backoff;
        this.maxRecords = maxRecords;
        this.maxBytes = maxBytes;
        this.closeTimeoutMs = closeTimeoutMs;
        this.thread = new Thread(this::loop, "limes-sink-" + queue.destination());
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** False once {@link #close} began: a delivery waiting on its destination should give up. */
    public boolean running() {
        return running;
    }

    private void loop() {
        // A previous drainer of this queue may have stopped mid-batch: start from the first unacknowledged.
        queue.rewind();
        while (running && !open()) {
            pause(backoff.nextDelayMs());
        }
        backoff.reset();
        while (running) {
            List<OutboxRecord> batch;
            try {
                batch = queue.poll(maxRecords, maxBytes, lingerNanos, POLL_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            } catch (IOException e) {
                LOG.error("sink {}: reading the outbox failed; retrying", queue.destination(), e);
                queue.rewind();
                pause(backoff.nextDelayMs());
                continue;
            }
            if (!batch.isEmpty()) {
                drain(batch);
            }
        }
    }

    /** Opens the delivery ({@link Delivery#open}); false, counted and logged, when it cannot yet. */
    private boolean open() {
        long start = System.nanoTime();
        try {
            delivery.open();
            return true;
        } catch (DeliveryFailed f) {
            if (f.errorType() != null) {
                metrics.failed(System.nanoTime() - start, f.errorType());
            }
            LOG.warn("sink {}: {}; trying again after a backoff, {} queued", queue.destination(), f.getMessage(),
                    queue.depth());
            return false;
        } catch (RuntimeException e) {
            LOG.error("sink {}: opening the delivery failed unexpectedly", queue.destination(), e);
            metrics.failed(System.nanoTime() - start, "internal");
            return false;
        }
    }

    private void drain(List<OutboxRecord> batch) {
        long start = System.nanoTime();
        DeliveryFailed failure = null;
        int done;
        try {
            done = delivery.deliver(batch);
        } catch (DeliveryFailed f) {
            failure = f;
            done = f.acknowledged();
        } catch (RuntimeException e) {
            // A fault in the sink's own code: retried like a failure, never a reason to drop records.
            LOG.error("sink {}: delivering a batch failed unexpectedly", queue.destination(), e);
            failure = DeliveryFailed.retry(0, "internal", e.toString(), e);
            done = 0;
        }
        done = Math.max(0, Math.min(done, batch.size()));
        long nanos = System.nanoTime() - start;
        if (done > 0) {
            queue.acknowledge(batch.get(done - 1).seq() + 1);
            metrics.written(nanos, done, clock.millis());
        }
        if (failure == null) {
            if (done < batch.size()) {
                queue.rewind();
            }
            backoff.reset();
            return;
        }
        if (failure.errorType() != null) {
            metrics.failed(nanos, failure.errorType());
        }
        Undeliverable u = failure.undeliverable();
        if (u != null && done < batch.size()) {
            OutboxRecord r = batch.get(done);
            try {
                queue.setAside(r, u.reason(), u.getMessage());
                metrics.dropped(u.reason(), 1);
                LOG.warn("sink {}: record {} can never be delivered ({}: {}); set aside in the dead-letter file",
                        queue.destination(), r.seq(), u.reason(), u.getMessage());
                queue.rewind();
                backoff.reset();
                return;
            } catch (IOException e) {
                LOG.error("sink {}: writing the dead-letter file failed; the record stays queued and is tried again",
                        queue.destination(), e);
            }
        }
        queue.rewind();
        if (!running) {
            return;
        }
        long delay = Math.max(backoff.nextDelayMs(), failure.retryAfterMs());
        LOG.warn("sink {}: {}; retrying in {} ms, {} queued", queue.destination(), failure.getMessage(), delay,
                queue.depth());
        pause(delay);
    }

    private void pause(long ms) {
        Backoff.pause(clock, ms, () -> running);
    }

    /** Stops the thread, waiting for a delivery in progress up to the close timeout. */
    @Override
    public void close() {
        running = false;
        try {
            thread.join(closeTimeoutMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
