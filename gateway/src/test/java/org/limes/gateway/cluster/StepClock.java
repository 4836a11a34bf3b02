package org.limes.gateway.cluster;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A gateway clock a test moves in steps, which also tells when the gateway's rule threads have
 * looked at it since the last step: a rule thread reads the clock when it ticks, so a thread
 * that read it a few times since the step has ticked at the new time, and whatever it
 * processes next comes after that tick — in single mode (a shard thread reads it every 50 ms)
 * as in cluster mode (the Streams thread reads it only in its rules' once-a-second ticks and
 * while processing). What a gateway emits then depends on the steps and the data alone, not on
 * when a thread happened to run. Thread-safe.
 */
final class StepClock extends Clock {

    private final Predicate<String> ruleThread;
    private final Map<String, AtomicInteger> readsSinceStep = new ConcurrentHashMap<>();
    private volatile Instant now;

    /** @param ruleThread which threads' reads count (by thread name) */
    StepClock(Instant start, Predicate<String> ruleThread) {
        this.now = start;
        this.ruleThread = ruleThread;
    }

    /** Moves the clock to {@code t} and starts counting the rule threads' reads afresh. */
    void set(Instant t) {
        now = t;
        readsSinceStep.values().forEach(c -> c.set(0));
    }

    /** The rule threads that ever read this clock. */
    int ruleThreads() {
        return readsSinceStep.size();
    }

    /** True when every rule thread read the clock at least {@code reads} times since the last step. */
    boolean everyRuleThreadRead(int reads) {
        return !readsSinceStep.isEmpty() && readsSinceStep.values().stream().allMatch(c -> c.get() >= reads);
    }

    @Override
    public Instant instant() {
        String thread = Thread.currentThread().getName();
        if (ruleThread.test(thread)) {
            readsSinceStep.computeIfAbsent(thread, t -> new AtomicInteger()).incrementAndGet();
        }
        return now;
    }

    @Override
    public long millis() {
        return instant().toEpochMilli();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
