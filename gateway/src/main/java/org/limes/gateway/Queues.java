package org.limes.gateway;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.limes.gateway.outbox.DeadLetters;
import org.limes.gateway.outbox.DestinationMetrics;
import org.limes.gateway.outbox.DestinationQueue;
import org.limes.gateway.outbox.Outbox;
import org.limes.gateway.outbox.OutboxCommitter;
import org.limes.gateway.outbox.OutboxConfig;
import org.limes.gateway.outbox.OutboxMetrics;
import org.limes.gateway.outbox.OverflowAlerts;

/**
 * Opens each destination's queue under {@code data_dir/outbox/<destination>}: an alert and a
 * reading outbox, both in the group commit, and the dead letters. Used on the starting thread
 * only, before the committer starts.
 */
final class Queues {

    private final Path data;
    private final OutboxConfig oc;
    private final OutboxCommitter committer;
    private final OverflowAlerts overflow;
    private final MeterRegistry registry;
    private final Clock clock;
    private final Map<String, DestinationQueue> opened;

    /** @param opened where each queue opened is put, by destination */
    Queues(Path data, OutboxConfig oc, OutboxCommitter committer, OverflowAlerts overflow, MeterRegistry registry,
            Clock clock, Map<String, DestinationQueue> opened) {
        this.data = data;
        this.oc = oc;
        this.committer = committer;
        this.overflow = overflow;
        this.registry = registry;
        this.clock = clock;
        this.opened = opened;
    }

    /** One destination's queue, registered with the committer, its meters registered. */
    DestinationQueue open(String destination) throws IOException {
        Path dir = data.resolve("outbox").resolve(destination);
        Outbox alerts = Outbox.open(destination + "/alerts", dir.resolve("alerts"), oc.alertLimits(),
                new OutboxMetrics(registry, destination, "alert"), clock, overflow);
        Outbox readings = Outbox.open(destination + "/readings", dir.resolve("readings"), oc.readingLimits(),
                new OutboxMetrics(registry, destination, "reading"), clock, overflow);
        committer.register(alerts);
        committer.register(readings, oc.maxAgeS() * 1000);
        DeadLetters deadLetters = new DeadLetters(destination, dir.resolve("dead-letters"),
                DeadLetters.DEFAULT_MAX_BYTES, registry, clock, overflow);
        DestinationQueue q = new DestinationQueue(destination, alerts, readings, oc.drainRatePerS(), clock,
                deadLetters);
        opened.put(destination, q);
        new DestinationMetrics(registry, q, clock).register();
        return q;
    }
}
