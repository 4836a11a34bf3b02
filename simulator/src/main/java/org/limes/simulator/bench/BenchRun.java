package org.limes.simulator.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.limes.simulator.transport.mqtt.MqttPublisher;

/**
 * One benchmark, in one invocation and on the same payloads:
 * <ol type="a">
 *   <li>the broker's own limit: the load is published to the broker and a plain subscriber
 *       counts deliveries;</li>
 *   <li>the same load through the gateway (a child JVM) into its store, counting rows;</li>
 *   <li>alert latency, device publish to centre receipt, measured while (b) runs;</li>
 * </ol>
 * then the gateway's heap after a full GC, with the whole fleet in its inventory and state.
 *
 * <p>Threading: {@link #run} blocks its caller; the alert probe runs on a thread of its own.
 */
public final class BenchRun {

    /**
     * What to run.
     *
     * @param broker       {@code embedded} (HiveMQ CE in this process) or {@code mosquitto}
     * @param mosquitto    the Mosquitto executable
     * @param messages     load messages per phase
     * @param devices      fleet size
     * @param qos          QoS of the load messages
     * @param gatewayJar   the gateway's runnable jar
     * @param javaOptions  extra JVM options for the gateway
     * @param stall        a phase fails when nothing moves for this long
     * @param probeGap     pause between alert probes
     * @param workDir      where broker, gateway config, data and logs go
     * @param seed         seed of the counter model
     */
    public record Settings(String broker, Path mosquitto, int messages, int devices, int qos, Path gatewayJar,
            List<String> javaOptions, Duration stall, Duration probeGap, Path workDir, long seed) {
    }

    private final Settings settings;
    private final PrintStream progress;

    public BenchRun(Settings settings, PrintStream progress) {
        this.settings = settings;
        this.progress = progress;
    }

    public BenchReport run() throws IOException, InterruptedException {
        Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS)
                .minusSeconds(settings.messages() / settings.devices() + 1);
        say("encoding %,d messages from %,d devices", settings.messages(), settings.devices());
        BenchLoad load = new BenchLoad(settings.messages(), settings.devices(), settings.seed(), start);
        try (BenchBroker broker = startBroker()) {
            say("broker %s at %s", broker.description(), broker.uri());
            long[] a = brokerLimit(broker, load);
            double brokerRate = a[2] / 1e9 > 0 ? a[1] / (a[2] / 1e9) : 0;
            say("(a) broker limit: %,d of %,d delivered, %,.0f msgs/s", a[1], a[0], brokerRate);
            return throughGateway(broker, load, a, brokerRate);
        }
    }

    private BenchBroker startBroker() throws IOException, InterruptedException {
        int port = freePort();
        return switch (settings.broker()) {
            case "embedded" -> HiveMqBroker.start(settings.workDir().resolve("hivemq"), port);
            case "mosquitto" -> MosquittoBroker.start(settings.mosquitto(), settings.workDir().resolve("mosquitto"),
                    port);
            default -> throw new IllegalArgumentException("broker must be embedded or mosquitto, got "
                    + settings.broker());
        };
    }

    /** Phase (a): returns {acknowledged, delivered, nanos from first publish to last delivery}. */
    private long[] brokerLimit(BenchBroker broker, BenchLoad load) throws IOException, InterruptedException {
        try (DeliveryCounter counter = DeliveryCounter.subscribe(broker.uri(), BenchLoad.TOPIC_FILTER, settings.qos());
                MqttPublisher publisher = MqttPublisher.connect(broker.uri(), "limes-bench-load-a",
                        Duration.ofSeconds(10))) {
            long t0 = System.nanoTime();
            publishAll(publisher, load);
            counter.await(load.size(), settings.stall().toMillis());
            publisher.awaitAllAcknowledged(settings.stall());
            long delivered = counter.received();
            long elapsed = delivered == 0 ? 0 : counter.lastArrivalNanos() - t0;
            return new long[] {publisher.acknowledged(), delivered, elapsed};
        }
    }

    private BenchReport throughGateway(BenchBroker broker, BenchLoad load, long[] a, double brokerRate)
            throws IOException, InterruptedException {
        int adminPort = freePort();
        int storePort = freePort();
        Path dir = settings.workDir().resolve("gateway");
        try (GatewayProcess gateway = GatewayProcess.start(settings.gatewayJar(), dir, broker.uri(), load.model(),
                settings.javaOptions(), adminPort, storePort);
                AlertProbe probe = AlertProbe.connect(broker.uri())) {
            say("gateway pid %d starting (log %s)", gateway.pid(), gateway.log());
            awaitGatewayReady(gateway, probe);
            say("gateway ready: store at http://127.0.0.1:%d, admin at http://127.0.0.1:%d", storePort, adminPort);

            Thread prober = new Thread(() -> {
                try {
                    probe.run(settings.probeGap().toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "limes-bench-alert-probe");
            long sent;
            long stored;
            long elapsed;
            boolean complete;
            try (MqttPublisher publisher = MqttPublisher.connect(broker.uri(), "limes-bench-load-b",
                    Duration.ofSeconds(10))) {
                prober.start();
                long t0 = System.nanoTime();
                publishAll(publisher, load);
                publisher.awaitAllAcknowledged(settings.stall());
                sent = publisher.acknowledged();
                long[] done = awaitStored(gateway, sent);
                stored = done[0];
                elapsed = done[1] - t0;
                complete = stored == sent;
            } finally {
                probe.stop();
                prober.join(TimeUnit.SECONDS.toMillis(60));
            }
            double rate = elapsed > 0 ? stored / (elapsed / 1e9) : 0;
            say("(b) through the gateway: %,d of %,d stored, %,.0f msgs/s (%.0f %% of the broker's limit)",
                    stored, sent, rate, brokerRate > 0 ? 100 * rate / brokerRate : 0);
            say("(c) alert latency: %d transitions, p50 %.1f ms, p99 %.1f ms, %d timed out",
                    probe.latencyMicros().getTotalCount(), probe.latencyMicros().getValueAtPercentile(50) / 1000.0,
                    probe.latencyMicros().getValueAtPercentile(99) / 1000.0, probe.timeouts());
            long heap = -1;
            try {
                say("gateway metrics saved in %s", gateway.saveMetrics());
                heap = gateway.heapBytesAfterGc();
                say("gateway heap after GC: %.1f MB", heap / 1048576.0);
            } catch (IOException e) {
                say("gateway heap not measured: %s", e.getMessage());
            }
            return new BenchReport(broker.description(), settings.qos(), settings.devices(), load.meanPayloadBytes(),
                    a[0], a[1], brokerRate, sent, stored, rate, probe.latencyMicros(), probe.timeouts(), heap,
                    complete && a[1] == a[0]);
        }
    }

    /** Publishes the probe's priming reading until the store has it: source, pipeline and sink are up. */
    private void awaitGatewayReady(GatewayProcess gateway, AlertProbe probe) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        long nextPrime = 0;
        while (gateway.storedProbeReadings() < 1) {
            if (!gateway.isAlive()) {
                throw new IllegalStateException("the gateway exited during start-up; see " + gateway.log());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the gateway did not store a reading within 120 s; see "
                        + gateway.log());
            }
            if (System.nanoTime() > nextPrime) {
                probe.prime();
                nextPrime = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
    }

    /** Polls the store until it holds {@code expected} rows or stalls; returns {rows, when}. */
    private long[] awaitStored(GatewayProcess gateway, long expected) throws InterruptedException {
        long rows = Math.max(0, gateway.storedReadings());
        long progressAt = System.nanoTime();
        while (rows < expected) {
            if (!gateway.isAlive()) {
                say("the gateway exited; see %s", gateway.log());
                break;
            }
            if (System.nanoTime() - progressAt > settings.stall().toNanos()) {
                say("the store stalled at %,d of %,d rows", rows, expected);
                break;
            }
            // Each poll is a SQL query the gateway's store must answer: often enough for a 1 %
            // error on a run of a few seconds, rarely enough not to load the gateway.
            TimeUnit.MILLISECONDS.sleep(200);
            long now = gateway.storedReadings();
            if (now > rows) {
                rows = now;
                progressAt = System.nanoTime();
            }
        }
        return new long[] {rows, System.nanoTime()};
    }

    private void publishAll(MqttPublisher publisher, BenchLoad load) {
        int qos = settings.qos();
        for (int i = 0; i < load.size(); i++) {
            publisher.publish(load.topic(i), load.payload(i), qos);
        }
    }

    private void say(String format, Object... args) {
        progress.println(String.format(Locale.ROOT, format, args));
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }
}
