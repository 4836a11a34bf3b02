package org.limes.gateway.cluster;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;
import org.limes.gateway.rules.Alert;

/**
 * The meters of cluster mode after the frames topic (component spec in STYLE.md): the partitions
 * whose rules run here ({@code limes.cluster.rules.partitions}) and how long after its assignment a
 * partition's first record came ({@code limes.cluster.rules.first_record}), the rules'
 * outputs ({@code limes.cluster.readings.out}, {@code limes.alerts{rule,severity,state}} as in
 * single mode), errors by stage and type ({@code limes.errors{component=cluster}}), and per
 * destination the records its consumer group committed ({@code limes.cluster.sink.committed})
 * and the records handed to the destination and not yet acknowledged
 * ({@code limes.cluster.sink.in_flight}). Thread-safe.
 */
final class ClusterFlowMetrics {

    private final MeterRegistry registry;
    private final Counter readingsOut;
    private final Timer firstRecord;
    private final ConcurrentMap<String, Counter> counters = new ConcurrentHashMap<>();

    ClusterFlowMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.readingsOut = Counter.builder("limes.cluster.readings.out")
                .description("Readings the cluster rules passed to the readings topic for the store").register(registry);
        this.firstRecord = Timer.builder("limes.cluster.rules.first_record")
                .description("From a frames partition's assignment here to its first record (a takeover's backlog "
                        + "wait: the session timeout, the dead owner's transaction, the restore)")
                .register(registry);
    }

    /** A frames partition's first record came {@code ms} after its assignment here. */
    void firstRecord(long ms) {
        firstRecord.record(Duration.ofMillis(Math.max(0, ms)));
    }

    /** Registers {@code limes.cluster.rules.partitions}: the frames partitions whose rules run here now. */
    void partitionsGauge(Supplier<Number> owned) {
        Gauge.builder("limes.cluster.rules.partitions", owned, f -> f.get().doubleValue())
                .description("Partitions of the frames topic (devices' rule state) this instance owns now")
                .strongReference(true).register(registry);
    }

    /**
     * Registers the passage owners' meters: {@code limes.cluster.passages.partitions} (passages
     * partitions, lanes, whose watchlist passages are kept here now) and
     * {@code limes.cluster.passages.reads} (reads of listed plates they judged).
     */
    void passagesGauge(Supplier<Number> owned) {
        Gauge.builder("limes.cluster.passages.partitions", owned, f -> f.get().doubleValue())
                .description("Partitions of the passages topic (lanes' watchlist passages) this instance owns now")
                .strongReference(true).register(registry);
        passageReadsCounter();
    }

    void passageRead() {
        passageReadsCounter().increment();
    }

    private Counter passageReadsCounter() {
        return counters.computeIfAbsent("passages.reads", k -> Counter.builder("limes.cluster.passages.reads")
                .description("Reads of listed plates the lanes' passage owners here judged").register(registry));
    }

    void readingOut() {
        readingsOut.increment();
    }

    void alert(Alert a) {
        counters.computeIfAbsent("alert\u0000" + a.rule() + '\u0000' + a.severity() + '\u0000' + a.state().label(),
                k -> Counter.builder("limes.alerts").description("Alert transitions, by rule, severity and state")
                        .tags("rule", a.rule(), "severity", String.valueOf(a.severity()), "state", a.state().label())
                        .register(registry)).increment();
    }

    /** A reading the rules did not take, by the reason single mode's admission counts it under. */
    void dropped(String reason) {
        counters.computeIfAbsent("dropped\u0000" + reason, k -> Counter.builder("limes.dropped")
                .description("Records dropped, by reason").tag("component", "cluster").tag("reason", reason)
                .register(registry)).increment();
    }

    void error(String stage, String type) {
        counters.computeIfAbsent("error\u0000" + stage + '\u0000' + type, k -> Counter.builder("limes.errors")
                .description("Errors, by component, stage and type").tag("component", "cluster").tag("stage", stage)
                .tag("error_type", type).register(registry)).increment();
    }

    void committed(String destination, int records) {
        committedCounter(destination).increment(records);
    }

    private Counter committedCounter(String destination) {
        return counters.computeIfAbsent("committed\u0000" + destination, k -> Counter.builder(
                "limes.cluster.sink.committed").description("Records whose offsets a destination's consumer group "
                        + "committed after the destination acknowledged them").tag("destination", destination)
                .register(registry));
    }

    /** Registers a destination's meters: its in-flight gauge, and its committed counter (at 0). */
    void destination(String destination, Supplier<Number> inFlight) {
        committedCounter(destination);
        Gauge.builder("limes.cluster.sink.in_flight", inFlight, f -> f.get().doubleValue())
                .description("Records consumed for a destination and not yet acknowledged by it")
                .tag("destination", destination).strongReference(true).register(registry);
    }
}
