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

    /**
     * The threads of this JVM that are not the bench's own: HiveMQ's (Netty event loops,
     * persistence executors, extension threads) and the JVM's (GC, JIT, which serve both).
     * The bench's load clients run on Netty event loops ({@code bench-mqtt-…}) fed by
     * {@code bench-pub-…} threads, its alert probe on Paho threads ({@code MQTT Rec/Snd/Call: …},
     * renamed pool threads {@code pool-N-thread-M} while idle) and {@code limes-bench-…}, its
     * driver on {@code main}; those are excluded. Thread CPU is read from
     * {@code /proc/self/task/<tid>/stat}.
     */
    @Override
    public long cpuMicros() {
        return ProcStat.threadCpuMicros(ProcessHandle.current().pid(), name -> !benchThread(name));
    }

    static boolean benchThread(String comm) {
        return comm.startsWith("MQTT ") || comm.startsWith("pool-") || comm.equals("main")
                || comm.startsWith("limes-bench") || comm.startsWith("bench-");
    }

    @Override
    public String cpuAccounting() {
        return "the bench JVM's threads minus its MQTT clients' and driver's (/proc/self/task/*/stat by "
                + "thread name); GC and JIT threads, shared with the clients, count to the broker";
    }

    @Override
    public void close() {
        broker.close();
    }
}
