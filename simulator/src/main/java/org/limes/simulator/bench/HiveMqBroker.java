package org.limes.simulator.bench;

import java.nio.file.Path;
import org.limes.gateway.embedded.EmbeddedBroker;

/**
 * The bench's in-process broker: the gateway's own {@link EmbeddedBroker} (HiveMQ Community
 * Edition) on {@code 127.0.0.1}, so the bench measures the broker the gateway ships with — the
 * same {@code config.xml}, queue bounds and in-flight window of up to 10,000 unacknowledged
 * messages per subscriber (HiveMQ's default is 50), not a copy that could drift from it.
 *
 * <p>Threading: {@link #start} and {@link #close} block the caller; HiveMQ runs its own threads.
 */
public final class HiveMqBroker implements BenchBroker {

    private final EmbeddedBroker broker;

    private HiveMqBroker(EmbeddedBroker broker) {
        this.broker = broker;
    }

    /** Starts HiveMQ on {@code 127.0.0.1:port}, keeping its files under {@code dir}. */
    public static HiveMqBroker start(Path dir, int port) {
        return new HiveMqBroker(EmbeddedBroker.start(dir, "127.0.0.1", port));
    }

    @Override
    public String uri() {
        return broker.uri();
    }

    @Override
    public String description() {
        return "hivemq-ce-embedded";
    }

    @Override
    public void close() {
        broker.close();
    }
}
