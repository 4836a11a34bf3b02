package org.limes.gateway.outbox;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/** The meters of one destination's outbox (component spec in STYLE.md). */
public final class OutboxMetrics {

    private final MeterRegistry registry;
    private final String destination;
    private final String log;
    private final Counter appendedReadings;
    private final Counter appendedAlerts;
    private final Counter acknowledged;
    private final Counter evicted;
    private final Counter corrupt;
    private final Counter repositioned;
    private final Timer sync;

    public OutboxMetrics(MeterRegistry registry, String destination) {
        this(registry, destination, "all");
    }

    /**
     * @param log which of the destination's logs: {@code alert} or {@code reading}
     */
    public OutboxMetrics(MeterRegistry registry, String destination, String log) {
        this.registry = registry;
        this.destination = destination;
        this.log = log;
        this.appendedReadings = Counter.builder("limes.outbox.appended").description("Records appended to the outbox")
                .tags("destination", destination, "log", log, "type", "reading").register(registry);
        this.appendedAlerts = Counter.builder("limes.outbox.appended").description("Records appended to the outbox")
                .tags("destination", destination, "log", log, "type", "alert").register(registry);
        this.acknowledged = Counter.builder("limes.outbox.acknowledged")
                .description("Records the destination acknowledged")
                .tags("destination", destination, "log", log).register(registry);
        this.evicted = Counter.builder("limes.dropped").description("Records dropped, by reason")
                .tags("component", "outbox-" + destination, "reason", log + "_evicted")
                .register(registry);
        this.corrupt = Counter.builder("limes.errors").description("Errors, by component, stage and type")
                .tags("component", "outbox-" + destination + "-" + log, "stage", "sending", "error_type",
                        "corrupt_record")
                .register(registry);
        this.repositioned = Counter.builder("limes.errors").description("Errors, by component, stage and type")
                .tags("component", "outbox-" + destination + "-" + log, "stage", "sending", "error_type",
                        "reader_repositioned")
                .register(registry);
        this.sync = Timer.builder("limes.outbox.sync").description("Group commit: write and fsync of one outbox")
                .tags("destination", destination, "log", log).register(registry);
    }

    /** Group commits that failed to sync (disk full, I/O errors), over all outboxes. */
    static Counter syncFailures(MeterRegistry registry) {
        return Counter.builder("limes.errors").description("Errors, by component, stage and type")
                .tags("component", "outbox", "stage", "processing", "error_type", "sync_failed").register(registry);
    }

    void bind(Outbox outbox) {
        Gauge.builder("limes.outbox.depth", outbox, Outbox::depth).description("Records not yet acknowledged")
                .tags("destination", destination, "log", log).strongReference(true).register(registry);
        Gauge.builder("limes.outbox.bytes", outbox, Outbox::bytes).description("Bytes on disk and buffered")
                .baseUnit("bytes").tags("destination", destination, "log", log)
                .strongReference(true).register(registry);
    }

    void appended(byte type) {
        (type == OutboxRecord.ALERT ? appendedAlerts : appendedReadings).increment();
    }

    void acknowledged(long n) {
        acknowledged.increment(n);
    }

    void evicted(long n) {
        evicted.increment(n);
    }

    void corrupt(long n) {
        corrupt.increment(n);
    }

    void repositioned() {
        repositioned.increment();
    }

    void synced(long nanos) {
        sync.record(nanos, TimeUnit.NANOSECONDS);
    }

    void backpressure(String reason) {
        registry.counter("limes.outbox.backpressure", "destination", destination, "log", log, "reason", reason)
                .increment();
    }
}
