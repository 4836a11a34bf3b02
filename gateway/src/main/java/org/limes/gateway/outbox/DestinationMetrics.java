package org.limes.gateway.outbox;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;

/**
 * Health by progress of one destination: what it still has to receive and how old the
 * oldest of it is (the per-log meters are in {@link OutboxMetrics}).
 */
public final class DestinationMetrics {

    private final MeterRegistry registry;
    private final DestinationQueue queue;
    private final Clock clock;

    public DestinationMetrics(MeterRegistry registry, DestinationQueue queue, Clock clock) {
        this.registry = registry;
        this.queue = queue;
        this.clock = clock;
    }

    public void register() {
        Gauge.builder("limes.destination.depth", queue, DestinationQueue::depth)
                .description("Records not yet acknowledged by the destination")
                .tag("destination", queue.destination()).strongReference(true).register(registry);
        Gauge.builder("limes.destination.oldest.unacked", queue, q -> q.oldestUnackedAgeMs(clock.millis()) / 1000.0)
                .description("Age of the oldest record the destination has not acknowledged").baseUnit("seconds")
                .tag("destination", queue.destination()).strongReference(true).register(registry);
    }
}
