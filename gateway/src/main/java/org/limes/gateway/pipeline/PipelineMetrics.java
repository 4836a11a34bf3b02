package org.limes.gateway.pipeline;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.limes.gateway.rules.Alert;

/** The meters of the decode stage and the hot path (component spec in STYLE.md). */
public final class PipelineMetrics {

    private final MeterRegistry registry;
    private final ConcurrentMap<String, Counter> decoded = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Counter> errors = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Counter> dropped = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Counter> alerts = new ConcurrentHashMap<>();
    private final Counter processed;
    private volatile DriverCounter lastDecoded;

    public PipelineMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.processed = Counter.builder("limes.readings.processed")
                .description("Readings that passed the pipeline into the outboxes")
                .register(registry);
    }

    void decoded(String driver, int n) {
        // The last driver's counter, without a map lookup: a source's frames mostly go to one driver.
        DriverCounter last = lastDecoded;
        if (last == null || !last.driver().equals(driver)) {
            last = new DriverCounter(driver, decoded.computeIfAbsent(driver, d -> Counter.builder(
                    "limes.readings.decoded").description("Readings decoded, by driver").tag("driver", d)
                    .register(registry)));
            lastDecoded = last;
        }
        last.counter().increment(n);
    }

    private record DriverCounter(String driver, Counter counter) {
    }

    void decodeError(String driver, String errorType) {
        errors.computeIfAbsent(driver + '\0' + errorType, k -> Counter.builder("limes.errors")
                .description("Errors, by component, stage and type")
                .tags("component", "driver-" + driver, "stage", "processing", "error_type", errorType)
                .register(registry)).increment();
    }

    void dropped(String reason) {
        dropped.computeIfAbsent(reason, r -> Counter.builder("limes.dropped")
                .description("Records dropped, by reason")
                .tags("component", "pipeline", "reason", r).register(registry)).increment();
    }

    void processed() {
        processed.increment();
    }

    void alert(Alert a) {
        alerts.computeIfAbsent(a.rule() + '\0' + a.severity() + '\0' + a.state().label(),
                k -> Counter.builder("limes.alerts").description("Alert transitions, by rule, severity and state")
                        .tags("rule", a.rule(), "severity", a.severity(), "state", a.state().label())
                        .register(registry)).increment();
    }

    void queueGauge(int shard, BlockingQueue<?> queue) {
        Gauge.builder("limes.pipeline.queue", queue, BlockingQueue::size)
                .description("Frames waiting for a pipeline shard")
                .tag("shard", Integer.toString(shard)).strongReference(true).register(registry);
    }

    MeterRegistry registry() {
        return registry;
    }
}
