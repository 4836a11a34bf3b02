package org.limes.simulator.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;
import org.limes.gateway.embedded.QuestDbSchema;
import org.HdrHistogram.Histogram;
import org.limes.simulator.bench.BenchLoad;
import org.limes.simulator.bench.BenchReport;
import org.limes.simulator.bench.GatewayBroker;
import org.limes.simulator.bench.GatewayProcess;
import org.limes.simulator.bench.GatewayThreads;
import org.limes.simulator.bench.ProcStat;
import org.limes.simulator.bench.StoreProcess;
import org.limes.simulator.device.counter.CounterModel;
import org.limes.simulator.transport.mqtt.MqttPublisher;

/**
 * The rehearsal of cluster mode (#16) on one machine: three gateway instances of one crossing
 * on a 3-node Kafka, one shared store, two recording centres, a fleet of counters, in phases
 * over the same fleet at the same paced rate:
 * <ol>
 *   <li><b>warm-up</b> (not measured): every instance runs compiled code afterwards;</li>
 *   <li><b>three</b>: the three instances' CPU per frame, summed; a first wave of surges raises
 *       and clears an alert per alerting device; then Kafka's rules group tells which instance
 *       owns which alerting device ({@link RulesOwners});</li>
 *   <li><b>failover</b>: a second wave of surges; one second before their holds end, the instance
 *       that owned the most alerting devices is killed ({@code SIGKILL}); its devices' connections
 *       drop and they send on to the next gateway of their list; the survivors take its partitions
 *       over (session timeout, the dead transaction aborted) and raise on the carried hold;</li>
 *   <li><b>one</b>: one survivor stops cleanly and the last instance takes every device: its CPU
 *       per frame.</li>
 * </ol>
 * Then the run checks what arrived against what was acknowledged and what the scenario made
 * due: every acknowledged reading stored, no duplicate rows, each device's readings and alert
 * transitions in its order, every expected alert at both centres.
 *
 * <p>Threading: {@link #run} blocks its caller; the pacer of the failover phase runs on a thread
 * of its own, joined before the phase ends.
 */
final class ClusterBenchRun {

    /** Instances of the crossing. */
    static final int INSTANCES = 3;
    /** One device in this many alerts (device 1, 11, 21, …). */
    static final int ALERT_EVERY = 10;
    /** The device that proves an instance's path to the store before the phases. */
    static final String PRIMER = "primer-01";
    static final String[] CENTRES = {"tripoli", "benghazi"};

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(240);

    /**
     * What to run.
     *
     * @param devices     devices in the fleet
     * @param duration    length of the phases three and one (the failover phase is at least as long
     *                    as its wave needs)
     * @param warmup      length of the unmeasured load before them
     * @param rate        readings per second from the whole fleet, every phase
     * @param holdS       the threshold's hold, seconds
     * @param stall       draining fails when the store and the centres stop moving for this long
     */
    record Settings(int devices, Duration duration, Duration warmup, double rate, int holdS, Path workDir,
            Path gatewayJar,
            List<String> gatewayJavaOptions, List<String> kafkaJavaOptions, List<String> storeJavaOptions,
            Duration stall, long seed, Map<String, String> clusterSettings) {
    }

    /** The outcome: the JSON line and whether every check held. */
    record Result(ObjectNode json, boolean ok) {
    }

    private final Settings settings;
    private final PrintStream progress;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** Surge windows [from, to) in epoch ms, shared by every alerting device. */
    private final List<long[]> windows = new CopyOnWriteArrayList<>();

    ClusterBenchRun(Settings settings, PrintStream progress) {
        this.settings = settings;
        this.progress = progress;
    }

    /** One gateway instance and its ports. */
    private record Instance(String name, GatewayProcess process, int mqttPort, int adminPort) {
    }

    Result run() throws IOException, InterruptedException {
        Path work = settings.workDir();
        CounterModel model = new CounterModel(settings.seed(), "cnt", settings.devices());
        List<Instance> instances = new ArrayList<>();
        long t0 = System.nanoTime();
        try (RecordingCentre tripoli = RecordingCentre.start(CENTRES[0]);
                RecordingCentre benghazi = RecordingCentre.start(CENTRES[1]);
                StoreProcess store = StoreProcess.start(work.resolve("store"), settings.storeJavaOptions());
                KafkaNodes kafka = startKafka(work);
                Closer stopGateways = () -> stopAll(instances);
                ClusterFleet fleet = new ClusterFleet(model, INSTANCES, this::surging)) {
            List<RecordingCentre> centres = List.of(tripoli, benghazi);
            StoreCheck check = new StoreCheck(store.url());
            // The alert table as the embedded store makes it: deduplicated on its time and tags.
            new QuestDbSchema(check.client()).ensure("alert", List.of("device", "rule", "severity", "site", "state"));
            Path token = StoreProcess.writeToken(work.resolve("store.token"));
            say("store (QuestDB) pid %d at %s; Kafka %s; centres %s, %s", store.pid(), store.url(),
                    kafka.bootstrap(), tripoli.url(), benghazi.url());

            // The first instance alone until a reading went through it (ingest, rules, store sink): it
            // creates the topics. Instances started together race there (see the README).
            instances.add(startInstance(0, model, store, token, centres, kafka));
            awaitListening(instances.get(0));
            fleet.connect(0, uri(instances.get(0)), "cb");
            prime(instances.get(0), check);
            say("store: vehicle_count deduplicated on its timestamp and tags %s, as the embedded store does",
                    store.deduplicateLikeEmbedded("vehicle_count"));
            for (int i = 1; i < INSTANCES; i++) {
                instances.add(startInstance(i, model, store, token, centres, kafka));
            }
            for (int i = 1; i < INSTANCES; i++) {
                awaitListening(instances.get(i));
                fleet.connect(i, uri(instances.get(i)), "cb");
            }
            boolean balanced = awaitBalanced(instances, INSTANCES);
            long paceMs = settings.duration().toMillis();

            // Warm-up, not measured: the figures are of code the JIT has compiled, in every instance.
            Phase warmup = phase("warmup", fleet, check, instances, kafka, store,
                    () -> fleet.pace(settings.rate(), settings.warmup().toMillis()));

            // Phase three, with the first wave of surges.
            long wave1 = System.currentTimeMillis() + 2_000;
            windows.add(new long[] {wave1, wave1 + (settings.holdS() + 5) * 1000L});
            Phase three = phase("three", fleet, check, instances, kafka, store,
                    () -> fleet.pace(settings.rate(), paceMs));
            int alerting = alertingDevices();
            awaitUntil(() -> raisedCount(tripoli) >= alerting && raisedCount(benghazi) >= alerting,
                    Duration.ofSeconds(60));
            // Which instance runs the rules of which alerting device, from Kafka's rules group.
            List<String> names = instances.stream().map(Instance::name).toList();
            Map<Integer, String> owners = RulesOwners.owners(kafka.bootstrap(), "limes-" + ClusterGatewayConfig.CROSSING
                    + "-rules", "limes." + ClusterGatewayConfig.CROSSING + ".frames", names);
            Map<String, Set<String>> owned = new HashMap<>();
            for (int d = 1; d <= settings.devices(); d += ALERT_EVERY) {
                String device = model.deviceId(d);
                String owner = owners.get(RulesOwners.partition(device, ClusterGatewayConfig.PARTITIONS));
                if (owner != null) {
                    owned.computeIfAbsent(owner, k -> new HashSet<>()).add(device);
                }
            }
            int victim = 0;
            for (int i = 0; i < INSTANCES; i++) {
                if (owned.getOrDefault(instances.get(i).name(), Set.of()).size()
                        > owned.getOrDefault(instances.get(victim).name(), Set.of()).size()) {
                    victim = i;
                }
            }
            Instance killed = instances.get(victim);
            Set<String> killedDevices = owned.getOrDefault(killed.name(), Set.of());
            say("rules owners of the alerting devices: %s; killing %s (%d alerting devices)",
                    summary(owned), killed.name(), killedDevices.size());

            // Phase failover: a second wave; its biggest owner killed one second before the holds end.
            long wave2 = System.currentTimeMillis() + 5_000;
            windows.add(new long[] {wave2, wave2 + (settings.holdS() + 15) * 1000L});
            long killAt = wave2 + (settings.holdS() - 1) * 1000L;
            long length = Math.max(paceMs, (5 + settings.holdS() + 15 + 5) * 1000L);
            long[] killNanos = {0};
            Phase failover = phase("failover", fleet, check, instances, kafka, store, () -> {
                Thread pacer = new Thread(() -> fleet.pace(settings.rate(), length), "cluster-pacer");
                pacer.start();
                try {
                    long wait = killAt - System.currentTimeMillis();
                    if (wait > 0) {
                        TimeUnit.MILLISECONDS.sleep(wait);
                    }
                    killNanos[0] = System.nanoTime();
                    killed.process().kill();
                    say("killed %s (pid %d, SIGKILL) with its devices' second-wave holds running",
                            killed.name(), killed.process().pid());
                    pacer.join();
                } catch (InterruptedException e) {
                    pacer.interrupt();
                    Thread.currentThread().interrupt();
                }
            });
            List<ClusterFleet.DeviceRecord> records = fleet.records();
            List<String> expected = expectedEvents(records);
            awaitUntil(() -> missing(tripoli, expected) == 0 && missing(benghazi, expected) == 0,
                    settings.stall());

            // Phase one: one survivor stops cleanly (it leaves the groups at once); the last takes every device.
            List<Instance> survivors = new ArrayList<>(instances);
            survivors.remove(killed);
            Instance stopped = survivors.remove(survivors.size() - 1);
            long t = System.nanoTime();
            stopped.process().close();
            say("stopped %s cleanly in %.1f s; %s goes on alone", stopped.name(), seconds(t), survivors.get(0).name());
            awaitBalanced(survivors, 1);
            Phase one = phase("one", fleet, check, survivors, kafka, store, () -> fleet.pace(settings.rate(), paceMs));

            records = fleet.records();
            return report(records, expected, centres, check, kafka, warmup, three, failover, one, balanced, killed,
                    killedDevices, killNanos[0], t0, fleet);
        }
    }

    /** The surge test of device {@code index}: the waves' windows for an alerting device, never otherwise. */
    private LongPredicate surging(int index) {
        if ((index - 1) % ALERT_EVERY != 0) {
            return ms -> false;
        }
        return ms -> {
            for (long[] w : windows) {
                if (ms >= w[0] && ms < w[1]) {
                    return true;
                }
            }
            return false;
        };
    }

    private int alertingDevices() {
        return (settings.devices() + ALERT_EVERY - 1) / ALERT_EVERY;
    }

    private static long raisedCount(RecordingCentre c) {
        return c.arrivals().stream().filter(a -> a.state().equals("raised")).count();
    }

    /** The event ids the scenario makes due: per surge of an alerting device, its raise and its clear. */
    static List<String> expectedEvents(List<ClusterFleet.DeviceRecord> records) {
        List<String> ids = new ArrayList<>();
        for (ClusterFleet.DeviceRecord d : records) {
            for (long ms : d.surgeStarts()) {
                String alertId = ClusterGatewayConfig.CROSSING + "/" + ClusterGatewayConfig.RULE + "/" + d.id() + "/" + ms;
                ids.add(alertId + ":raised");
                ids.add(alertId + ":cleared");
            }
        }
        return ids;
    }

    private static long missing(RecordingCentre c, List<String> expected) {
        return expected.stream().filter(id -> !c.has(id)).count();
    }

    private KafkaNodes startKafka(Path work) throws IOException, InterruptedException {
        long t = System.nanoTime();
        KafkaNodes kafka = KafkaNodes.start(work.resolve("kafka"), settings.kafkaJavaOptions(), START_TIMEOUT);
        say("Kafka: 3 KRaft nodes (broker + controller each) up in %.1f s, pids %s", seconds(t), kafka.pids());
        return kafka;
    }

    private Instance startInstance(int i, CounterModel model, StoreProcess store, Path token,
            List<RecordingCentre> centres, KafkaNodes kafka) throws IOException {
        String name = "limes-" + (char) ('a' + i);
        int mqttPort = freePort();
        int adminPort = freePort();
        Path dir = settings.workDir().resolve(name);
        List<String[]> hooks = new ArrayList<>();
        for (RecordingCentre c : centres) {
            hooks.add(new String[] {c.name(), c.url()});
        }
        String yaml = ClusterGatewayConfig.yaml(name, dir.resolve("data"), mqttPort, adminPort, store.url(), token,
                hooks, kafka.bootstrapList(), model, PRIMER, settings.holdS(), settings.clusterSettings());
        GatewayProcess p = GatewayProcess.start(settings.gatewayJar(), dir, yaml, settings.gatewayJavaOptions(),
                adminPort, store.port());
        say("gateway %s pid %d starting (broker port %d, log %s)", name, p.pid(), mqttPort, p.log());
        return new Instance(name, p, mqttPort, adminPort);
    }

    private static String uri(Instance i) {
        return "tcp://127.0.0.1:" + i.mqttPort();
    }

    private void awaitListening(Instance i) throws InterruptedException {
        long t = System.nanoTime();
        GatewayBroker.await(i.process(), i.mqttPort(), START_TIMEOUT);
        say("gateway %s: broker listening after %.1f s more", i.name(), seconds(t));
    }

    /** Publishes the primer's reading through {@code i} until the store has it: ingest, rules and sink work. */
    private void prime(Instance i, StoreCheck check) throws IOException, InterruptedException {
        long t = System.nanoTime();
        CounterModel primer = new CounterModel(1, "primer", 1);
        org.limes.drivers.Driver driver = org.limes.drivers.Drivers.load().create("counter-json",
                org.limes.drivers.DriverOptions.empty());
        try (MqttPublisher device = MqttPublisher.connect(uri(i), "cb-primer", Duration.ofSeconds(10))) {
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            long next = 0;
            while (primerRows(check) < 1) {
                if (!i.process().isAlive()) {
                    throw new IllegalStateException("gateway " + i.name() + " exited; see " + i.process().log());
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("gateway " + i.name() + " stored no reading within "
                            + START_TIMEOUT.toSeconds() + " s; see " + i.process().log());
                }
                if (System.nanoTime() > next) {
                    device.publish(BenchLoad.topic(PRIMER), driver.encode(primer.next(1,
                            Instant.ofEpochMilli(System.currentTimeMillis()), false)), 1);
                    next = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
                }
                TimeUnit.MILLISECONDS.sleep(250);
            }
        }
        say("gateway %s: a reading through Kafka, the rules and the store sink in %.1f s", i.name(), seconds(t));
    }

    private static long primerRows(StoreCheck check) {
        try {
            return check.client().exec("SELECT count() FROM vehicle_count WHERE device = '" + PRIMER + "'")
                    .path("dataset").path(0).path(0).asLong(0);
        } catch (IOException e) {
            return 0; // the table does not exist yet
        }
    }

    /** Waits until each of {@code count} instances runs rules for some partitions and together for all of them. */
    private boolean awaitBalanced(List<Instance> instances, int count) throws InterruptedException {
        long t = System.nanoTime();
        long deadline = t + START_TIMEOUT.toNanos();
        List<Integer> last = List.of();
        while (System.nanoTime() < deadline) {
            List<Integer> parts = new ArrayList<>();
            for (Instance i : instances.subList(0, count)) {
                parts.add((int) metric(i, "limes_cluster_rules_partitions"));
            }
            last = parts;
            if (parts.stream().allMatch(p -> p > 0)
                    && parts.stream().mapToInt(Integer::intValue).sum() == ClusterGatewayConfig.PARTITIONS) {
                say("rules partitions per instance %s after %.1f s", parts, seconds(t));
                return true;
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
        say("rules partitions per instance %s: not balanced within %d s, going on", last, START_TIMEOUT.toSeconds());
        return false;
    }

    /** A gauge of an instance's {@code /metrics} (the sum of its series); -1 when unreadable. */
    private double metric(Instance i, String name) throws InterruptedException {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + i.adminPort()
                    + "/metrics")).timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
            double sum = 0;
            boolean found = false;
            for (String line : r.body().split("\n")) {
                if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                    sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                    found = true;
                }
            }
            return found ? sum : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** One phase's figures. */
    record Phase(String name, long frames, double wallS, long gatewayCpuUs, long kafkaCpuUs, boolean drained,
            Map<String, Long> gatewayThreadsUs) {

        /** The instances' CPU per frame by the role of their threads ({@link GatewayThreads}), summed over them. */
        Map<String, Double> gatewayUsPerFrameByThread() {
            return GatewayThreads.perUnit(gatewayThreadsUs, frames);
        }

        double gatewayUsPerFrame() {
            return frames == 0 || gatewayCpuUs < 0 ? -1 : (double) gatewayCpuUs / frames;
        }

        double kafkaUsPerFrame() {
            return frames == 0 || kafkaCpuUs < 0 ? -1 : (double) kafkaCpuUs / frames;
        }
    }

    /** A phase's load body; may throw only unchecked. */
    private interface Load {
        void run() throws InterruptedException;
    }

    /**
     * Runs {@code load}, waits until the fleet has its answers and the store every acknowledged
     * reading, and takes the CPU time of the instances alive at the start (summed) and of the
     * Kafka nodes over that span.
     */
    private Phase phase(String name, ClusterFleet fleet, StoreCheck check, List<Instance> instances, KafkaNodes kafka,
            StoreProcess store, Load load) throws InterruptedException {
        List<Instance> measured = instances.stream().filter(i -> i.process().isAlive()).toList();
        long acked0 = fleet.acknowledged();
        long[] cpu0 = cpu(measured);
        List<Map<String, Long>> threads0 = threads(measured);
        long kafka0 = sum(kafka.pids());
        long t = System.nanoTime();
        say("phase %s: %d instance(s), %,.0f readings/s for the phase", name, measured.size(), settings.rate());
        load.run();
        boolean drained = drain(fleet, check, store);
        List<Map<String, Long>> threads1 = threads(measured); // before the processes: never ahead of them
        long[] cpu1 = cpu(measured);
        long kafka1 = sum(kafka.pids());
        long frames = fleet.acknowledged() - acked0;
        long gatewayCpu = 0;
        for (int i = 0; i < measured.size(); i++) {
            // A killed instance counts up to its last reading of the phase: its CPU before the kill.
            if (cpu0[i] < 0 || cpu1[i] < 0) {
                gatewayCpu = name.equals("failover") ? gatewayCpu : -1;
                continue;
            }
            gatewayCpu = gatewayCpu < 0 ? -1 : gatewayCpu + cpu1[i] - cpu0[i];
        }
        Map<String, Long> byThread = GatewayThreads.zero();
        for (int i = 0; i < measured.size(); i++) {
            Map<String, Long> spent = GatewayThreads.minus(threads1.get(i), threads0.get(i));
            if (spent != null) {
                spent.forEach((role, us) -> byThread.merge(role, us, Long::sum));
            }
        }
        Phase p = new Phase(name, frames, seconds(t), gatewayCpu, kafka0 < 0 || kafka1 < 0 ? -1 : kafka1 - kafka0,
                drained, byThread);
        say("phase %s: %,d frames acknowledged in %.1f s; gateways %.1f µs/frame, Kafka %.1f µs/frame%s", name,
                frames, p.wallS(), p.gatewayUsPerFrame(), p.kafkaUsPerFrame(), drained ? "" : " (NOT drained)");
        say("phase %s: gateways' µs/frame by thread: %s", name, GatewayThreads.describe(p.gatewayUsPerFrameByThread(), 0));
        return p;
    }

    /** Each instance's CPU by thread role; null for one that cannot be read (killed). */
    private static List<Map<String, Long>> threads(List<Instance> instances) {
        List<Map<String, Long>> out = new ArrayList<>();
        for (Instance i : instances) {
            out.add(GatewayThreads.cpuMicros(i.process().pid(), RULES_THREADS));
        }
        return out;
    }

    /**
     * How the Kafka Streams threads of the rules appear in {@code /proc}: their names start with
     * the client id, {@code limes-<crossing>-<instance>-rules-StreamThread-n}, cut to 15 bytes.
     */
    static final String RULES_THREADS = GatewayThreads.comm("limes-" + ClusterGatewayConfig.CROSSING + "-");

    private static long[] cpu(List<Instance> instances) {
        long[] cpu = new long[instances.size()];
        for (int i = 0; i < cpu.length; i++) {
            cpu[i] = ProcStat.processCpuMicros(instances.get(i).process().pid());
        }
        return cpu;
    }

    private static long sum(List<Long> pids) {
        long sum = 0;
        for (long pid : pids) {
            long us = ProcStat.processCpuMicros(pid);
            if (us < 0) {
                return -1;
            }
            sum += us;
        }
        return sum;
    }

    /** Waits until nothing is unanswered and the store holds as many rows as were acknowledged. */
    private boolean drain(ClusterFleet fleet, StoreCheck check, StoreProcess store) throws InterruptedException {
        long progressAt = System.nanoTime();
        long lastRows = -1;
        long lastPending = -1;
        while (true) {
            long rows = rows(check);
            long pending = fleet.pending();
            if (pending == 0 && rows >= fleet.acknowledged()) {
                return true;
            }
            if (rows != lastRows || pending != lastPending) {
                lastRows = rows;
                lastPending = pending;
                progressAt = System.nanoTime();
            } else if (System.nanoTime() - progressAt > settings.stall().toNanos()) {
                say("draining stalled: %,d readings unanswered, %,d rows of %,d acknowledged", pending, rows,
                        fleet.acknowledged());
                return false;
            }
            if (!store.isAlive()) {
                say("the store exited; see %s", store.log());
                return false;
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
    }

    private static long rows(StoreCheck check) {
        try {
            return check.client().exec("SELECT count() FROM vehicle_count WHERE device != '" + PRIMER + "'")
                    .path("dataset").path(0).path(0).asLong(0);
        } catch (IOException e) {
            return 0;
        }
    }

    private interface Condition {
        boolean holds() throws InterruptedException;
    }

    private static boolean awaitUntil(Condition c, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!c.holds()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            TimeUnit.MILLISECONDS.sleep(250);
        }
        return true;
    }

    private Result report(List<ClusterFleet.DeviceRecord> records, List<String> expected,
            List<RecordingCentre> centres, StoreCheck check, KafkaNodes kafka, Phase warmup, Phase three,
            Phase failover, Phase one, boolean balanced, Instance killed, Set<String> killedDevices, long killNanos, long t0,
            ClusterFleet fleet) throws IOException, InterruptedException {
        // Readings: every acknowledged (device, time) against the store's rows.
        Map<String, Set<Long>> storedUs = new HashMap<>();
        long readingRows = 0;
        for (String[] row : check.rows("SELECT device, cast(timestamp AS LONG) FROM vehicle_count")) {
            if (row.length < 2 || row[0].equals(PRIMER)) {
                continue;
            }
            readingRows++;
            storedUs.computeIfAbsent(row[0], k -> new HashSet<>()).add(Long.parseLong(row[1]));
        }
        long stored = storedUs.values().stream().mapToLong(Set::size).sum();
        long acknowledged = 0;
        long lost = 0;
        for (ClusterFleet.DeviceRecord d : records) {
            Set<Long> have = storedUs.getOrDefault(d.id(), Set.of());
            for (long ms : d.acknowledged()) {
                acknowledged++;
                if (!have.contains(ms * 1000)) {
                    lost++;
                }
            }
        }
        long readingDuplicates = readingRows - stored;

        // Alerts in the store: one row per transition.
        long alertRows = 0;
        Set<String> alertKeys = new HashSet<>();
        for (String[] row : check.rows("SELECT alert_id, state FROM alert")) {
            if (row.length < 2) {
                continue;
            }
            alertRows++;
            alertKeys.add(row[0] + ":" + row[1]);
        }
        long alertDuplicates = alertRows - alertKeys.size();
        long alertsStored = expected.stream().filter(alertKeys::contains).count();

        ReadingsOrder.Result order = ReadingsOrder.read(kafka.bootstrap(),
                "limes." + ClusterGatewayConfig.CROSSING + ".readings", Duration.ofSeconds(60));

        ObjectNode json = JSON.createObjectNode();
        json.put("sent", fleet.made());
        json.put("acknowledged", acknowledged);
        json.put("stored", stored);
        json.put("lost", lost);
        json.put("duplicate_rows", readingDuplicates + alertDuplicates);

        // Failover: kill → the first second-wave alert of the killed instance's devices at a centre.
        Set<String> wave2 = new HashSet<>();
        for (ClusterFleet.DeviceRecord d : records) {
            if (killedDevices.contains(d.id()) && d.surgeStarts().size() >= 2) {
                wave2.add(ClusterGatewayConfig.CROSSING + "/" + ClusterGatewayConfig.RULE + "/" + d.id() + "/"
                        + d.surgeStarts().get(1) + ":raised");
            }
        }
        long first = Long.MAX_VALUE;
        Map<String, Long> lastPerEvent = new HashMap<>();
        for (RecordingCentre c : centres) {
            for (RecordingCentre.Arrival a : c.arrivals()) {
                if (wave2.contains(a.eventId())) {
                    first = Math.min(first, a.atNanos());
                    lastPerEvent.merge(a.eventId(), a.atNanos(), Math::max);
                }
            }
        }
        double failoverS = first == Long.MAX_VALUE || killNanos == 0 ? -1 : (first - killNanos) / 1e9;
        double failoverLastS = lastPerEvent.size() < wave2.size() || wave2.isEmpty() || killNanos == 0 ? -1
                : (lastPerEvent.values().stream().mapToLong(Long::longValue).max().getAsLong() - killNanos) / 1e9;
        json.put("failover_s", round(failoverS, 2));
        // Before the kill: the steady state's latency, the frame's receipt → the centre.
        Histogram latency = new Histogram(3_600_000_000L, 3);
        for (RecordingCentre c : centres) {
            for (RecordingCentre.Arrival a : c.arrivals()) {
                if (a.latencyMs() >= 0 && (killNanos == 0 || a.atNanos() < killNanos)) {
                    latency.recordValue(Math.min(a.latencyMs() * 1000, latency.getHighestTrackableValue()));
                }
            }
        }
        BenchReport.latency(json.putObject("alert_latency_ms"), latency, 0);
        json.put("alerts_expected", expected.size());
        ObjectNode delivered = json.putObject("alerts_delivered");
        boolean allDelivered = true;
        long centreViolations = 0;
        ObjectNode centreDetail = JSON.createObjectNode();
        for (RecordingCentre c : centres) {
            long got = expected.size() - missing(c, expected);
            delivered.put(c.name(), got);
            allDelivered &= got == expected.size();
            long v = c.orderViolations();
            centreViolations += v;
            Set<String> exp = new HashSet<>(expected);
            ObjectNode cd = centreDetail.putObject(c.name());
            cd.put("posts", c.posts());
            cd.put("distinct", c.arrivals().size());
            cd.put("unexpected", c.arrivals().stream().filter(a -> !exp.contains(a.eventId())).count());
            cd.put("order_violations", v);
            cd.put("unreadable", c.unreadable());
        }
        long orderViolations = centreViolations + order.violations();
        json.put("order_violations", orderViolations);
        ObjectNode cpu = json.putObject("cpu_us_per_frame");
        cpu.put("1", round(one.gatewayUsPerFrame(), 1));
        cpu.put("3", round(three.gatewayUsPerFrame(), 1));
        json.put("cpu_ratio_3_to_1", one.gatewayUsPerFrame() > 0 && three.gatewayUsPerFrame() > 0
                ? round(three.gatewayUsPerFrame() / one.gatewayUsPerFrame(), 2) : -1);

        // The detail behind the figures.
        json.put("devices", settings.devices());
        json.put("rate", settings.rate());
        json.put("hold_s", settings.holdS());
        settings.clusterSettings().forEach(json.putObject("cluster_settings")::put);
        json.put("killed", killed.name());
        json.put("killed_alerting_devices", killedDevices.size());
        json.put("failover_last_s", round(failoverLastS, 2));
        json.put("balanced", balanced);
        ObjectNode duplicates = json.putObject("duplicates");
        duplicates.put("reading_rows", readingRows);
        duplicates.put("reading_duplicate_rows", readingDuplicates);
        duplicates.put("alert_rows", alertRows);
        duplicates.put("alert_duplicate_rows", alertDuplicates);
        duplicates.put("alerts_stored", alertsStored);
        duplicates.put("readings_topic_copies", order.copies());
        ObjectNode orderDetail = json.putObject("order");
        orderDetail.put("store_feed_records", order.records());
        orderDetail.put("store_feed_violations", order.violations());
        orderDetail.put("store_feed_read_completely", order.complete());
        orderDetail.set("centres", centreDetail);
        ObjectNode devices = json.putObject("fleet");
        devices.put("attempts", fleet.attempts());
        devices.put("refused", fleet.refused());
        devices.put("failed_sends", fleet.failedSends());
        devices.put("moved", fleet.moved());
        devices.put("resent_after_timeout", fleet.resentAfterTimeout());
        devices.put("skipped_queue_full", fleet.skipped());
        devices.put("unanswered", fleet.pending());
        ObjectNode phases = json.putObject("phases");
        for (Phase p : List.of(warmup, three, failover, one)) {
            ObjectNode n = phases.putObject(p.name());
            n.put("frames", p.frames());
            n.put("wall_s", round(p.wallS(), 1));
            n.put("frames_per_s", round(p.wallS() > 0 ? p.frames() / p.wallS() : 0, 1));
            n.put("gateway_cpu_s", round(p.gatewayCpuUs() / 1e6, 2));
            n.put("gateway_cpu_us_per_frame", round(p.gatewayUsPerFrame(), 1));
            n.put("kafka_cpu_us_per_frame", round(p.kafkaUsPerFrame(), 1));
            ObjectNode byThread = n.putObject("gateway_cpu_us_per_frame_by_thread");
            p.gatewayUsPerFrameByThread().forEach((role, us) -> byThread.put(role, round(us, 1)));
            n.put("drained", p.drained());
        }
        json.put("wall_s", round(seconds(t0), 1));
        boolean ok = lost == 0 && readingDuplicates + alertDuplicates == 0 && orderViolations == 0 && allDelivered
                && !expected.isEmpty() && order.complete();
        json.put("ok", ok);
        say("sent %,d, acknowledged %,d, stored %,d, lost %,d, duplicate rows %d, order violations %d, alerts %d "
                + "expected, delivered %s; failover %.2f s", fleet.made(), acknowledged, stored, lost,
                readingDuplicates + alertDuplicates, orderViolations, expected.size(), delivered, failoverS);
        return new Result(json, ok);
    }

    private static double round(double v, int decimals) {
        double f = Math.pow(10, decimals);
        return Math.round(v * f) / f;
    }

    private static String summary(Map<String, Set<String>> owned) {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        owned.forEach((k, v) -> counts.put(k, v.size()));
        return counts.toString();
    }

    /** What try-with-resources closes, throwing only an interruption. */
    private interface Closer extends AutoCloseable {
        @Override
        void close() throws InterruptedException;
    }

    /** Stops every instance still running, all at once (each SIGTERM, then kill). */
    private static void stopAll(List<Instance> instances) throws InterruptedException {
        List<Thread> stops = new ArrayList<>();
        for (Instance i : instances) {
            Thread t = new Thread(() -> i.process().close(), "stop-" + i.name());
            t.start();
            stops.add(t);
        }
        for (Thread t : stops) {
            t.join();
        }
    }

    private static double seconds(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1e9;
    }

    private void say(String format, Object... args) {
        progress.println(String.format(Locale.ROOT, format, args));
    }

    static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }
}
