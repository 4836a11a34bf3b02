package org.limes.gateway.source;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The meters of one source (component spec in STYLE.md): frames and bytes received, errors
 * by type, drops by reason, and for connection-oriented sources the open connections and
 * the times reading was paused for backpressure. Thread-safe.
 */
public final class SourceMetrics {

    private final MeterRegistry registry;
    private final String source;
    private final Counter frames;
    private final Counter bytes;
    private final Counter acknowledged;
    private final ConcurrentMap<String, Counter> errors = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Counter> dropped = new ConcurrentHashMap<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final Counter paused;

    public SourceMetrics(MeterRegistry registry, String source) {
        this.registry = registry;
        this.source = source;
        this.frames = Counter.builder("limes.frames.received").description("Frames received, by source")
                .tag("source", source).register(registry);
        this.bytes = Counter.builder("limes.bytes.received").description("Payload bytes received, by source")
                .tag("source", source).register(registry);
        this.acknowledged = Counter.builder("limes.frames.acknowledged")
                .description("Frames acknowledged upstream once durable, by source")
                .tag("source", source).register(registry);
        Gauge.builder("limes.source.connections", connections, AtomicInteger::get)
                .description("Open connections, by source").tag("source", source)
                .strongReference(true).register(registry);
        this.paused = Counter.builder("limes.source.paused")
                .description("Times a source stopped reading a connection because the pipeline was full")
                .tag("source", source).register(registry);
    }

    public void acknowledged() {
        acknowledged.increment();
    }

    /** {@code n} frames acknowledged at once (an HTTP answer covers every frame of its body). */
    public void acknowledged(int n) {
        acknowledged.increment(n);
    }

    /** A connection was accepted; returns how many are open now. */
    public int connectionOpened() {
        return connections.incrementAndGet();
    }

    public void connectionClosed() {
        connections.decrementAndGet();
    }

    public int connections() {
        return connections.get();
    }

    /** A connection stopped reading until the pipeline has room again. */
    public void paused() {
        paused.increment();
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
        dropped(reason, 1);
    }

    public void dropped(String reason, long n) {
        dropped.computeIfAbsent(reason, r -> Counter.builder("limes.dropped")
                .description("Records dropped, by reason")
                .tags("component", "source-" + source, "reason", r).register(registry)).increment(n);
    }

    public MeterRegistry registry() {
        return registry;
    }
}
