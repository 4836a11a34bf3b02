package org.limes.simulator.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.limes.gateway.JvmOptions;
import org.limes.simulator.transport.mqtt.LoadClients;
import org.limes.simulator.transport.mqtt.LoadPublisher;
import org.limes.simulator.transport.mqtt.LoadSubscriber;
import org.limes.simulator.transport.mqtt.PublishPacket;

/**
 * One benchmark, in one invocation and on the same payloads:
 * <ol type="a">
 *   <li>the broker's own limit: the load is published on several pipelined connections (lean
 *       Netty clients, {@link LoadPublisher}: pre-encoded packets, many per write, a window of up
 *       to the broker's Receive Maximum) and counting subscribers ({@link LoadSubscriber}, one
 *       shared subscription, PUBACKs in batches) count deliveries, so the broker, not a client,
 *       is what limits the rate; the broker's CPU share proves it;</li>
 *   <li>after a warm-up ({@code --warmup} messages through the gateway, stored, not measured: the
 *       figures are of code the JIT has compiled, as in a gateway that has run for a while), the
 *       same load through the gateway (a child JVM) into its store, counting rows, with alert
 *       latency (device publish → centre receipt) measured meanwhile: the flood;</li>
 *   <li>a paced load at {@code --rate} or 80 % of the gateway's rate in (b), with alert latency
 *       measured again: what a device sees when the gateway keeps up;</li>
 * </ol>
 * Every phase records the CPU time the gateway and the broker spent in it ({@link ProcStat}),
 * and with {@code --store external} the store's: QuestDB then runs in a JVM of its own
 * ({@link StoreProcess}) and the gateway writes to it as to InfluxDB, so the gateway's figure
 * holds no store work. At the end, the gateway's resident set (peak and current) and its heap
 * after a full GC.
 *
 * <p>Threading: {@link #run} blocks its caller; the alert probe and the publishers run on
 * threads of their own, joined before each phase ends; the load clients' sockets are served by
 * the event loops of one {@link LoadClients}.
 */
public final class BenchRun {

    /** How long a load client waits for its CONNACK and SUBACK. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Share of the flood's gateway rate the paced phase runs at when no {@code --rate} is given. */
    static final double PACED_SHARE = 0.8;
    /** The subscribers' shared-subscription group in phase (a). */
    static final String SHARE_GROUP = "$share/limes-bench/";

    /**
     * What to run.
     *
     * @param broker       {@code embedded} (phase (a) against HiveMQ CE in this process, (b) and (c)
     *                     through the gateway's own embedded broker and its in-broker ingest) or
     *                     {@code mosquitto} (every phase against one Mosquitto, the gateway its client)
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
     * @param rate         msgs/s of the paced phase; 0 for 80 % of the flood's gateway rate
     * @param pacedFor     how long the paced phase publishes; zero skips it
     * @param publishers   publisher connections (each on its own thread)
     * @param subscribers  subscriber connections in phase (a)
     * @param store        {@code embedded} (QuestDB inside the gateway) or {@code external} (QuestDB in
     *                     a JVM of its own, written to as InfluxDB)
     * @param storeJavaOptions extra JVM options for the external store
     * @param warmup       messages per warm-up round, sent through the gateway and stored before the
     *                     flood, not measured; 0 skips the warm-up
     * @param warmupRounds most warm-up rounds
     * @param warmupJitShare the warm-up ends after a round in which the JIT's threads spent at most
     *                     this share of the gateway's CPU
     * @param window       most messages in flight per publisher connection (the broker's Receive
     *                     Maximum lowers it)
     * @param clientThreads event-loop threads of the load clients
     */
    public record Settings(String broker, Path mosquitto, int messages, int devices, int qos, Path gatewayJar,
            List<String> javaOptions, Duration stall, Duration probeGap, Path workDir, long seed, double rate,
            Duration pacedFor, int publishers, int subscribers, String store, List<String> storeJavaOptions,
            int warmup, int warmupRounds, double warmupJitShare, int window, int clientThreads) {

        boolean externalStore() {
            return "external".equals(store);
        }
    }

    /** The table the bench's readings go to: the measurement of {@code counter-json}. */
    static final String READINGS_TABLE = "vehicle_count";

    private final Settings settings;
    private final PrintWriter progress;
    private LoadClients clients;

    public BenchRun(Settings settings, PrintWriter progress) {
        this.settings = settings;
        this.progress = progress;
    }

    public BenchReport run() throws IOException, InterruptedException {
        Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS)
                .minusSeconds(settings.messages() / settings.devices() + 1);
        say("encoding %,d messages from %,d devices", settings.messages(), settings.devices());
        BenchLoad load = new BenchLoad(settings.messages(), settings.devices(), settings.seed(), start);
        try (BenchBroker broker = startBroker(); LoadClients clients = new LoadClients(settings.clientThreads())) {
            this.clients = clients;
            say("broker %s at %s", broker.description(), broker.uri());
            Limit a = brokerLimit(broker, load);
            say("(a) broker limit: %,d of %,d delivered, %,.0f msgs/s, broker at %.0f %% of a core, %.1f µs/msg",
                    a.delivered, a.acknowledged, a.phase.msgsPerSecond(), 100 * a.phase.brokerCpuShare(),
                    a.phase.brokerMicrosPerMessage());
            return throughGateway(broker, load, a, start);
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

    private record Limit(long acknowledged, long delivered, BenchPhase phase) {
    }

    /** Phase (a): several publishers, several counting subscribers, the broker's CPU over it. */
    private Limit brokerLimit(BenchBroker broker, BenchLoad load) throws IOException, InterruptedException {
        List<LoadSubscriber> counters = new ArrayList<>();
        List<LoadPublisher> publishers = new ArrayList<>();
        try {
            int n = settings.subscribers();
            String filter = n == 1 ? BenchLoad.TOPIC_FILTER : SHARE_GROUP + BenchLoad.TOPIC_FILTER;
            for (int i = 0; i < n; i++) {
                counters.add(LoadSubscriber.subscribe(clients, broker.uri(), "limes-bench-counter-" + i, filter,
                        settings.qos(), CONNECT_TIMEOUT));
            }
            publishers.addAll(connectPublishers(broker, "limes-bench-load-a-"));
            say("(a) %d publishers (in-flight window %d each), %d counting subscribers, %s", publishers.size(),
                    publishers.get(0).window(), counters.size(), clients.transport());
            PublishPacket[] packets = load.packets(settings.qos()); // encoded before the clock starts
            // The clients' own warm-up, not measured: the limit is of compiled client code, not of the
            // JIT compiling it (in a phase of a few seconds that would cost the clients as much CPU as
            // the broker spends).
            int warm = Math.min(settings.warmup(), packets.length);
            if (warm > 0) {
                publishAll(publishers, Arrays.copyOf(packets, warm), 0);
                awaitDelivered(counters, warm, "(a) client warm-up");
            }
            long deliveredBefore = delivered(counters);
            long acknowledgedBefore = acknowledged(publishers);
            long cpu0 = broker.cpuMicros();
            long self0 = ProcStat.processCpuMicros(ProcessHandle.current().pid());
            long t0 = System.nanoTime();
            publishAll(publishers, packets, 0);
            awaitDelivered(counters, deliveredBefore + load.size(), "(a)");
            long last = 0;
            for (LoadSubscriber c : counters) {
                last = Math.max(last, c.lastArrivalNanos());
            }
            long cpu1 = broker.cpuMicros();
            long self1 = ProcStat.processCpuMicros(ProcessHandle.current().pid());
            for (LoadPublisher p : publishers) {
                p.awaitAllAcknowledged(settings.stall());
            }
            long acknowledged = acknowledged(publishers) - acknowledgedBefore;
            long delivered = delivered(counters) - deliveredBefore;
            long elapsed = delivered == 0 ? 0 : last - t0;
            if (self0 >= 0 && self1 >= 0 && elapsed > 0) {
                // What the clients cost beside the broker: a broker-bound phase has the broker near a
                // core and the clients well below it.
                say("(a) this JVM (the load clients%s) at %.0f %% of a core",
                        broker instanceof HiveMqBroker ? " and the embedded broker" : "",
                        100.0 * (self1 - self0) / (elapsed / 1000.0));
            }
            return new Limit(acknowledged, delivered,
                    new BenchPhase(delivered, elapsed, -1, cpu0 < 0 || cpu1 < 0 ? -1 : cpu1 - cpu0, -1, null,
                            GcCounters.NONE));
        } finally {
            closeAll(publishers);
            for (LoadSubscriber c : counters) {
                c.close();
            }
        }
    }

    /** Waits until the counters together saw {@code expected} messages, or nothing came for the stall timeout. */
    private void awaitDelivered(List<LoadSubscriber> counters, long expected, String what) throws InterruptedException {
        long deadline = System.nanoTime() + settings.stall().toNanos();
        // Each counter sees its share only; the sum is what matters, stalls are judged on it.
        long seen = -1;
        while (delivered(counters) < expected) {
            long now = delivered(counters);
            if (now != seen) {
                seen = now;
                deadline = System.nanoTime() + settings.stall().toNanos();
            } else if (System.nanoTime() > deadline) {
                say("%s deliveries stalled at %,d of %,d", what, now, expected);
                break;
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    private static long delivered(List<LoadSubscriber> counters) {
        long sum = 0;
        for (LoadSubscriber c : counters) {
            sum += c.received();
        }
        return sum;
    }

    /**
     * Phases (b) and (c). With {@code --broker embedded} the gateway runs its own broker and the
     * load goes there (in-broker ingest); the bench's broker served phase (a) only.
     */
    private BenchReport throughGateway(BenchBroker benchBroker, BenchLoad load, Limit a, Instant floodStart)
            throws IOException, InterruptedException {
        boolean own = "embedded".equals(settings.broker());
        int mqttPort = own ? freePort() : -1;
        int adminPort = freePort();
        Path dir = settings.workDir().resolve("gateway");
        // A null resource is skipped by try-with-resources: only --store external has one.
        try (StoreProcess store = settings.externalStore()
                        ? StoreProcess.start(settings.workDir().resolve("store"), settings.storeJavaOptions()) : null;
                GatewayProcess gateway = GatewayProcess.start(settings.gatewayJar(), dir,
                        own ? null : benchBroker.uri(), mqttPort, load.model(),
                        settings.javaOptions(), adminPort, store == null ? null : store.url(),
                        store == null ? freePort() : store.port());
                BenchBroker broker = own ? GatewayBroker.await(gateway, mqttPort, Duration.ofSeconds(120)) : benchBroker;
                AlertProbe probe = AlertProbe.connect(broker.uri())) {
            if (store != null) {
                say("external store (QuestDB) pid %d at %s (log %s)", store.pid(), store.url(), store.log());
            }
            say("gateway pid %d starting (log %s), JVM options %s shipped + %s", gateway.pid(), gateway.log(),
                    JvmOptions.of(settings.gatewayJar()), settings.javaOptions());
            awaitGatewayReady(gateway, store, probe);
            if (store != null) {
                say("external store: %s deduplicated on its timestamp and tags %s, as the embedded store does",
                        READINGS_TABLE, store.deduplicateLikeEmbedded(READINGS_TABLE));
            }
            say("gateway ready: store at %s, admin at http://127.0.0.1:%d", gateway.storeUrl(), adminPort);

            List<LoadPublisher> publishers = connectPublishers(broker, "limes-bench-load-b-");
            try {
                Warmup warmup = warmUp(gateway, store, publishers, floodStart);
                long warmStored = warmup.stored();

                // (b) the flood
                Measured flood = measure(gateway, store, broker, probe, publishers, load, 0, warmStored);
                say("(b) through the gateway: %,d of %,d stored, %,.0f msgs/s (%.0f %% of the broker's limit); "
                        + "gateway %.1f µs/msg (%.2f cores, %.1f %% of it in GC), broker %.1f µs/msg",
                        flood.stored, flood.sent, flood.phase.msgsPerSecond(),
                        a.phase.msgsPerSecond() > 0 ? 100 * flood.phase.msgsPerSecond() / a.phase.msgsPerSecond() : 0,
                        flood.phase.gatewayMicrosPerMessage(), flood.phase.gatewayCpuShare(),
                        100 * flood.phase.gatewayGcShare(), flood.phase.brokerMicrosPerMessage());
                say("(b) gateway µs/msg by thread: %s", byThread(flood.phase));
                say("(b) gateway heap: %s", heap(flood.phase));
                gateway.saveMemory("flood");
                if (store != null) {
                    say("(b) external store %.1f µs/msg (%.2f cores)", flood.phase.storeMicrosPerMessage(),
                            flood.phase.storeCpuShare());
                }
                sayLatency("(b) alert latency in the flood", flood.latency, flood.timeouts, probe.slowest());

                // (c) paced
                BenchReport.Paced paced = null;
                double rate = settings.rate() > 0 ? settings.rate() : PACED_SHARE * flood.phase.msgsPerSecond();
                boolean pacedComplete = true;
                String pacedSkipped = null;
                if (rate >= 1 && !settings.pacedFor().isZero() && flood.complete) {
                    int count = (int) Math.max(1, Math.min(Integer.MAX_VALUE,
                            Math.round(rate * settings.pacedFor().toMillis() / 1000.0)));
                    // Device times after the flood's: every (device, time) stays unique in the store,
                    // and rows reach it in time order (see BenchLoad).
                    Instant pacedStart = floodStart.plusSeconds(settings.messages() / settings.devices() + 1);
                    BenchLoad pacedLoad = new BenchLoad(count, settings.devices(), settings.seed() + 1, pacedStart);
                    say("(c) paced: %,d messages at %,.0f msgs/s", count, rate);
                    probe.reset();
                    Measured m = measure(gateway, store, broker, probe, publishers, pacedLoad, rate,
                            warmStored + flood.stored);
                    paced = new BenchReport.Paced(rate, m.sentRate, m.sent, m.stored, m.phase, m.latency, m.timeouts);
                    pacedComplete = m.complete;
                    say("(c) paced: %,d of %,d stored at %,.0f msgs/s sent; gateway %.1f µs/msg (%.2f cores)",
                            m.stored, m.sent, m.sentRate, m.phase.gatewayMicrosPerMessage(),
                            m.phase.gatewayCpuShare());
                    say("(c) paced: gateway heap: %s", heap(m.phase));
                    if (store != null) {
                        say("(c) paced: external store %.1f µs/msg (%.2f cores)", m.phase.storeMicrosPerMessage(),
                                m.phase.storeCpuShare());
                    }
                    sayLatency("(c) alert latency, paced", m.latency, m.timeouts, probe.slowest());
                } else {
                    pacedSkipped = !flood.complete ? "the flood did not complete, so the gateway has no rate to pace at"
                            : settings.pacedFor().isZero() ? "--paced-duration 0s" : "rate below 1 msg/s";
                    say("(c) paced phase skipped: %s", pacedSkipped);
                }

                long rssPeak = ProcStat.peakRssBytes(gateway.pid());
                long rssEnd = ProcStat.rssBytes(gateway.pid());
                say("gateway RSS: peak %.1f MB, now %.1f MB (%s)", rssPeak / 1048576.0, rssEnd / 1048576.0,
                        gateway.saveMemory("end"));
                long storeRssPeak = store == null ? -1 : ProcStat.peakRssBytes(store.pid());
                if (store != null) {
                    say("external store RSS: peak %.1f MB", storeRssPeak / 1048576.0);
                }
                long heap = -1;
                try {
                    say("gateway metrics saved in %s", gateway.saveMetrics());
                    heap = gateway.heapBytesAfterGc();
                    say("gateway heap after GC: %.1f MB", heap / 1048576.0);
                } catch (IOException e) {
                    say("gateway heap not measured: %s", e.getMessage());
                }
                return new BenchReport(benchBroker.description(), benchBroker.cpuAccounting(), own ? "in_broker" : "client",
                        settings.store(), settings.qos(),
                        settings.devices(), load.meanPayloadBytes(), settings.publishers(), settings.subscribers(),
                        warmStored, warmup.rounds(), warmup.jitShare(), a.acknowledged, a.delivered, a.phase, flood.sent, flood.stored, flood.phase, flood.latency,
                        flood.timeouts, paced, pacedSkipped, heap, rssPeak, rssEnd, storeRssPeak,
                        flood.complete && pacedComplete && a.delivered == a.acknowledged);
            } finally {
                closeAll(publishers);
            }
        }
    }

    private record Measured(long sent, long stored, double sentRate, BenchPhase phase, Histogram latency,
            long timeouts, boolean complete) {
    }

    /**
     * Publishes {@code load} (paced at {@code rate} msgs/s, or as fast as the broker takes it
     * when 0) with the alert probe running, waits until the store holds it all, and takes the
     * gateway's, broker's and external store's CPU over that span.
     *
     * @param store        the external store, or null when it is embedded in the gateway
     * @param storedBefore rows already in the store from earlier phases
     */
    private Measured measure(GatewayProcess gateway, StoreProcess store, BenchBroker broker, AlertProbe probe,
            List<LoadPublisher> publishers, BenchLoad load, double rate, long storedBefore)
            throws InterruptedException {
        Thread prober = new Thread(() -> {
            try {
                probe.run(settings.probeGap().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "limes-bench-alert-probe");
        PublishPacket[] packets = load.packets(settings.qos()); // encoded before the clock starts
        long acknowledgedBefore = acknowledged(publishers);
        GcCounters gc0 = gateway.gcCounters();
        long gatewayCpu0 = ProcStat.processCpuMicros(gateway.pid());
        Map<String, Long> gatewayThreads0 = GatewayThreads.cpuMicros(gateway.pid());
        long brokerCpu0 = broker.cpuMicros();
        long storeCpu0 = store == null ? -1 : store.cpuMicros();
        long t0 = System.nanoTime();
        long sent;
        long stored;
        long sentNanos;
        long[] done;
        try {
            prober.start();
            publishAll(publishers, packets, rate);
            sentNanos = System.nanoTime() - t0;
            for (LoadPublisher p : publishers) {
                p.awaitAllAcknowledged(settings.stall());
            }
            sent = acknowledged(publishers) - acknowledgedBefore;
            done = awaitStored(gateway, store, storedBefore + sent);
        } finally {
            probe.stop();
            prober.join(TimeUnit.SECONDS.toMillis(60));
        }
        // The threads after the process at the start, before it at the end: so the roles' sum
        // cannot run ahead of the process's own figure between the two reads.
        Map<String, Long> gatewayThreads1 = GatewayThreads.cpuMicros(gateway.pid());
        long gatewayCpu1 = ProcStat.processCpuMicros(gateway.pid());
        long brokerCpu1 = broker.cpuMicros();
        long storeCpu1 = store == null ? -1 : store.cpuMicros();
        GcCounters gc1 = gateway.gcCounters();
        stored = done[0] - storedBefore;
        long elapsed = done[1] - t0;
        BenchPhase phase = new BenchPhase(stored, elapsed, difference(gatewayCpu0, gatewayCpu1),
                difference(brokerCpu0, brokerCpu1), difference(storeCpu0, storeCpu1),
                GatewayThreads.minus(gatewayThreads1, gatewayThreads0), gc1.since(gc0));
        return new Measured(sent, stored, sentNanos > 0 ? load.size() / (sentNanos / 1e9) : 0, phase,
                probe.latencyMicros(), probe.timeouts(), stored == sent);
    }

    /** What the warm-up did: rows stored, rounds run, the JIT's share of the gateway's CPU in the last round. */
    record Warmup(long stored, int rounds, double jitShare) {
    }

    /**
     * Warm-up: rounds of {@code --warmup} messages through the gateway, stored, not measured,
     * until the JIT compiler's threads spent at most {@code --warmup-jit-share} of the
     * gateway's CPU in a round, or {@code --warmup-rounds} rounds ran: the flood then measures
     * code the JIT has compiled, as in a gateway that has been running for a while. Device
     * times lie before the flood's, round after round, so every (device, time) stays unique
     * and in time order.
     */
    private Warmup warmUp(GatewayProcess gateway, StoreProcess store, List<LoadPublisher> publishers,
            Instant floodStart) throws InterruptedException {
        if (settings.warmup() <= 0) {
            return new Warmup(0, 0, -1);
        }
        long roundSeconds = settings.warmup() / settings.devices() + 1;
        long stored = 0;
        double jitShare = -1;
        int round = 0;
        while (round < settings.warmupRounds()) {
            Instant start = floodStart.minusSeconds((settings.warmupRounds() - round) * roundSeconds);
            BenchLoad warm = new BenchLoad(settings.warmup(), settings.devices(), settings.seed() + 2 + round, start);
            Map<String, Long> threads0 = GatewayThreads.cpuMicros(gateway.pid());
            long before = acknowledged(publishers);
            publishAll(publishers, warm.packets(settings.qos()), 0);
            for (LoadPublisher p : publishers) {
                p.awaitAllAcknowledged(settings.stall());
            }
            stored = awaitStored(gateway, store, stored + acknowledged(publishers) - before)[0];
            round++;
            jitShare = GatewayThreads.share(GatewayThreads.minus(GatewayThreads.cpuMicros(gateway.pid()), threads0),
                    "jit");
            say("warm-up round %d: %,d stored in all, the JIT at %.0f %% of the gateway's CPU in the round (%s)",
                    round, stored, 100 * jitShare,
                    jitShare <= settings.warmupJitShare() ? "settled" : "still compiling");
            if (jitShare <= settings.warmupJitShare()) {
                break;
            }
        }
        return new Warmup(stored, round, jitShare);
    }

    /** The roles that spent anything, as {@code role µs, …}, for the progress output. */
    static String byThread(BenchPhase phase) {
        Map<String, Double> perMessage = phase.gatewayMicrosPerMessageByThread();
        if (perMessage == null) {
            return "not measured";
        }
        return GatewayThreads.describe(perMessage, 1);
    }

    /** A phase's allocation, promotion and collection pauses ({@link GcCounters}), for the progress output. */
    static String heap(BenchPhase phase) {
        GcCounters gc = phase.gatewayGc();
        if (!gc.measured()) {
            return "not measured";
        }
        return String.format(Locale.ROOT, "%,.0f B allocated and %,.0f B promoted per message; %d collections, "
                + "%.3f s paused", phase.gatewayAllocatedBytesPerMessage(), phase.gatewayPromotedBytesPerMessage(),
                gc.pauses(), gc.pauseSeconds());
    }

    private static long difference(long before, long after) {
        return before < 0 || after < 0 ? -1 : after - before;
    }

    private static long acknowledged(List<LoadPublisher> publishers) {
        long sum = 0;
        for (LoadPublisher p : publishers) {
            sum += p.acknowledged();
        }
        return sum;
    }

    private List<LoadPublisher> connectPublishers(BenchBroker broker, String clientIdPrefix) throws IOException {
        List<LoadPublisher> publishers = new ArrayList<>();
        try {
            for (int i = 0; i < settings.publishers(); i++) {
                publishers.add(LoadPublisher.connect(clients, broker.uri(), clientIdPrefix + i, settings.window(),
                        LoadPublisher.DEFAULT_BATCH_BYTES, CONNECT_TIMEOUT));
            }
        } catch (IOException e) {
            closeAll(publishers);
            throw e;
        }
        return publishers;
    }

    private static void closeAll(List<LoadPublisher> publishers) {
        for (LoadPublisher p : publishers) {
            p.close();
        }
    }

    /** Prints a latency histogram's summary on the progress stream. */
    private void sayLatency(String what, Histogram h, long timeouts, String slowest) {
        say("%s: %d transitions, p50 %.1f ms, p99 %.1f ms, max %.1f ms, %d timed out%s", what, h.getTotalCount(),
                h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0,
                timeouts, slowest);
    }

    /** Publishes the probe's priming reading until the store has it: source, pipeline and sink are up. */
    private void awaitGatewayReady(GatewayProcess gateway, StoreProcess store, AlertProbe probe)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        long nextPrime = 0;
        while (gateway.storedProbeReadings() < 1) {
            if (!gateway.isAlive()) {
                throw new IllegalStateException("the gateway exited during start-up; see " + gateway.log());
            }
            if (store != null && !store.isAlive()) {
                throw new IllegalStateException("the external store exited during start-up; see " + store.log());
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
    private long[] awaitStored(GatewayProcess gateway, StoreProcess store, long expected) throws InterruptedException {
        long rows = Math.max(0, gateway.storedReadings());
        long progressAt = System.nanoTime();
        long reachedAt = System.nanoTime();
        while (rows < expected) {
            if (!gateway.isAlive()) {
                say("the gateway exited; see %s", gateway.log());
                break;
            }
            if (store != null && !store.isAlive()) {
                say("the external store exited; see %s", store.log());
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
            reachedAt = System.nanoTime();
        }
        return new long[] {rows, reachedAt};
    }

    /**
     * Publishes the load's pre-encoded packets, message {@code i} on publisher {@code i mod n}, each
     * publisher on a thread of its own that copies packets into its batch (the writes happen on
     * the event loops). At {@code rate} > 0 every publisher holds its share of the rate on its own
     * schedule and writes its batch before it waits, so a paced message leaves when it is due; at
     * 0 each publishes as fast as its in-flight window lets it, many packets per write.
     */
    private void publishAll(List<LoadPublisher> publishers, PublishPacket[] packets, double rate)
            throws InterruptedException {
        int n = publishers.size();
        int devices = settings.devices();
        List<Thread> threads = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            LoadPublisher publisher = publishers.get(k);
            int own = k;
            Thread t = new Thread(() -> {
                long t0 = System.nanoTime();
                double gapNanos = rate > 0 ? 1e9 * n / rate : 0;
                long j = 0;
                try {
                    // A device always publishes on the same connection (message i is device i mod
                    // devices), as a device in the field does: its messages stay in order.
                    for (int i = 0; i < packets.length; i++) {
                        if (i % devices % n != own) {
                            continue;
                        }
                        if (gapNanos > 0) {
                            long due = t0 + (long) (j * gapNanos);
                            long wait = due - System.nanoTime();
                            if (wait > 0) {
                                publisher.flush();
                                while ((wait = due - System.nanoTime()) > 0) {
                                    LockSupport.parkNanos(wait);
                                }
                            }
                        }
                        publisher.publish(packets[i]);
                        j++;
                    }
                    publisher.flush();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "bench-pub-" + k);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
    }

    private void say(String format, Object... args) {
        progress.println(String.format(Locale.ROOT, format, args));
        progress.flush();
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }
}
