package org.limes.gateway.cluster;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;

/**
 * The meters of cluster mode's frames producer (component spec in STYLE.md): frames the
 * cluster acknowledged, frames refused (the device was told), errors by type, and the frames
 * waiting for the cluster. Thread-safe.
 */
final class ClusterMetrics {

    private final MeterRegistry registry;
    private final Counter produced;
    private final Counter refused;
    private final ConcurrentMap<String, Counter> errors = new ConcurrentHashMap<>();

    ClusterMetrics(MeterRegistry registry, Supplier<Number> pending) {
        this.registry = registry;
        this.produced = Counter.builder("limes.cluster.frames.produced")
                .description("Frames the Kafka cluster acknowledged (every copy, acks=all)").register(registry);
        this.refused = Counter.builder("limes.dropped").description("Records dropped, by reason")
                .tag("component", "cluster").tag("reason", "cluster_refused").register(registry);
        Gauge.builder("limes.cluster.frames.pending", pending, p -> p.get().doubleValue())
                .description("Frames handed to the producer and not yet acknowledged by the cluster")
                .strongReference(true).register(registry);
    }

    void produced() {
        produced.increment();
    }

    /** A frame the cluster did not take, and the error's type (the exception's simple name). */
    void refused(String errorType) {
        refused.increment();
        errors.computeIfAbsent(errorType, t -> Counter.builder("limes.errors")
                .description("Errors, by component, stage and type").tag("component", "cluster")
                .tag("stage", "sending").tag("error_type", t).register(registry)).increment();
    }
}
