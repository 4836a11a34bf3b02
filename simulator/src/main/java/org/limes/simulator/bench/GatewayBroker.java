package org.limes.simulator.bench;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's own embedded broker (HiveMQ CE inside the gateway's JVM, the default a new user
 * gets) as the broker the load of phases (b) and (c) goes to with {@code --broker embedded}: the
 * devices' publishes are taken in by the in-broker ingest, not by a client of a broker apart.
 * Its CPU is the gateway's ({@link #cpuMicros} is -1: not apart); {@link #close} leaves it to
 * the gateway.
 */
public final class GatewayBroker implements BenchBroker {

    private final int port;

    private GatewayBroker(int port) {
        this.port = port;
    }

    /**
     * Waits until the gateway's broker accepts connections on {@code port}.
     *
     * @throws IllegalStateException when the gateway exits or does not listen within {@code timeout}
     */
    public static GatewayBroker await(GatewayProcess gateway, int port, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ChildProcesses.listening(port)) {
            if (!gateway.isAlive()) {
                throw new IllegalStateException("the gateway exited during start-up; see " + gateway.log());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the gateway's embedded broker did not listen on port " + port
                        + " within " + timeout.toSeconds() + " s; see " + gateway.log());
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
        return new GatewayBroker(port);
    }

    @Override
    public String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    @Override
    public String description() {
        return "hivemq-ce in the gateway";
    }

    @Override
    public long cpuMicros() {
        return -1;
    }

    @Override
    public String cpuAccounting() {
        return "inside the gateway's process: counted in gateway_cpu_us_per_msg";
    }

    @Override
    public void close() {
        // The gateway stops its own broker.
    }
}
