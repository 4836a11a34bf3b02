package org.limes.gateway.outbox;

import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * What one destination has still to receive: two durable logs, one for alerts and one for
 * readings, each with its own limits, so alerts are never evicted to make room for
 * readings — the alert log is the reserved share.
 *
 * <p>The destination's sink drains alerts first: whenever the alert log has records, the
 * next batch comes from it, so a live alert overtakes a backlog of readings. Readings
 * drain at most at {@code drainRatePerSecond} (a token bucket; 0 = unlimited) so that a
 * destination returning after a long outage is not flooded.
 *
 * <p>Threading: {@link #append} from any thread; {@link #poll}, {@link #acknowledge} and
 * {@link #rewind} from the destination's one sink thread. A batch comes from one log;
 * {@link #acknowledge} applies to the log of the last batch polled.
 */
public final class DestinationQueue {

    private final String destination;
    private final Outbox alerts;
    private final Outbox readings;
    private final double drainRatePerSecond;
    private double tokens;
    private long lastRefill = System.nanoTime();
    private Outbox lastPolled;
    /** When the readings now waiting began to linger ({@link System#nanoTime}), 0 when none do. */
    private long lingerSince;
    private final Clock clock;
    private volatile long lastAckMillis = -1;
    private final DeadLetters deadLetters;
    /** The sink thread while it waits in {@link #poll}, for {@link #wake}; null otherwise. */
    private volatile Thread waiter;

    public DestinationQueue(String destination, Outbox alerts, Outbox readings, double drainRatePerSecond) {
        this(destination, alerts, readings, drainRatePerSecond, Clock.systemUTC());
    }

    /**
     * As above; {@code clock} stamps the last acknowledgement ({@link #lastAckMillis}). Records
     * set aside go to {@code dead-letters/} beside the alert log, counted in a registry of their own.
     */
    public DestinationQueue(String destination, Outbox alerts, Outbox readings, double drainRatePerSecond,
            Clock clock) {
        this(destination, alerts, readings, drainRatePerSecond, clock,
                DeadLetters.standalone(destination, alerts.dir().getParent().resolve("dead-letters")));
    }

    /** As above, setting records aside in {@code deadLetters}. */
    public DestinationQueue(String destination, Outbox alerts, Outbox readings, double drainRatePerSecond,
            Clock clock, DeadLetters deadLetters) {
        this.deadLetters = deadLetters;
        this.clock = clock;
        this.destination = destination;
        this.alerts = alerts;
        this.readings = readings;
        this.drainRatePerSecond = drainRatePerSecond;
        this.tokens = Math.max(1, drainRatePerSecond);
        alerts.onDurable(this::wake);
        readings.onDurable(this::wake);
    }

    public String destination() {
        return destination;
    }

    /** Appends to the alert or the reading log by the record's type; see {@link Outbox#append}. */
    public long append(byte type, byte[] payload) throws InterruptedException {
        return (type == OutboxRecord.ALERT ? alerts : readings).append(type, payload);
    }

    /**
     * The next batch: pending alerts if there are any, else readings within the drain
     * rate; waits up to {@code timeout} for either.
     */
    public List<OutboxRecord> poll(int maxRecords, int maxBytes, long timeout, TimeUnit unit)
            throws InterruptedException, IOException {
        return poll(maxRecords, maxBytes, 0, timeout, unit);
    }

    /**
     * As {@link #poll(int, int, long, TimeUnit)}, lingering over readings: when fewer than
     * {@code maxRecords} readings are waiting, the batch waits for more up to {@code lingerNanos}
     * after the first of them was seen, so a destination that answers quickly gets one batch per
     * linger under a trickle and full batches under a backlog instead of one small batch per group
     * commit. Alerts never linger: one arriving meanwhile is returned at once, and the readings'
     * linger goes on after it.
     */
    public List<OutboxRecord> poll(int maxRecords, int maxBytes, long lingerNanos, long timeout, TimeUnit unit)
            throws InterruptedException, IOException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        // Woken by either log ({@link #wake}): waiting on the readings' log alone, an alert made
        // durable meanwhile waited for that wait to end, up to 50 ms, on every alert to a centre
        // (whose readings log stays empty).
        waiter = Thread.currentThread();
        try {
            while (true) {
                List<OutboxRecord> batch = alerts.poll(maxRecords, maxBytes, 0, TimeUnit.MILLISECONDS);
                if (!batch.isEmpty()) {
                    lastPolled = alerts;
                    return batch;
                }
                int allowed = allowedReadings(maxRecords);
                long left = deadline - System.nanoTime();
                if (allowed > 0 && lingerNanos > 0) {
                    long lingerLeft = lingerLeft(allowed, lingerNanos);
                    if (lingerLeft > 0) {
                        park(lingerLeft);
                        continue;
                    }
                }
                if (allowed > 0) {
                    batch = readings.poll(allowed, maxBytes, 0, TimeUnit.NANOSECONDS);
                    if (!batch.isEmpty()) {
                        tokens -= batch.size();
                        lastPolled = readings;
                        lingerSince = 0;
                        return batch;
                    }
                }
                if (left <= 0) {
                    return List.of();
                }
                // Nothing yet, or readings waiting for the drain rate's next token: the rate is
                // looked at again after at most 50 ms, any durable record wakes it sooner.
                park(allowed > 0 ? left : Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
            }
        } finally {
            waiter = null;
        }
    }

    /**
     * How much longer the readings waiting may linger: they are fewer than {@code wanted} and
     * the first of them was seen less than {@code lingerNanos} ago; 0 when they should go now
     * (or none wait). The linger is bounded by itself, not by the poll's timeout, which would
     * cut it short at random.
     */
    private long lingerLeft(int wanted, long lingerNanos) throws InterruptedException {
        long waiting = readings.awaitUnread(wanted, 0);
        if (waiting == 0 || waiting >= wanted) {
            return 0;
        }
        long now = System.nanoTime();
        if (lingerSince == 0) {
            lingerSince = now;
        }
        return Math.max(0, lingerNanos - (now - lingerSince));
    }

    /** Waits up to {@code nanos} or until either log has new durable records (or closes). */
    private void park(long nanos) throws InterruptedException {
        LockSupport.parkNanos(this, nanos);
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
    }

    /** Either log's records became durable, or it closed: the poll waiting, if any, looks again. */
    private void wake() {
        Thread t = waiter;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    private int allowedReadings(int maxRecords) {
        if (drainRatePerSecond <= 0) {
            return maxRecords;
        }
        long now = System.nanoTime();
        tokens = Math.min(Math.max(1, drainRatePerSecond), tokens + (now - lastRefill) / 1e9 * drainRatePerSecond);
        lastRefill = now;
        return (int) Math.min(maxRecords, Math.floor(tokens));
    }

    /** Acknowledges, in the log of the last batch polled, every record below {@code uptoExclusive}. */
    public void acknowledge(long uptoExclusive) {
        if (lastPolled != null) {
            lastPolled.acknowledge(uptoExclusive);
            lastAckMillis = clock.millis();
        }
    }

    /**
     * Sets aside a record no retry can ever deliver (see {@link DeadLetters}) and advances its
     * log past it. Sink thread only, and only for the first record not yet acknowledged in its
     * log: every record before it must have been delivered (or set aside) already, since
     * advancing past it acknowledges them too. Rewind before polling again if the batch it
     * came from had records after it.
     *
     * @param reason a short, stable word for meters ({@code too_large}, {@code rejected_by_store}, …)
     * @param detail what the destination or the encoder said, for the log and the file
     * @throws IOException when the dead-letter file cannot be written (the disk): the record
     *                     stays in the queue and is tried again
     */
    public void setAside(OutboxRecord r, String reason, String detail) throws IOException {
        Outbox log = r.type() == OutboxRecord.ALERT ? alerts : readings;
        if (r.seq() < log.acknowledgedSeq()) {
            return;
        }
        deadLetters.write(r, reason, detail);
        log.acknowledge(r.seq() + 1);
    }

    public DeadLetters deadLetters() {
        return deadLetters;
    }

    /** When the destination last acknowledged records (epoch ms), -1 when not since start. */
    public long lastAckMillis() {
        return lastAckMillis;
    }

    /** Polls again from the first unacknowledged record of both logs. */
    public void rewind() {
        alerts.rewind();
        readings.rewind();
    }

    /** Records not yet acknowledged, both logs. */
    public long depth() {
        return alerts.depth() + readings.depth();
    }

    public long bytes() {
        return alerts.bytes() + readings.bytes();
    }

    /** Age of the oldest unacknowledged record in milliseconds at {@code nowMs}, 0 when none. */
    public long oldestUnackedAgeMs(long nowMs) {
        long a = alerts.oldestUnackedMillis();
        long r = readings.oldestUnackedMillis();
        long oldest = a < 0 ? r : r < 0 ? a : Math.min(a, r);
        return oldest < 0 ? 0 : Math.max(0, nowMs - oldest);
    }

    public Outbox alerts() {
        return alerts;
    }

    public Outbox readings() {
        return readings;
    }
}
