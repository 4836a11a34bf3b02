package org.limes.gateway;

import com.influxdb.client.InfluxDBClient;
import com.influxdb.client.InfluxDBClientFactory;
import com.influxdb.client.InfluxDBClientOptions;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.limes.drivers.Drivers;
import org.limes.gateway.config.ConfigException;
import org.limes.gateway.config.ConfigLoader;
import org.limes.gateway.config.GatewayConfig;
import org.limes.gateway.config.MqttConfig;
import org.limes.gateway.config.Secrets;
import org.limes.gateway.embedded.EmbeddedBroker;
import org.limes.gateway.embedded.EmbeddedStore;
import org.limes.gateway.embedded.QuestDbClient;
import org.limes.gateway.embedded.QuestDbSchema;
import org.limes.gateway.http.AdminApi;
import org.limes.gateway.http.AdminConfig;
import org.limes.gateway.http.AdminServer;
import org.limes.gateway.live.LiveMetrics;
import org.limes.gateway.live.LiveView;
import org.limes.gateway.http.Health;
import org.limes.gateway.outbox.DestinationMetrics;
import org.limes.gateway.outbox.DestinationQueue;
import org.limes.gateway.outbox.Outbox;
import org.limes.gateway.outbox.OutboxConfig;
import org.limes.gateway.outbox.OutboxRecord;
import org.limes.gateway.outbox.OverflowAlerts;
import org.limes.gateway.outbox.DeadLetters;
import org.limes.gateway.outbox.OutboxCommitter;
import org.limes.gateway.outbox.OutboxMetrics;
import org.limes.gateway.picture.PictureConfig;
import org.limes.gateway.picture.PictureStore;
import org.limes.gateway.pipeline.Destination;
import org.limes.gateway.pipeline.Inventory;
import org.limes.gateway.pipeline.Pipeline;
import org.limes.gateway.pipeline.PipelineMetrics;
import org.limes.gateway.privacy.PlatePseudonymiser;
import org.limes.gateway.rules.Alert;
import org.limes.gateway.rules.AlertJson;
import org.limes.gateway.rules.AlertLine;
import org.limes.gateway.rules.AlertState;
import org.limes.gateway.rules.AlertStateStore;
import org.limes.gateway.rules.RuleConfig;
import org.limes.gateway.rules.RuleMetrics;
import org.limes.gateway.rules.RulesFileWatcher;
import org.limes.gateway.rules.RulesReload;
import org.limes.gateway.sink.SinkMetrics;
import org.limes.gateway.sink.centre.CentreConfig;
import org.limes.gateway.sink.centre.CentreSink;
import org.limes.gateway.sink.centre.CotCentreConfig;
import org.limes.gateway.sink.centre.CotSink;
import org.limes.gateway.sink.centre.MqttCentreConfig;
import org.limes.gateway.sink.centre.WebhookCentreConfig;
import org.limes.gateway.sink.centre.WebhookSink;
import org.limes.gateway.sink.influx.InfluxSink;
import org.limes.gateway.sink.influx.LineShape;
import org.limes.gateway.sink.influx.StoreConfig;
import org.limes.gateway.sink.influx.StoreSchema;
import org.limes.gateway.source.SourceConfig;
import org.limes.gateway.source.SourceMetrics;
import org.limes.gateway.source.mqtt.MqttSource;
import org.limes.gateway.source.http.HttpSource;
import org.limes.gateway.source.http.HttpSourceConfig;
import org.limes.gateway.source.mqtt.MqttSourceConfig;
import org.limes.gateway.source.tcp.TcpSource;
import org.limes.gateway.source.tcp.TcpSourceConfig;
import org.limes.gateway.source.udp.UdpSource;
import org.limes.gateway.source.udp.UdpSourceConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running gateway, wired by hand from its configuration, in data-flow order:
 *
 * <pre>
 * embedded services (broker, store) → outboxes + group commit → sinks (store, centres)
 *   → live view → pipeline (inventory, rules) → sources (MQTT, TCP, UDP, HTTP) → admin HTTP and status page
 * </pre>
 *
 * Started downstream first, so nothing is ingested before it has somewhere to go; closed
 * upstream first, so what was taken in is flushed to the outboxes before they close.
 */
public final class Gateway implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
    public static final String STORE_DESTINATION = "store";
    /** The rule of the notice raised to the other centres when one sets an alert aside. */
    public static final String SET_ASIDE_RULE = "outbox-dead-letter";
    private static final long RULES_POLL_MS = 1_000;

    private final GatewayConfig config;
    private final PrometheusMeterRegistry registry;
    private final Deque<AutoCloseable> closeables = new ArrayDeque<>();
    private final List<MqttSource> sources = new ArrayList<>();
    private final Map<String, DestinationQueue> outboxes = new LinkedHashMap<>();
    private OverflowAlerts overflow;
    private OutboxCommitter committer;
    private Clock clock;
    private RuleMetrics ruleMetrics;
    private Pipeline pipeline;
    private volatile LiveView live;
    private volatile PictureStore pictures;
    private ConfigLoader loader;
    private final Map<String, Integer> listenerPorts = new LinkedHashMap<>();
    private EmbeddedBroker broker;
    private EmbeddedStore store;
    private AdminServer admin;
    private String brokerUri;
    private String storeUrl;

    private Gateway(GatewayConfig config, PrometheusMeterRegistry registry) {
        this.config = config;
        this.registry = registry;
    }

    /** Starts every component; on failure stops what was started and rethrows. */
    public static Gateway start(GatewayConfig config, Drivers drivers, PrometheusMeterRegistry registry, Clock clock)
            throws Exception {
        Gateway g = new Gateway(config, registry);
        try {
            g.startAll(drivers, clock);
        } catch (Exception | Error e) {
            g.close();
            throw e;
        }
        return g;
    }

    private void startAll(Drivers drivers, Clock clock) throws Exception {
        this.clock = clock;
        Path data = Path.of(config.dataDir()).toAbsolutePath();
        if (config.store().embedded()) {
            // Before anything is started: on a small volume QuestDB fails half-way with errno 28.
            EmbeddedStore.requireFreeSpace(data, EmbeddedStore.MIN_FREE_BYTES);
        }
        ownerOnly(data);

        MqttConfig mqtt = config.mqtt();
        if (mqtt.embedded()) {
            broker = EmbeddedBroker.start(data.resolve("broker"), mqtt.host(), mqtt.port());
            closeables.push(broker);
            brokerUri = broker.uri();
            LOG.info("embedded MQTT broker (HiveMQ CE) listening on {}", brokerUri);
        } else {
            brokerUri = mqtt.broker();
        }

        StoreConfig storeConfig = config.store();
        StoreSchema schema = StoreSchema.NONE;
        String token;
        if (storeConfig.embedded()) {
            store = EmbeddedStore.start(data.resolve("questdb"), storeConfig.host(), storeConfig.httpPort());
            closeables.push(store);
            storeUrl = store.url();
            QuestDbSchema questdb = new QuestDbSchema(new QuestDbClient(storeUrl));
            schema = lines -> {
                for (String line : lines) {
                    LineShape shape = LineShape.of(line);
                    questdb.ensure(shape.measurement(), shape.tagKeys());
                }
            };
            token = "embedded";
            LOG.info("embedded store (QuestDB) at {} — SQL console in the browser", storeUrl);
        } else {
            storeUrl = storeConfig.url();
            token = Secrets.read(storeConfig.tokenFile(), storeConfig.tokenEnv());
        }

        committer = new OutboxCommitter(config.outbox().syncIntervalMs(), clock, registry);
        List<String> names = new ArrayList<>();
        names.add(STORE_DESTINATION);
        config.centres().forEach(c -> names.add(c.name()));
        overflow = new OverflowAlerts(names, d -> outboxes.get(d).oldestUnackedAgeMs(clock.millis()),
                config.outbox().readyMaxAgeS() * 1000, clock::millis, this::emitOverflow, this::emitSetAside);
        DestinationQueue storeOutbox = openQueue(data, STORE_DESTINATION, committer, clock);
        List<DestinationQueue> centreOutboxes = new ArrayList<>();
        for (CentreConfig c : config.centres()) {
            centreOutboxes.add(openQueue(data, c.name(), committer, clock));
        }
        committer.start();
        closeables.push(committer);
        overflow.start();
        closeables.push(overflow);

        InfluxDBClient influx = InfluxDBClientFactory.create(InfluxDBClientOptions.builder()
                .url(storeUrl).authenticateToken(token.toCharArray()).org(storeConfig.org())
                .bucket(storeConfig.bucket())
                .okHttpClient(new OkHttpClient.Builder()
                        .connectTimeout(Duration.ofSeconds(10))
                        .readTimeout(Duration.ofSeconds(60))
                        .writeTimeout(Duration.ofSeconds(60)))
                .build());
        closeables.push(influx);
        InfluxSink storeSink = new InfluxSink(storeOutbox, influx.getWriteApiBlocking(), storeConfig, schema,
                new SinkMetrics(registry, STORE_DESTINATION), clock);
        storeSink.start();
        closeables.push(storeSink);

        for (int i = 0; i < config.centres().size(); i++) {
            closeables.push(startCentre(config.centres().get(i), centreOutboxes.get(i), clock));
        }

        Inventory inventory = new Inventory(config.inventory());
        List<Destination> centreDestinations = new ArrayList<>();
        for (int i = 0; i < config.centres().size(); i++) {
            CentreConfig c = config.centres().get(i);
            centreDestinations.add(new Destination(centreOutboxes.get(i), c.routing(),
                    c.pseudonymisePlates() == null ? null : PlatePseudonymiser.from(c.pseudonymisePlates())));
        }
        ruleMetrics = new RuleMetrics(registry);
        loader = new ConfigLoader(drivers);
        live = new LiveView(inventory, Pipeline.MAX_UNKNOWN_DEVICES, clock, new LiveMetrics(registry));
        pipeline = new Pipeline(config.name(), config.pipeline(), config.limits(), inventory, config.rules(), clock,
                new AlertStateStore(data.resolve("alerts"), config.name(), ruleMetrics), ruleMetrics,
                new Destination(storeOutbox, storeConfig.routing(), storeConfig.pseudonymisePlates() == null ? null
                        : PlatePseudonymiser.from(storeConfig.pseudonymisePlates())), centreDestinations, committer,
                new PipelineMetrics(registry), live, openPictures(data, clock));
        pipeline.start();
        closeables.push(pipeline);
        if (config.rulesFile() != null) {
            closeables.push(new RulesFileWatcher(Path.of(config.rulesFile()), RULES_POLL_MS, this::reloadRules));
            LOG.info("rules from {} ({} rules); the file is watched, and SIGHUP reloads it", config.rulesFile(),
                    config.rules().size());
        }

        for (SourceConfig s : config.sources()) {
            SourceMetrics metrics = new SourceMetrics(registry, s.name());
            if (s instanceof MqttSourceConfig m) {
                String uri = m.broker() == null || MqttConfig.EMBEDDED.equals(m.broker()) ? brokerUriForSource()
                        : m.broker();
                MqttSource source = new MqttSource(m, uri, drivers, pipeline, metrics, clock);
                source.start();
                sources.add(source);
                closeables.push(source);
            } else if (s instanceof TcpSourceConfig t) {
                TcpSource source = new TcpSource(t, drivers, pipeline, inventory::knows, metrics, clock,
                        System::nanoTime);
                closeables.push(source);
                source.start();
                listenerPorts.put(t.name(), source.port());
            } else if (s instanceof UdpSourceConfig u) {
                UdpSource source = new UdpSource(u, drivers, pipeline, metrics, clock);
                closeables.push(source);
                source.start();
                listenerPorts.put(u.name(), source.port());
            } else if (s instanceof HttpSourceConfig h) {
                HttpSource source = new HttpSource(h, drivers, pipeline, inventory::knows, metrics, clock);
                closeables.push(source);
                source.start();
                listenerPorts.put(h.name(), source.port());
            } else {
                throw new IllegalStateException("no source implementation for " + s.getClass().getSimpleName());
            }
        }

        AdminConfig ac = config.admin();
        String adminToken = ac.authenticated() ? Secrets.read(ac.tokenFile(), ac.tokenEnv()) : null;
        admin = AdminServer.start(ac.host(), ac.port(), registry, new AdminApi(config.name(), this::health,
                this::ready, live, this::destinations, this::reloadRules, pictures), adminToken);
        closeables.push(admin);
        LOG.info("gateway {} running: status page http://{}:{}/ (also /health, /ready, /metrics, /api/...)",
                config.name(), ac.host(), admin.port());
    }

    /**
     * Creates {@code data_dir} readable by its owner only (0700), or narrows an existing one,
     * with the outbox and alert-state directories in it: the centre outboxes hold plain plates,
     * and the files in them are created with the umask's mode, so the directory is the lock.
     */
    static Path ownerOnly(Path data) throws IOException {
        Set<PosixFilePermission> owner = PosixFilePermissions.fromString("rwx------");
        try {
            Files.createDirectories(data, PosixFilePermissions.asFileAttribute(owner));
            for (Path p : new Path[] {data, data.resolve("outbox"), data.resolve("alerts")}) {
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) && !Files.getPosixFilePermissions(p).equals(owner)) {
                    Files.setPosixFilePermissions(p, owner);
                    LOG.info("{} was readable by other users; it is now owner-only (0700)", p);
                }
            }
        } catch (UnsupportedOperationException e) {
            Files.createDirectories(data);
            LOG.info("{} has no POSIX permissions; protect it by other means (it holds plates)", data);
        }
        return data;
    }

    /** The picture store; with the keep policy, swept once a minute for pictures past their age. */
    private PictureStore openPictures(Path data, Clock clock) throws IOException {
        PictureConfig pc = config.pictures();
        Path dir = pc.directory() == null ? data.resolve("pictures") : Path.of(pc.directory());
        pictures = PictureStore.open(pc, dir, clock, registry);
        if (pictures.keeps()) {
            ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "limes-pictures");
                t.setDaemon(true);
                return t;
            });
            sweeper.scheduleWithFixedDelay(pictures::sweep, 0, 1, TimeUnit.MINUTES);
            closeables.push(sweeper::shutdownNow);
        }
        return pictures;
    }

    /** One centre's sink, by transport. */
    private AutoCloseable startCentre(CentreConfig c, DestinationQueue outbox, Clock clock) {
        SinkMetrics metrics = new SinkMetrics(registry, c.name());
        switch (c.type()) {
            case "mqtt" -> {
                MqttCentreConfig m = (MqttCentreConfig) c;
                String uri = m.broker() == null || MqttConfig.EMBEDDED.equals(m.broker()) ? brokerUriFor(m)
                        : m.broker();
                CentreSink sink = new CentreSink(m, uri, config.name(), outbox, metrics, clock);
                sink.start();
                return sink;
            }
            case "webhook" -> {
                WebhookSink sink = new WebhookSink((WebhookCentreConfig) c, config.name(), outbox, metrics, clock);
                sink.start();
                return sink;
            }
            case "cot" -> {
                CotSink sink = new CotSink((CotCentreConfig) c, config.name(), outbox, metrics, clock);
                sink.start();
                return sink;
            }
            default -> throw new IllegalStateException("no sink for centre type " + c.type());
        }
    }

    private String brokerUriFor(MqttCentreConfig c) {
        if (MqttConfig.EMBEDDED.equals(c.broker()) && broker == null) {
            throw new IllegalStateException("centre " + c.name() + " uses the embedded broker, but mqtt.broker is "
                    + config.mqtt().broker());
        }
        return brokerUri;
    }

    private String brokerUriForSource() {
        return brokerUri;
    }

    private DestinationQueue openQueue(Path data, String destination, OutboxCommitter committer, Clock clock)
            throws IOException {
        Path dir = data.resolve("outbox").resolve(destination);
        OutboxConfig oc = config.outbox();
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
        outboxes.put(destination, q);
        new DestinationMetrics(registry, q, clock).register();
        return q;
    }

    /** Every destination's queue, in configuration order (the store first). */
    public List<AdminApi.DestinationStatus> destinations() {
        long now = clock.millis();
        List<AdminApi.DestinationStatus> out = new ArrayList<>();
        outboxes.forEach((name, q) -> {
            long ack = q.lastAckMillis();
            out.add(new AdminApi.DestinationStatus(name, q.depth(), q.alerts().depth(), q.bytes(),
                    q.oldestUnackedAgeMs(now), ack < 0 ? null : Instant.ofEpochMilli(ack).toString(),
                    ack < 0 ? null : Math.max(0, now - ack), q.deadLetters().count(), q.deadLetters().lastReason(),
                    q.deadLetters().dir().toString()));
        });
        return out;
    }

    /** What the gateway sees now: devices, latest values, alerts (the status page's source). */
    public LiveView live() {
        return live;
    }

    /** Queues an outbox-overflow alert transition for every centre and the store. */
    private void emitOverflow(String destination, boolean raised, long lost, long raisedAtMs, long atMs)
            throws InterruptedException {
        Map<String, String> tags = Map.of("destination", destination);
        Instant raisedAt = Instant.ofEpochMilli(raisedAtMs);
        Instant at = Instant.ofEpochMilli(atMs);
        Alert a = new Alert(config.name() + "/outbox-overflow/" + destination + "/" + raisedAtMs, "outbox-overflow",
                raised ? AlertState.RAISED : AlertState.CLEARED, "critical", config.name(), destination,
                "destination", destination, "outbox", "lost_records", lost, 0, raisedAt, at, raisedAt, at,
                raised ? null : "caught_up", tags);
        byte[] json = AlertJson.encode(a, config.name());
        for (CentreConfig c : config.centres()) {
            outboxes.get(c.name()).append(OutboxRecord.ALERT, json);
        }
        outboxes.get(STORE_DESTINATION).append(OutboxRecord.ALERT, AlertLine.encode(a));
        if (live != null) {
            live.alert(a);
        }
    }

    /**
     * An alert set aside at one centre, raised to the other centres and the store: that centre
     * will never see it, so its operators must hear of it another way. One alert transition
     * (raised; it is a notice, nothing clears it), named by the centre and the alert's
     * {@code event_id}, so a redelivery has the same id. Not for the notices themselves (two
     * centres that refuse everything must not bounce notices between them).
     */
    private void emitSetAside(DeadLetters.SetAside s) throws InterruptedException {
        if (s.type() != OutboxRecord.ALERT || STORE_DESTINATION.equals(s.destination())
                || SET_ASIDE_RULE.equals(s.rule())) {
            return;
        }
        Instant at = Instant.ofEpochMilli(s.atMillis());
        Map<String, String> tags = Map.of("destination", s.destination(), "reason", s.reason(), "set_aside_event_id",
                s.id());
        Alert a = new Alert(config.name() + "/" + SET_ASIDE_RULE + "/" + s.destination() + "/" + s.seq(), SET_ASIDE_RULE, AlertState.RAISED,
                "critical", config.name(), s.destination(), "destination", s.destination(), "outbox",
                "set_aside_bytes", s.bytes(), 0, at, at, at, at, s.reason(), tags);
        byte[] json = AlertJson.encode(a, config.name());
        for (CentreConfig c : config.centres()) {
            if (!c.name().equals(s.destination())) {
                outboxes.get(c.name()).append(OutboxRecord.ALERT, json);
            }
        }
        outboxes.get(STORE_DESTINATION).append(OutboxRecord.ALERT, AlertLine.encode(a));
    }

    /**
     * Ready when every source is connected, the outboxes can sync to disk, and every
     * destination's oldest undelivered record is younger than {@code outbox.ready_max_age_s};
     * otherwise names what is not.
     */
    public Health ready() {
        Map<String, Object> details = new LinkedHashMap<>();
        boolean ready = sourcesReady();
        if (!ready) {
            details.put("sources", "not connected");
        }
        String syncFailure = committer == null ? null : committer.syncFailure();
        if (syncFailure != null) {
            ready = false;
            details.put("outbox_sync", syncFailure + " (since " + Instant.ofEpochMilli(
                    committer.syncFailingSinceMillis()) + "); nothing is acknowledged upstream until it syncs");
        }
        long limitMs = config.outbox().readyMaxAgeS() * 1000;
        List<String> lagging = new ArrayList<>();
        for (Map.Entry<String, DestinationQueue> e : outboxes.entrySet()) {
            long age = e.getValue().oldestUnackedAgeMs(clockMillis());
            details.put(e.getKey() + "_oldest_unacked_ms", age);
            if (age > limitMs) {
                lagging.add(e.getKey());
            }
        }
        if (!lagging.isEmpty()) {
            ready = false;
            details.put("lagging", lagging);
            details.put("reason", "oldest undelivered record older than " + config.outbox().readyMaxAgeS()
                    + " s at " + String.join(", ", lagging));
        }
        if (syncFailure != null) {
            details.put("reason", syncFailure);
        }
        return new Health(ready, details);
    }

    private long clockMillis() {
        return clock.millis();
    }

    /**
     * Reads the {@code rules_file} again and puts its rules in force on every shard: the
     * state of unchanged rules carries over, the outboxes are untouched. A file that does
     * not load (YAML, a rule, a cross-check) is rejected with the error and the previous
     * rules stay in force. Called by the file watcher, SIGHUP and {@code POST /api/rules/reload}.
     */
    public synchronized RulesReload reloadRules() {
        if (config.rulesFile() == null) {
            return new RulesReload(false, "no rules_file is configured; rules under rules: change with a restart");
        }
        List<RuleConfig> rules;
        try {
            rules = loader.loadRules(Path.of(config.rulesFile()), config.inventory());
        } catch (ConfigException e) {
            ruleMetrics.reload("rejected");
            LOG.error("rules file rejected, the previous rules stay in force: {}", e.getMessage());
            return new RulesReload(false, e.getMessage());
        }
        try {
            if (!pipeline.replaceRules(rules, Duration.ofSeconds(10))) {
                ruleMetrics.reload("rejected");
                LOG.error("rules reload did not reach every pipeline shard in time; shards may run mixed rules "
                        + "until the next reload");
                return new RulesReload(false, "the pipeline did not apply the rules within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new RulesReload(false, "interrupted");
        }
        ruleMetrics.reload("ok");
        List<String> ids = rules.stream().map(RuleConfig::id).toList();
        LOG.info("rules reloaded from {}: {}", config.rulesFile(), ids);
        return new RulesReload(true, "rules in force: " + ids);
    }

    /**
     * Reloads the rules on SIGHUP, where the JVM lets us handle it ({@code sun.misc.Signal});
     * returns false when it does not. For the {@code run} command only: a process has one handler.
     */
    public boolean reloadRulesOnSighup() {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), s -> {
                RulesReload r = reloadRules();
                LOG.info("SIGHUP: {}", r.message());
            });
            return true;
        } catch (IllegalArgumentException | UnsupportedOperationException | LinkageError e) {
            LOG.warn("SIGHUP cannot be handled on this JVM ({}); the rules file is still watched", e.toString());
            return false;
        }
    }

    /** Up when every source is connected and subscribed. */
    public Health health() {
        Map<String, Object> details = new LinkedHashMap<>();
        boolean up = true;
        for (MqttSource s : sources) {
            boolean ready = s.ready();
            up &= ready;
            details.put("source", ready ? "connected" : "connecting");
        }
        Map<String, Object> depths = new LinkedHashMap<>();
        outboxes.forEach((name, o) -> depths.put(name, o.depth()));
        details.put("outbox_depth", depths);
        String syncFailure = committer == null ? null : committer.syncFailure();
        if (syncFailure != null) {
            details.put("outbox_sync", syncFailure);
        }
        return new Health(up, syncFailure != null, details);
    }

    public boolean sourcesReady() {
        return sources.stream().allMatch(MqttSource::ready);
    }

    /** The bound port of a TCP, UDP or HTTP source, by source name (the real one when configured with 0). */
    public int listenerPort(String source) {
        Integer port = listenerPorts.get(source);
        if (port == null) {
            throw new IllegalArgumentException("no TCP, UDP or HTTP source named " + source);
        }
        return port;
    }

    public String brokerUri() {
        return brokerUri;
    }

    public String storeUrl() {
        return storeUrl;
    }

    public int adminPort() {
        return admin.port();
    }

    public Map<String, DestinationQueue> outboxes() {
        return outboxes;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public GatewayConfig config() {
        return config;
    }

    @Override
    public void close() {
        while (!closeables.isEmpty()) {
            AutoCloseable c = closeables.pop();
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("stopping {} failed: {}", c.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
