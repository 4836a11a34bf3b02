package org.limes.gateway.outbox;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;

/**
 * Health by progress of one destination: what it still has to receive and how old the
 * oldest of it is, and what its {@link DeadLetters} set aside (the per-log meters are in
 * {@link OutboxMetrics}).
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

    /** Records set aside although the destination's dead-letter file was at its bound. */
    static Counter deadLetterFull(MeterRegistry registry, String destination) {
        return Counter.builder("limes.dropped").description("Records dropped, by reason").baseUnit("records")
                .tags("component", "outbox-" + destination, "reason", "dead_letter_full").register(registry);
    }

    /** Records no retry can deliver, set aside for {@code reason}. */
    static Counter deadLettered(MeterRegistry registry, String destination, String reason) {
        return Counter.builder("limes.outbox.dead_lettered")
                .description("Records no retry can deliver, set aside in the destination's dead-letter file")
                .tags("destination", destination, "reason", reason).register(registry);
    }
}
