package org.limes.gateway.outbox;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns outbox evictions, and records set aside as undeliverable, into alerts to the centres: the first eviction of a destination
 * raises a critical {@code outbox-overflow} alert naming it and the records lost; the alert
 * clears once that destination has caught up (its oldest undelivered record is younger
 * than the ready age). One episode per destination, never one alert per eviction.
 *
 * <p>Evictions are reported from appending threads and the committer, which must never
 * wait on another outbox; so notices go through a small bounded queue to a thread of its
 * own, which also checks for catch-up every few seconds. When that queue is full a notice
 * is dropped and counted (the episode it belongs to is already open).
 *
 * <p>A record set aside at a destination ({@link DeadLetters}) goes the same way — through
 * the same bounded queue and thread, since the sink that sets it aside must not wait on
 * another destination's outbox — to a {@link SetAsideEmitter}, which raises it to the other
 * centres. A set-aside notice that finds the queue full is dropped and counted too (the
 * record itself is in the dead-letter file, and the meters count it).
 */
public final class OverflowAlerts implements EvictionListener, DeadLetters.SetAsideListener, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OverflowAlerts.class);

    /** Emits an overflow alert transition to the centres and the store. */
    @FunctionalInterface
    public interface Emitter {
        void emit(String destination, boolean raised, long lostRecords, long raisedAtMillis, long atMillis)
                throws InterruptedException;
    }

    /** Raises a record set aside at one destination to the others. */
    @FunctionalInterface
    public interface SetAsideEmitter {
        void emit(DeadLetters.SetAside what) throws InterruptedException;
    }

    private final BlockingQueue<Object> notices = new ArrayBlockingQueue<>(256);
    private final SetAsideEmitter setAsideEmitter;
    private final List<String> destinations;
    private final Map<String, Long> open = new ConcurrentHashMap<>();
    private final Map<String, Long> lost = new ConcurrentHashMap<>();
    private final Emitter emitter;
    private final java.util.function.ToLongFunction<String> ageMs;
    private final long clearBelowAgeMs;
    private final LongSupplier clockMillis;
    private final Thread thread;
    private volatile boolean running = true;
    private long droppedNotices;

    /**
     * @param destinations    every destination name, in a fixed order
     * @param ageMs           age of a destination's oldest undelivered record, ms
     * @param clearBelowAgeMs the episode clears when that age is below this
     */
    public OverflowAlerts(List<String> destinations, java.util.function.ToLongFunction<String> ageMs,
            long clearBelowAgeMs, LongSupplier clockMillis, Emitter emitter) {
        this(destinations, ageMs, clearBelowAgeMs, clockMillis, emitter, s -> { });
    }

    /** As above; {@code setAsideEmitter} hears of every record set aside. */
    public OverflowAlerts(List<String> destinations, java.util.function.ToLongFunction<String> ageMs,
            long clearBelowAgeMs, LongSupplier clockMillis, Emitter emitter, SetAsideEmitter setAsideEmitter) {
        this.setAsideEmitter = setAsideEmitter;
        this.destinations = List.copyOf(destinations);
        this.ageMs = ageMs;
        this.clearBelowAgeMs = clearBelowAgeMs;
        this.clockMillis = clockMillis;
        this.emitter = emitter;
        this.thread = new Thread(this::loop, "limes-outbox-overflow");
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    @Override
    public void evicted(String outbox, long lostRecords) {
        int slash = outbox.indexOf('/');
        int index = destinations.indexOf(slash < 0 ? outbox : outbox.substring(0, slash));
        if (index < 0 || !notices.offer(new long[] {index, lostRecords})) {
            synchronized (this) {
                droppedNotices++;
            }
        }
    }

    @Override
    public void setAside(DeadLetters.SetAside what) {
        if (!notices.offer(what)) {
            synchronized (this) {
                droppedNotices++;
            }
        }
    }

    private void loop() {
        while (running) {
            try {
                Object next = notices.poll(2, TimeUnit.SECONDS);
                if (next instanceof DeadLetters.SetAside s) {
                    setAsideEmitter.emit(s);
                } else if (next instanceof long[] notice) {
                    String d = destinations.get((int) notice[0]);
                    lost.merge(d, notice[1], Long::sum);
                    if (!open.containsKey(d)) {
                        long now = clockMillis.getAsLong();
                        open.put(d, now);
                        LOG.error("destination {} is losing records to its outbox limits; raising outbox-overflow", d);
                        emitter.emit(d, true, lost.get(d), now, now);
                    }
                }
                for (String d : destinations) {
                    if (open.containsKey(d) && notices.isEmpty() && ageMs.applyAsLong(d) < clearBelowAgeMs) {
                        long raisedAt = open.remove(d);
                        long total = lost.remove(d);
                        LOG.warn("destination {} caught up; outbox-overflow cleared ({} records were lost)", d, total);
                        emitter.emit(d, false, total, raisedAt, clockMillis.getAsLong());
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("raising an outbox-overflow alert failed", e);
            }
        }
    }

    public synchronized long droppedNotices() {
        return droppedNotices;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
