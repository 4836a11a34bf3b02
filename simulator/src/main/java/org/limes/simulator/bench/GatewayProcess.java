package org.limes.simulator.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.limes.gateway.JvmOptions;
import org.limes.simulator.device.counter.CounterModel;

/**
 * The gateway under test, as a child JVM ({@code java <the jar's jvm.options> -jar limes-gateway.jar run
 * --config …}, the JVM options its jar ships with, see {@link JvmOptions})
 * with a generated configuration: the bench broker as its external broker or, with
 * {@code --broker embedded}, its own embedded broker (HiveMQ CE, the default a new user gets,
 * with the in-broker ingest) on a port the devices publish to, its embedded
 * QuestDB store or ({@code --store external}) the bench's {@link StoreProcess} as an InfluxDB
 * 2.x server ({@code store.kind: influxdb}), every bench device and the probe device in its inventory, a threshold and a
 * deadman rule, and one MQTT centre on the bench broker. Counts rows through QuestDB's HTTP
 * {@code /exec} API and reads its heap from {@code /metrics} after a {@code jcmd GC.run}.
 *
 * <p>Threading: one caller at a time; {@link #close} stops the child (SIGTERM, then kill). The
 * child is registered with {@link ChildProcesses} until then.
 */
public final class GatewayProcess implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);

    private final Process process;
    private final int adminPort;
    private final int storePort;
    private final Path log;
    private final boolean nativeMemoryTracking;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(HTTP_TIMEOUT).build();

    private GatewayProcess(Process process, int adminPort, int storePort, Path log, boolean nativeMemoryTracking) {
        this.process = process;
        this.adminPort = adminPort;
        this.storePort = storePort;
        this.log = log;
        this.nativeMemoryTracking = nativeMemoryTracking;
    }

    /**
     * Writes the configuration into {@code dir} and starts the gateway; returns at once.
     *
     * @param javaOptions extra JVM options for the child, e.g. {@code -XX:StartFlightRecording=…}
     * @param externalStore the URL of an external store to write to as InfluxDB, or null for the
     *                      embedded store on {@code storePort}
     * @param storePort the port of the store's HTTP server (QuestDB's {@code /exec}), embedded or not
     * @param brokerUri the external broker, or null for the gateway's embedded broker on {@code embeddedPort}
     */
    static GatewayProcess start(Path jar, Path dir, String brokerUri, int embeddedPort, CounterModel fleet,
            List<String> javaOptions, int adminPort, String externalStore, int storePort) throws IOException {
        GatewayYaml config = configuration(dir.resolve("data"), fleet, adminPort,
                brokerUri == null ? "tcp://127.0.0.1:" + embeddedPort : brokerUri);
        if (brokerUri == null) {
            config.embeddedBroker(embeddedPort);
        } else {
            config.externalBroker(brokerUri);
        }
        if (externalStore == null) {
            config.embeddedStore(storePort);
        } else {
            Files.createDirectories(dir);
            config.influxStore(externalStore, StoreProcess.writeToken(dir.resolve("store.token")));
        }
        return start(jar, dir, config.yaml(), javaOptions, adminPort, storePort);
    }

    /**
     * Writes {@code configuration} to {@code dir/gateway.yml} and starts the gateway with it, in
     * the JVM it ships with ({@link #command}); returns at once. For callers with a configuration
     * of their own (the cluster bench).
     *
     * @param adminPort the configuration's {@code admin.port}, for {@code /metrics}
     * @param storePort the port of the store's HTTP server (QuestDB's {@code /exec})
     */
    public static GatewayProcess start(Path jar, Path dir, String configuration, List<String> javaOptions,
            int adminPort, int storePort) throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("gateway jar not found at " + jar.toAbsolutePath()
                    + ": build it (mvn -B -q -DskipTests package) or pass --gateway-jar <path>");
        }
        Files.createDirectories(dir);
        Path config = dir.resolve("gateway.yml");
        Files.writeString(config, configuration, StandardCharsets.UTF_8);
        List<String> command = command(jar, JvmOptions.of(jar), javaOptions, config);
        Path log = dir.resolve("gateway.log");
        Process process = ChildProcesses.start(new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile()));
        boolean nmt = command.stream().anyMatch(o -> o.startsWith("-XX:NativeMemoryTracking=")
                && !o.endsWith("=off"));
        return new GatewayProcess(process, adminPort, storePort, log, nmt);
    }

    /**
     * {@code java <shipped> <extra> -jar <jar> run --config <config>}: the gateway as it ships, its
     * JVM started with the options its jar carries ({@link JvmOptions}, as
     * {@code java @gateway/jvm.options} does), then the bench's extra ones, which win where they set
     * the same option.
     */
    static List<String> command(Path jar, List<String> shipped, List<String> extra, Path config) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(shipped);
        command.addAll(extra);
        command.add("-jar");
        command.add(jar.toAbsolutePath().toString());
        command.add("run");
        command.add("--config");
        command.add(config.toString());
        return command;
    }

    /**
     * The bench's gateway, but for its broker and store: the MQTT source as a client of its own on
     * the bench broker, every bench device and the probe device in its inventory, the surge and a
     * deadman rule, one MQTT centre on {@code centreBroker} (where the alert probe listens), two
     * pipeline shards.
     */
    static GatewayYaml configuration(Path dataDir, CounterModel fleet, int adminPort, String centreBroker) {
        return new GatewayYaml("limes-simulator bench", "limes-bench", dataDir, adminPort)
                .sourceClient("limes-bench-gateway", 1000)
                .devices(fleet, AlertProbe.DEVICE)
                .surgeRule("queue-surge")
                .deadmanRule("device-silent")
                .mqttCentre("bench", centreBroker, AlertProbe.CENTRE_TOPIC)
                .pipeline(2, 4096);
    }

    /** Whether the child is still running. */
    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** The child's combined output. */
    public Path log() {
        return log;
    }

    /** The URL of the store whose rows are counted, embedded in the gateway or not. */
    String storeUrl() {
        return "http://127.0.0.1:" + storePort;
    }

    /**
     * Rows of {@code vehicle_count}, not counting the probe device: -1 while the table does not
     * exist yet or the store does not answer.
     */
    long storedReadings() throws InterruptedException {
        String sql = "SELECT count() FROM vehicle_count WHERE device != '" + AlertProbe.DEVICE + "'";
        return count(sql);
    }

    /** Rows of {@code vehicle_count} from the probe device; -1 as for {@link #storedReadings}. */
    long storedProbeReadings() throws InterruptedException {
        return count("SELECT count() FROM vehicle_count WHERE device = '" + AlertProbe.DEVICE + "'");
    }

    private long count(String sql) throws InterruptedException {
        URI uri = URI.create("http://127.0.0.1:" + storePort + "/exec?query="
                + URLEncoder.encode(sql, StandardCharsets.UTF_8));
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(HTTP_TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return -1;
            }
            JsonNode dataset = JSON.readTree(response.body()).path("dataset");
            return dataset.path(0).path(0).asLong(-1);
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * Where the gateway's resident memory is, kept beside its log as {@code memory-<tag>.txt}: the
     * {@code Rss*} and {@code Vm*} lines of {@code /proc/<pid>/status} (anonymous memory apart from
     * mapped files, QuestDB's columns among them) and, when the gateway runs with
     * {@code -XX:NativeMemoryTracking=summary}, {@code jcmd <pid> VM.native_memory summary} (the
     * JVM's own categories: heap, metaspace, code, threads, GC, direct buffers as "Other"), the heap's
     * regions and, at the {@code end}, the live heap's largest classes (after a full GC); and
     * QuestDB's own accounting of its native and mapped memory by tag.
     *
     * @return a short summary for the progress output ({@code anon … MB, file … MB}), or why there is none
     */
    String saveMemory(String tag) throws InterruptedException {
        Path file = log.resolveSibling("memory-" + tag + ".txt");
        try {
            String status = Files.readString(Path.of("/proc", Long.toString(process.pid()), "status"),
                    StandardCharsets.US_ASCII);
            StringBuilder out = new StringBuilder();
            for (String line : status.split("\n")) {
                if (line.startsWith("Rss") || line.startsWith("Vm") || line.startsWith("Threads")) {
                    out.append(line).append('\n');
                }
            }
            out.append('\n').append(storeMemory());
            if (nativeMemoryTracking) {
                out.append('\n').append(jcmd("VM.native_memory", "summary"));
                out.append('\n').append(jcmd("GC.heap_info"));
                if ("end".equals(tag)) {
                    // A full GC first: the live heap, by class (the 40 largest), once the phases are over.
                    out.append('\n').append(jcmd("GC.class_histogram").lines().limit(44)
                            .collect(Collectors.joining("\n")));
                }
            }
            Files.writeString(file, out.toString(), StandardCharsets.UTF_8);
            return String.format(Locale.ROOT, "anon %.0f MB, file %.0f MB; %s",
                    ProcStat.statusKilobytes(status, "RssAnon:") / 1024.0,
                    ProcStat.statusKilobytes(status, "RssFile:") / 1024.0, file);
        } catch (IOException e) {
            return "memory not read: " + e.getMessage();
        }
    }

    /**
     * QuestDB's own accounting of its memory ({@code SELECT * FROM memory_metrics()}: what it
     * allocated natively and mapped, by tag), of the store the rows are counted in: the
     * embedded one inside the gateway, or the external one.
     */
    private String storeMemory() throws InterruptedException {
        URI uri = URI.create("http://127.0.0.1:" + storePort + "/exec?query="
                + URLEncoder.encode("SELECT * FROM memory_metrics() WHERE bytes != 0", StandardCharsets.UTF_8));
        StringBuilder out = new StringBuilder("QuestDB memory_metrics() (" + storeUrl() + "), MiB:\n");
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(HTTP_TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return out.append("  answered ").append(response.statusCode()).append('\n').toString();
            }
            for (JsonNode row : JSON.readTree(response.body()).path("dataset")) {
                out.append(String.format(Locale.ROOT, "  %-32s %10.1f%n", row.path(0).asText(),
                        row.path(1).asLong() / 1048576.0));
            }
        } catch (IOException e) {
            out.append("  not read: ").append(e.getMessage()).append('\n');
        }
        return out.toString();
    }

    private String jcmd(String... command) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>();
        args.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
        args.add(Long.toString(process.pid()));
        args.addAll(List.of(command));
        Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("jcmd " + String.join(" ", command) + " failed: " + out.strip());
        }
        return out;
    }

    /** {@code GET /metrics} of the gateway's admin API, whatever it answers. */
    private HttpResponse<String> metricsPage() throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/metrics"))
                .timeout(HTTP_TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The gateway's {@code /metrics} page, kept beside its log for diagnosis. */
    public Path saveMetrics() throws IOException, InterruptedException {
        HttpResponse<String> metrics = metricsPage();
        Path file = log.resolveSibling("metrics.txt");
        Files.writeString(file, metrics.body(), StandardCharsets.UTF_8);
        return file;
    }

    /**
     * The gateway's collection counters now ({@link GcCounters}), from {@code /metrics};
     * {@link GcCounters#NONE} when the page cannot be read. Read outside a phase's CPU window:
     * the page (10,000 devices' gauges) costs the gateway a few ms.
     */
    GcCounters gcCounters() throws InterruptedException {
        try {
            HttpResponse<String> metrics = metricsPage();
            return metrics.statusCode() == 200 ? GcCounters.parse(metrics.body()) : GcCounters.NONE;
        } catch (IOException e) {
            return GcCounters.NONE;
        }
    }

    /**
     * Runs a full GC in the child ({@code jcmd <pid> GC.run}) and returns its heap in use
     * afterwards, the sum of {@code jvm_memory_used_bytes{area="heap"}} from {@code /metrics}.
     */
    long heapBytesAfterGc() throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process gc = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), "GC.run")
                .redirectErrorStream(true).start();
        String out = new String(gc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!gc.waitFor(60, TimeUnit.SECONDS) || gc.exitValue() != 0) {
            throw new IOException("jcmd " + process.pid() + " GC.run failed: " + out.strip());
        }
        HttpResponse<String> metrics = metricsPage();
        if (metrics.statusCode() != 200) {
            throw new IOException("GET /metrics answered " + metrics.statusCode());
        }
        long heap = heapBytes(metrics.body());
        if (heap < 0) {
            throw new IOException("/metrics has no jvm_memory_used_bytes{area=\"heap\"}");
        }
        return heap;
    }

    /** Sums {@code jvm_memory_used_bytes} over the heap pools in a Prometheus text page; -1 if none. */
    static long heapBytes(String prometheusText) {
        double sum = 0;
        boolean found = false;
        for (String line : prometheusText.split("\n")) {
            if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                found = true;
            }
        }
        return found ? (long) sum : -1;
    }

    /**
     * Kills the child at once ({@code SIGKILL}, as {@code kill -9}: no shutdown hook, no clean
     * close of its sockets or Kafka clients) and waits until it is gone.
     */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
        ChildProcesses.forget(process);
    }

    @Override
    public void close() {
        ChildProcesses.stop(process, STOP_GRACE);
    }
}
