package org.limes.gateway;

import com.influxdb.client.InfluxDBClient;
import com.influxdb.client.InfluxDBClientFactory;
import com.influxdb.client.InfluxDBClientOptions;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import okhttp3.OkHttpClient;
import org.limes.drivers.Drivers;
import org.limes.gateway.config.GatewayConfig;
import org.limes.gateway.config.MqttConfig;
import org.limes.gateway.config.Secrets;
import org.limes.gateway.embedded.EmbeddedBroker;
import org.limes.gateway.embedded.EmbeddedStore;
import org.limes.gateway.embedded.QuestDbClient;
import org.limes.gateway.embedded.QuestDbSchema;
import org.limes.gateway.http.AdminServer;
import org.limes.gateway.http.Health;
import org.limes.gateway.outbox.Outbox;
import org.limes.gateway.outbox.OutboxCommitter;
import org.limes.gateway.outbox.OutboxMetrics;
import org.limes.gateway.pipeline.Inventory;
import org.limes.gateway.pipeline.Pipeline;
import org.limes.gateway.pipeline.PipelineMetrics;
import org.limes.gateway.rules.Rules;
import org.limes.gateway.sink.SinkMetrics;
import org.limes.gateway.sink.centre.CentreConfig;
import org.limes.gateway.sink.centre.CentreSink;
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
 *   → pipeline (inventory, rules) → sources (MQTT, TCP, UDP, HTTP) → admin HTTP
 * </pre>
 *
 * Started downstream first, so nothing is ingested before it has somewhere to go; closed
 * upstream first, so what was taken in is flushed to the outboxes before they close.
 */
public final class Gateway implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
    public static final String STORE_DESTINATION = "store";

    private final GatewayConfig config;
    private final PrometheusMeterRegistry registry;
    private final Deque<AutoCloseable> closeables = new ArrayDeque<>();
    private final List<MqttSource> sources = new ArrayList<>();
    private final Map<String, Outbox> outboxes = new LinkedHashMap<>();
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
        Path data = Path.of(config.dataDir()).toAbsolutePath();
        Files.createDirectories(data);

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

        OutboxCommitter committer = new OutboxCommitter(config.outbox().syncIntervalMs());
        Outbox storeOutbox = openOutbox(data, STORE_DESTINATION, committer);
        List<Outbox> centreOutboxes = new ArrayList<>();
        for (CentreConfig c : config.centres()) {
            centreOutboxes.add(openOutbox(data, c.name(), committer));
        }
        committer.start();
        closeables.push(committer);

        InfluxDBClient influx = InfluxDBClientFactory.create(InfluxDBClientOptions.builder()
                .url(storeUrl).authenticateToken(token.toCharArray()).org(storeConfig.org())
                .bucket(storeConfig.bucket())
                .okHttpClient(new OkHttpClient.Builder()
                        .connectTimeout(java.time.Duration.ofSeconds(10))
                        .readTimeout(java.time.Duration.ofSeconds(60))
                        .writeTimeout(java.time.Duration.ofSeconds(60)))
                .build());
        closeables.push(influx);
        InfluxSink storeSink = new InfluxSink(storeOutbox, influx.getWriteApiBlocking(), storeConfig, schema,
                new SinkMetrics(registry, STORE_DESTINATION));
        storeSink.start();
        closeables.push(storeSink);

        for (int i = 0; i < config.centres().size(); i++) {
            CentreConfig c = config.centres().get(i);
            String uri = c.broker() == null || MqttConfig.EMBEDDED.equals(c.broker()) ? brokerUriFor(c) : c.broker();
            CentreSink sink = new CentreSink(c, uri, centreOutboxes.get(i), new SinkMetrics(registry, c.name()));
            sink.start();
            closeables.push(sink);
        }

        Inventory inventory = new Inventory(config.inventory());
        int maxSubjects = Math.max(10_000, inventory.size() * 2);
        Pipeline pipeline = new Pipeline(config.name(), config.pipeline(), inventory,
                () -> Rules.create(config.rules(), maxSubjects), storeOutbox, centreOutboxes, committer,
                new PipelineMetrics(registry));
        pipeline.start();
        closeables.push(pipeline);

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
                HttpSource source = new HttpSource(h, drivers, pipeline, metrics, clock);
                closeables.push(source);
                source.start();
                listenerPorts.put(h.name(), source.port());
            } else {
                throw new IllegalStateException("no source implementation for " + s.getClass().getSimpleName());
            }
        }

        admin = AdminServer.start(config.admin().host(), config.admin().port(), registry, this::health);
        closeables.push(admin);
        LOG.info("gateway {} running: admin http://{}:{}/health and /metrics", config.name(), config.admin().host(),
                admin.port());
    }

    private String brokerUriFor(CentreConfig c) {
        if (MqttConfig.EMBEDDED.equals(c.broker()) && broker == null) {
            throw new IllegalStateException("centre " + c.name() + " uses the embedded broker, but mqtt.broker is "
                    + config.mqtt().broker());
        }
        return brokerUri;
    }

    private String brokerUriForSource() {
        return brokerUri;
    }

    private Outbox openOutbox(Path data, String destination, OutboxCommitter committer) throws IOException {
        Outbox o = Outbox.open(destination, data.resolve("outbox").resolve(destination), config.outbox().limits(),
                new OutboxMetrics(registry, destination));
        committer.register(o);
        outboxes.put(destination, o);
        return o;
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
        return new Health(up, details);
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

    public Map<String, Outbox> outboxes() {
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
