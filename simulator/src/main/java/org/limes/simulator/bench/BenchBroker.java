package org.limes.simulator.bench;

/**
 * The MQTT broker a benchmark runs against, started by the bench and stopped by
 * {@link #close}: {@link HiveMqBroker} in-process or {@link MosquittoBroker} as a child process.
 *
 * <p>Implementations start in their factory method and block until the broker accepts
 * connections; {@link #close} blocks until it has stopped. They must leave nothing running or
 * listening after {@link #close}.
 */
public interface BenchBroker extends AutoCloseable {

    /** The broker's address for MQTT clients, e.g. {@code tcp://127.0.0.1:41883}. */
    String uri();

    /** What the broker is, for the report, e.g. {@code mosquitto 2.0.11}. */
    String description();

    /**
     * CPU time the broker has spent so far (user + system), in µs, for differences over a
     * phase; -1 when it cannot be measured (no {@code /proc}).
     */
    long cpuMicros();

    /** How {@link #cpuMicros} is accounted, for the report. */
    String cpuAccounting();

    @Override
    void close();
}
