package org.limes.gateway;

import com.influxdb.client.InfluxDBClient;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.limes.drivers.Drivers;
import org.limes.gateway.cluster.ClusterRules;
import org.limes.gateway.cluster.KafkaFrames;
import org.limes.gateway.cluster.SinkRelay;
import org.limes.gateway.config.ConfigLoader;
import org.limes.gateway.config.GatewayConfig;
import org.limes.gateway.http.AdminApi;
import org.limes.gateway.http.AdminServer;
import org.limes.gateway.http.GatewayStatus;
import org.limes.gateway.live.LiveMetrics;
import org.limes.gateway.live.LiveView;
import org.limes.gateway.outbox.DestinationQueue;
import org.limes.gateway.outbox.OutboxCommitter;
import org.limes.gateway.outbox.OverflowAlerts;
import org.limes.gateway.picture.PictureStore;
import org.limes.gateway.pipeline.DeliveryAlerts;
import org.limes.gateway.pipeline.Destination;
import org.limes.gateway.pipeline.Inventory;
import org.limes.gateway.pipeline.Pipeline;
import org.limes.gateway.pipeline.PipelineMetrics;
import org.limes.gateway.privacy.PlatePseudonymiser;
import org.limes.gateway.rules.AlertStateStore;
import org.limes.gateway.rules.GeofenceRuleConfig;
import org.limes.gateway.rules.GeofenceZone;
import org.limes.gateway.rules.RuleConfig;
import org.limes.gateway.rules.RuleMetrics;
import org.limes.gateway.rules.RulesReload;
import org.limes.gateway.rules.RulesReloader;
import org.limes.gateway.sink.SinkMetrics;
import org.limes.gateway.sink.centre.CentreConfig;
import org.limes.gateway.sink.influx.InfluxClientFactory;
import org.limes.gateway.sink.influx.InfluxSink;
import org.limes.gateway.sink.influx.StoreConfig;
import org.limes.gateway.sink.influx.StoreSchema;
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
 * upstream first, so what was taken in is flushed to the outboxes before they close. Each step is
 * one call ({@link DataDir}, {@link Broker}, {@link Store}, {@link Queues}, {@link Centres}, {@link Sources});
 * the admin API answers from {@link GatewayStatus} and {@link RulesReloader}.
 */
public final class Gateway implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
    public static final String STORE_DESTINATION = "store";
    private static final long RULES_POLL_MS = 1_000;

    private final GatewayConfig config;
    private final PrometheusMeterRegistry registry;
    private final Deque<AutoCloseable> closeables = new ArrayDeque<>();
    private final Map<String, DestinationQueue> outboxes = new LinkedHashMap<>();
    private OverflowAlerts overflow;
    private OutboxCommitter committer;
    private RuleMetrics ruleMetrics;
    private Pipeline pipeline;
    private volatile LiveView live;
    private volatile PictureStore pictures;
    private ConfigLoader loader;
    private Sources sources;
    private RulesReloader rules;
    private GatewayStatus status;
    private AdminServer admin;
    private Broker broker;
    private Store store;

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
        Path data = DataDir.prepare(config);

        broker = Broker.start(config.mqtt(), data, closeables);

        StoreConfig storeConfig = config.store();
        store = Store.start(storeConfig, data, closeables);
        StoreSchema schema = store.schema();

        committer = new OutboxCommitter(config.outbox().syncIntervalMs(), clock, registry);
        List<String> names = new ArrayList<>();
        names.add(STORE_DESTINATION);
        config.centres().forEach(c -> names.add(c.name()));
        DeliveryAlerts deliveryAlerts = new DeliveryAlerts(config.name());
        overflow = new OverflowAlerts(names, d -> outboxes.get(d).oldestUnackedAgeMs(clock.millis()),
                config.outbox().readyMaxAgeS() * 1000, clock::millis, deliveryAlerts::overflow,
                deliveryAlerts::setAside);
        Queues queues = new Queues(data, config.outbox(), committer, overflow, registry, clock, outboxes);
        DestinationQueue storeOutbox = queues.open(STORE_DESTINATION);
        List<DestinationQueue> centreOutboxes = new ArrayList<>();
        for (CentreConfig c : config.centres()) {
            centreOutboxes.add(queues.open(c.name()));
        }
        committer.start();
        closeables.push(committer);
        overflow.start();
        closeables.push(overflow);

        InfluxDBClient influx = InfluxClientFactory.create(store.url(), store.token(), storeConfig);
        closeables.push(influx);
        InfluxSink storeSink = new InfluxSink(storeOutbox, influx.getWriteApiBlocking(), storeConfig, schema,
                new SinkMetrics(registry, STORE_DESTINATION), clock);
        storeSink.start();
        closeables.push(storeSink);

        Centres centres = new Centres(config, broker.uri(), broker.embedded(), registry, clock);
        for (int i = 0; i < config.centres().size(); i++) {
            closeables.push(centres.start(config.centres().get(i), centreOutboxes.get(i)));
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
        live.zones(zonesOf(config.rules()));
        KafkaFrames frames = null;
        if (config.cluster() != null) {
            // Cluster mode: the sources' frames go to the crossing's frames topic (closed after the sources).
            frames = KafkaFrames.start(config.cluster(), config.name(),
                    org.limes.gateway.cluster.ConfigDigest.of(config.sources()), registry);
            closeables.push(frames);
            // After the frames topic: each destination a consumer group feeding its sink here, and the
            // rules as a Kafka Streams application (closed first, so its last transaction commits).
            closeables.push(SinkRelay.start(config.cluster(), config.name(), storeOutbox, true,
                    storeConfig.routing(), storePlates(storeConfig), registry));
            for (int i = 0; i < config.centres().size(); i++) {
                closeables.push(SinkRelay.start(config.cluster(), config.name(), centreOutboxes.get(i), false,
                        centreDestinations.get(i).routing(), centreDestinations.get(i).plates(), registry));
            }
            closeables.push(ClusterRules.start(config.cluster(), config.name(), data.resolve("streams"), inventory,
                    config.limits(), config.rules(), ruleMetrics, drivers, config.sources(), storeConfig.routing(),
                    storePlates(storeConfig), registry, clock));
        }
        // Cluster mode: the rules run in the Kafka Streams application; the shards here only admit
        // frames for the frames topic, so they hold no rules (a deadman there would hear nothing).
        List<RuleConfig> shardRules = config.cluster() == null ? config.rules() : List.of();
        pipeline = Pipeline.builder().frameLog(frames).gateway(config.name()).config(config.pipeline()).limits(config.limits())
                .inventory(inventory).rules(shardRules).clock(clock)
                .alertState(new AlertStateStore(data.resolve("alerts"), config.name(), ruleMetrics))
                .ruleMetrics(ruleMetrics)
                .store(new Destination(storeOutbox, storeConfig.routing(), storeConfig.pseudonymisePlates() == null
                        ? null : PlatePseudonymiser.from(storeConfig.pseudonymisePlates())))
                .centres(centreDestinations).committer(committer).metrics(new PipelineMetrics(registry)).live(live)
                .pictures(openPictures(data, clock)).deliveryAlerts(deliveryAlerts).build();
        pipeline.start();
        closeables.push(pipeline);
        rules = new RulesReloader(config.rulesFile() == null ? null : Path.of(config.rulesFile()),
                file -> {
                    if (config.cluster() != null) {
                        // Not yet in cluster mode (cluster README, what is next); never into the idle shards.
                        throw new org.limes.gateway.config.ConfigException(file.toString(), "", "is not reloaded in "
                                + "cluster mode: the rules change with a restart of the crossing's instances", null);
                    }
                    return loader.loadRules(file, config.inventory());
                }, (rules, timeout) -> {
                    boolean applied = pipeline.replaceRules(rules, timeout);
                    if (applied) {
                        live.zones(zonesOf(rules));
                    }
                    return applied;
                }, ruleMetrics);
        closeables.push(rules);
        if (config.rulesFile() != null) {
            rules.watch(RULES_POLL_MS);
            LOG.info("rules from {} ({} rules); the file is watched, and SIGHUP reloads it", config.rulesFile(),
                    config.rules().size());
        }

        sources = Sources.start(config.name(), config.sources(), broker, drivers, pipeline, inventory, registry, clock,
                closeables);

        status = new GatewayStatus(sources.mqtt, outboxes, committer, config.outbox().readyMaxAgeS(), clock);
        admin = AdminServer.start(config.admin(), registry, new AdminApi(config.name(), status::health,
                status::ready, live, status::destinations, rules::reload, pictures));
        closeables.push(admin);
        LOG.info("gateway {} running: status page http://{}:{}/ (also /health, /ready, /metrics, /api/...)",
                config.name(), config.admin().host(), admin.port());
    }

    private static PlatePseudonymiser storePlates(StoreConfig store) {
        return store.pseudonymisePlates() == null ? null : PlatePseudonymiser.from(store.pseudonymisePlates());
    }

    /** The zones of every geofence rule, by rule id: what the status page's map draws. */
    private static Map<String, List<GeofenceZone>> zonesOf(List<RuleConfig> rules) {
        Map<String, List<GeofenceZone>> out = new LinkedHashMap<>();
        for (RuleConfig r : rules) {
            if (r instanceof GeofenceRuleConfig g && g.zones() != null) {
                out.put(g.id(), g.zones());
            }
        }
        return out;
    }

    /** The picture store; with the keep policy, swept once a minute for pictures past their age. */
    private PictureStore openPictures(Path data, Clock clock) throws IOException {
        pictures = DataDir.pictures(config.pictures(), data, clock, registry, closeables);
        return pictures;
    }

    /** Reads the {@code rules_file} again and puts its rules in force on every shard (see {@link RulesReloader}). */
    public RulesReload reloadRules() {
        return rules.reload();
    }

    /** The rules reload: on request, on a change of the file, on SIGHUP. */
    public RulesReloader rules() {
        return rules;
    }

    /** Health, readiness and destinations, as the admin API serves them. */
    public GatewayStatus status() {
        return status;
    }

    /** What the gateway sees now: devices, latest values, alerts (the status page's source). */
    public LiveView live() {
        return live;
    }

    public boolean sourcesReady() {
        return status.sourcesReady();
    }

    /** The bound port of a TCP, UDP or HTTP source, by source name (the real one when configured with 0). */
    public int listenerPort(String source) {
        return sources.listenerPort(source);
    }

    public String brokerUri() {
        return broker.uri();
    }

    public String storeUrl() {
        return store.url();
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
