package org.limes.gateway.source;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** The meters of one source (component spec in STYLE.md). */
public final class SourceMetrics {

    private final MeterRegistry registry;
    private final String source;
    private final Counter frames;
    private final Counter bytes;
    private final Counter acknowledged;
    private final ConcurrentMap<String, Counter> errors = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Counter> dropped = new ConcurrentHashMap<>();

    public SourceMetrics(MeterRegistry registry, String source) {
        this.registry = registry;
        this.source = source;
        this.frames = Counter.builder("limes.frames.received").description("Frames received, by source")
                .baseUnit("frames").tag("source", source).register(registry);
        this.bytes = Counter.builder("limes.bytes.received").description("Payload bytes received, by source")
                .baseUnit("bytes").tag("source", source).register(registry);
        this.acknowledged = Counter.builder("limes.frames.acknowledged")
                .description("Frames acknowledged upstream once durable, by source").baseUnit("frames")
                .tag("source", source).register(registry);
    }

    public void acknowledged() {
        acknowledged.increment();
    }

    public void received(int payloadBytes) {
        frames.increment();
        bytes.increment(payloadBytes);
    }

    public void error(String errorType) {
        errors.computeIfAbsent(errorType, t -> Counter.builder("limes.errors")
                .description("Errors, by component, stage and type")
                .tags("component", "source-" + source, "stage", "receiving", "error_type", t)
                .register(registry)).increment();
    }

    public void dropped(String reason) {
        dropped.computeIfAbsent(reason, r -> Counter.builder("limes.dropped")
                .description("Records dropped, by reason").baseUnit("records")
                .tags("component", "source-" + source, "reason", r).register(registry)).increment();
    }

    public MeterRegistry registry() {
        return registry;
    }
}
