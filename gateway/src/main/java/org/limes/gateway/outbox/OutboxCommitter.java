package org.limes.gateway.outbox;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group commit of every outbox: one thread that, every {@code syncInterval}, writes
 * and syncs each outbox's buffered records, persists acknowledged positions, and then
 * runs the callbacks registered before the cycle began — typically "acknowledge this
 * frame to the broker", which is thereby only ever sent for records on disk. With nothing
 * to write and nothing waiting it sleeps until an append or a callback wakes it (or the
 * acknowledged-position timer is due) instead of cycling ({@link #sleepUntilWork}).
 *
 * <p>If any outbox fails to sync (disk full, I/O error), the cycle's callbacks are kept
 * for a later cycle: upstream acknowledgements stop until the disk recovers, which is the
 * backpressure the architecture asks for. Meanwhile the sync is retried with backoff
 * ({@value #RETRY_INITIAL_MS} ms doubling to {@value #RETRY_MAX_MS} ms, not once per
 * cycle), and {@link #syncFailure()} says what failed and since when, for {@code /ready}
 * and {@code /health}. The callback queue holds at most one entry per
 * frame in flight, so it is bounded by the sources' own in-flight windows.
 *
 * <p>This class is the thread, the schedule, the retry and the callbacks; the work of one
 * outbox in a cycle (swap its buffers, write and sync its segment, persist its {@code ack}
 * file, delete or expire segments) is that outbox's {@link OutboxWriter}.
 */
public final class OutboxCommitter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OutboxCommitter.class);

    private final List<Outbox> outboxes = new CopyOnWriteArrayList<>();
    private final List<Outbox> expiring = new CopyOnWriteArrayList<>();
    private final Map<Outbox, Long> ageLimits = new ConcurrentHashMap<>();
    private final Clock clock;
    private long lastExpiry;
    private final ConcurrentLinkedQueue<Runnable> callbacks = new ConcurrentLinkedQueue<>();
    private final long intervalNanos;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean held;
    /** True while the thread sleeps for want of work ({@link #sleepUntilWork}). */
    private volatile boolean idle;
    private final long idleParkNanos;
    private long lastErrorLog;
    private final Counter failures;
    static final long RETRY_INITIAL_MS = 50;
    static final long RETRY_MAX_MS = 5_000;
    /** How often acknowledged positions are persisted; see {@link #cycle}. */
    static final long ACK_PERSIST_INTERVAL_MS = 250;
    /** Committer thread only: when acknowledged positions were last persisted. */
    private long lastAckPersist;
    /** Committer thread only: when the next cycle may run after a failed sync, and the delay after it. */
    private long retryAtNanos;
    private long retryDelayMs;
    private volatile String syncFailure;
    private volatile long syncFailingSinceMillis = -1;
    private volatile long cycles;

    public OutboxCommitter(long syncIntervalMs) {
        this(syncIntervalMs, Clock.systemUTC(), new SimpleMeterRegistry());
    }

    public OutboxCommitter(long syncIntervalMs, Clock clock, MeterRegistry registry) {
        this(syncIntervalMs, ACK_PERSIST_INTERVAL_MS, clock, registry);
    }

    OutboxCommitter(long syncIntervalMs, long idleParkMs, Clock clock, MeterRegistry registry) {
        this.clock = clock;
        this.failures = OutboxMetrics.syncFailures(registry);
        this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(syncIntervalMs);
        this.idleParkNanos = TimeUnit.MILLISECONDS.toNanos(idleParkMs);
        this.thread = new Thread(this::loop, "limes-outbox-commit");
        this.thread.setDaemon(true);
    }

    public void register(Outbox outbox) {
        outboxes.add(outbox);
        outbox.onAppend(this::wake);
    }

    /** Registers an outbox whose records are evicted once older than {@code maxAgeMs} (0 = never). */
    public void register(Outbox outbox, long maxAgeMs) {
        register(outbox);
        if (maxAgeMs > 0) {
            ageLimits.put(outbox, maxAgeMs);
            expiring.add(outbox);
        }
    }

    public void start() {
        thread.start();
    }

    /**
     * Runs {@code action} on the committer thread once every record appended to any outbox
     * before this call is durable. The action must be quick and must not block.
     */
    public void afterDurable(Runnable action) {
        callbacks.add(action);
        wake();
    }

    /**
     * Like {@link #afterDurable(Runnable)}, for an action that a later one of the same
     * {@code key} supersedes (it writes a newer state of the same thing): of the actions of one
     * key that a cycle takes up, only the latest runs, in the place of the earliest. So every
     * callback queued after any of them still runs after a state at least as new as the one it
     * followed, and that state is durable, since all of them were queued before the cycle's sync.
     * A shard saving its rule state after each batch thereby costs one save per cycle, not one
     * per batch.
     */
    public void afterDurable(Object key, Runnable action) {
        callbacks.add(new Superseding(key, action));
        wake();
    }

    /** An action that a later one of the same key replaces within a cycle. */
    private record Superseding(Object key, Runnable action) implements Runnable {
        @Override
        public void run() {
            action.run();
        }
    }

    private void loop() {
        List<Runnable> carried = new ArrayList<>();
        long cycleStart = System.nanoTime();
        boolean worked = true;
        while (running) {
            // The period runs from one cycle's start to the next, not from its end: when a cycle's
            // fsyncs take longer than the interval the next begins at once, so an acknowledgement
            // waits for at most one cycle in progress and one more, never an idle interval on top.
            // (In-broker ingest answers each client's publishes one at a time, so this latency is
            // its throughput per connection.)
            long wait = intervalNanos - (System.nanoTime() - cycleStart);
            if (wait > 0) {
                LockSupport.parkNanos(wait);
                continue;
            }
            if (!worked && carried.isEmpty() && !held) {
                sleepUntilWork();
            }
            cycleStart = System.nanoTime();
            if (!held && cycleStart - retryAtNanos >= 0) {
                worked = cycle(carried, false);
            }
        }
        cycle(carried, true);
        for (Outbox o : outboxes) {
            o.release();
        }
    }

    /**
     * After a cycle that had nothing to write and nothing to run: sleeps until an append or an
     * action wakes it ({@link #wake}), or for the acknowledged-position timer at most, instead of
     * running an empty cycle every sync interval (200 a second at the default 5 ms, each looking at
     * every outbox). The first record after the sleep is committed at once; those that arrive
     * meanwhile join the next cycle, as before.
     */
    private void sleepUntilWork() {
        idle = true;
        // Published before looking: an append or action that missed the flag is seen here (both
        // sides are synchronisation actions: the flag is volatile, the buffers are read under the
        // outbox's lock and the actions' queue is concurrent).
        if (callbacks.isEmpty() && !anyBuffered()) {
            LockSupport.parkNanos(idleParkNanos);
        }
        idle = false;
    }

    private boolean anyBuffered() {
        for (Outbox o : outboxes) {
            if (o.hasBuffered()) {
                return true;
            }
        }
        return false;
    }

    /** Called after an append or a new action: wakes the committer if it sleeps. Cheap when it does not. */
    void wake() {
        if (idle) {
            LockSupport.unpark(thread);
        }
    }

    /**
     * One group commit. Acknowledged positions are persisted every {@value #ACK_PERSIST_INTERVAL_MS} ms
     * (and in the {@code last} cycle), not every cycle: each is a write, an fsync and a rename per
     * outbox, and on this path they made a cycle two to four fsyncs long, which every upstream
     * acknowledgement waited behind. A position lost to a crash only means records are delivered
     * again, which every sink makes idempotent.
     */
    private boolean cycle(List<Runnable> carried, boolean last) {
        cycles++;
        boolean worked = !carried.isEmpty();
        Runnable r;
        Map<Object, Integer> earliest = null;
        while ((r = callbacks.poll()) != null) {
            if (r instanceof Superseding s) {
                if (earliest == null) {
                    earliest = new HashMap<>();
                }
                Integer at = earliest.putIfAbsent(s.key(), carried.size());
                if (at != null) {
                    carried.set(at, s);
                    continue;
                }
            }
            carried.add(r);
            worked = true;
        }
        boolean allDurable = true;
        String failure = null;
        for (Outbox o : outboxes) {
            try {
                worked |= o.flush();
            } catch (IOException | RuntimeException e) {
                allDurable = false;
                Throwable root = e.getCause() != null ? e.getCause() : e;
                failure = failure != null ? failure : "outbox " + o.destination() + " cannot sync its records to "
                        + "disk: " + root.getMessage();
                failed("outbox " + o.destination() + ": sync failed; upstream acknowledgements are held until it "
                        + "succeeds, retried in " + Math.min(RETRY_MAX_MS, Math.max(RETRY_INITIAL_MS,
                                retryDelayMs * 2)) + " ms", e);
            }
        }
        if (allDurable) {
            if (syncFailure != null) {
                LOG.info("outboxes sync again after {} ms of failures", clock.millis() - syncFailingSinceMillis);
            }
            syncFailure = null;
            syncFailingSinceMillis = -1;
            retryDelayMs = 0;
        } else {
            if (syncFailingSinceMillis < 0) {
                syncFailingSinceMillis = clock.millis();
            }
            syncFailure = failure;
            retryDelayMs = Math.min(RETRY_MAX_MS, Math.max(RETRY_INITIAL_MS, retryDelayMs * 2));
            retryAtNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(retryDelayMs);
        }
        if (allDurable) {
            // Upstream acknowledgements wait only for the records' own fsync, not for the
            // acknowledged positions below: those cost one more fsync per outbox, and losing
            // one to a crash only means records are delivered again (which is idempotent).
            for (Runnable action : carried) {
                try {
                    action.run();
                } catch (RuntimeException e) {
                    LOG.error("after-durable action failed", e);
                }
            }
            carried.clear();
        }
        long persistNow = System.nanoTime();
        if (last || persistNow - lastAckPersist >= TimeUnit.MILLISECONDS.toNanos(ACK_PERSIST_INTERVAL_MS)) {
            lastAckPersist = persistNow;
            persistAcknowledged();
        }
        long now = System.nanoTime();
        if (now - lastExpiry > TimeUnit.SECONDS.toNanos(1)) {
            lastExpiry = now;
            for (Outbox o : expiring) {
                o.expire(clock.millis(), ageLimits.get(o));
            }
        }
        return worked;
    }

    private void persistAcknowledged() {
        for (Outbox o : outboxes) {
            try {
                o.persistAcknowledged();
            } catch (IOException | RuntimeException e) {
                failed("outbox " + o.destination() + ": persisting the acknowledged position failed (delivered "
                        + "records may be delivered again after a restart)", e);
            }
        }
    }

    private void failed(String what, Exception e) {
        failures.increment();
        long now = System.nanoTime();
        if (now - lastErrorLog > TimeUnit.SECONDS.toNanos(10)) {
            lastErrorLog = now;
            LOG.error("{} ({})", what, e.toString());
        }
    }

    /**
     * Holds group commits, for example while the data disk is snapshotted: appends keep
     * filling the outboxes' bounded buffers and then wait, so ingestion stops acknowledging
     * upstream until {@link #resume()}. Nothing is lost and nothing is acknowledged early.
     */
    public void hold() {
        held = true;
    }

    public void resume() {
        held = false;
        LockSupport.unpark(thread);
    }

    /**
     * What keeps records from becoming durable now (an outbox that cannot sync: disk full, I/O
     * error), or null when the last cycle synced everything.
     */
    public String syncFailure() {
        return syncFailure;
    }

    /** Since when (epoch ms) the outboxes cannot sync, -1 when they can. */
    public long syncFailingSinceMillis() {
        return syncFailingSinceMillis;
    }

    /** Group commit cycles run since start (for tests). */
    long cycles() {
        return cycles;
    }

    /** True while the committer sleeps for want of anything to commit (for tests). */
    boolean idle() {
        return idle;
    }

    /** Syncs that failed since start (disk full, I/O errors). */
    public long failures() {
        return (long) failures.count();
    }

    /** Flushes what is buffered, runs the pending callbacks and stops the thread. */
    @Override
    public void close() {
        for (Outbox o : outboxes) {
            o.close();
        }
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
