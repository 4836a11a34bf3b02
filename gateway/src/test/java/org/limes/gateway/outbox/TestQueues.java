package org.limes.gateway.outbox;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Path;

/** A destination's two real outboxes (alerts, readings) for tests, registered with a committer. */
public final class TestQueues {

    private TestQueues() {
    }

    /** Opens {@code <dir>/<name>/alerts} and {@code /readings}, registers both with {@code committer}. */
    public static DestinationQueue open(Path dir, String name, OutboxCommitter committer, MeterRegistry registry)
            throws IOException {
        Outbox alerts = Outbox.open(name + "/alerts", dir.resolve(name).resolve("alerts"), OutboxLimits.defaults(),
                new OutboxMetrics(registry, name, "alert"));
        Outbox readings = Outbox.open(name + "/readings", dir.resolve(name).resolve("readings"),
                OutboxLimits.defaults(), new OutboxMetrics(registry, name, "reading"));
        committer.register(alerts);
        committer.register(readings);
        return new DestinationQueue(name, alerts, readings, 0);
    }
}
