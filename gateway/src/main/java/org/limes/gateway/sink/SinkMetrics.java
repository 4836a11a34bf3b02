package org.limes.gateway.sink;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** The meters of one sink (component spec in STYLE.md). */
public final class SinkMetrics {

    private final MeterRegistry registry;
    private final String destination;
    private final Timer writeOk;
    private final Timer writeFailed;
    private final Counter delivered;
    private final ConcurrentMap<String, Counter> errors = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Counter> dropped = new ConcurrentHashMap<>();
    private final AtomicLong lastAckEpochMs = new AtomicLong();

    public SinkMetrics(MeterRegistry registry, String destination) {
        this.registry = registry;
        this.destination = destination;
        this.writeOk = Timer.builder("limes.sink.write").description("One write of a batch to the destination")
                .tags("destination", destination, "outcome", "success").register(registry);
        this.writeFailed = Timer.builder("limes.sink.write").description("One write of a batch to the destination")
                .tags("destination", destination, "outcome", "failure").register(registry);
        this.delivered = Counter.builder("limes.sink.delivered")
                .description("Records the destination acknowledged")
                .tag("destination", destination).register(registry);
        Gauge.builder("limes.sink.last.ack", lastAckEpochMs, a -> a.get() / 1000.0)
                .description("When the destination last acknowledged a write (epoch)").baseUnit("seconds")
                .tag("destination", destination).strongReference(true).register(registry);
    }

    public void written(long nanos, int records, long nowEpochMs) {
        writeOk.record(nanos, TimeUnit.NANOSECONDS);
        delivered.increment(records);
        lastAckEpochMs.set(nowEpochMs);
    }

    public void failed(long nanos, String errorType) {
        writeFailed.record(nanos, TimeUnit.NANOSECONDS);
        errors.computeIfAbsent(errorType, t -> Counter.builder("limes.errors")
                .description("Errors, by component, stage and type")
                .tags("component", "sink-" + destination, "stage", "sending", "error_type", t)
                .register(registry)).increment();
    }

    public void dropped(String reason, long n) {
        dropped.computeIfAbsent(reason, r -> Counter.builder("limes.dropped")
                .description("Records dropped, by reason")
                .tags("component", "sink-" + destination, "reason", r).register(registry)).increment(n);
    }

    public double deliveredCount() {
        return delivered.count();
    }
}
