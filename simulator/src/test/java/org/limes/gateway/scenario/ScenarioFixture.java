package org.limes.gateway.scenario;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.limes.drivers.Drivers;
import org.limes.gateway.Gateway;
import org.limes.gateway.config.ConfigLoader;
import org.limes.gateway.config.GatewayConfig;
import org.limes.gateway.embedded.QuestDbClient;
import org.limes.gateway.rules.RuleConfig;
import org.limes.gateway.testing.MqttTestSubscriber;
import org.limes.simulator.scenario.Scenario;
import org.limes.simulator.scenario.ScenarioLoader;
import org.limes.simulator.scenario.ScenarioResult;
import org.limes.simulator.scenario.ScenarioRunner;
import org.limes.simulator.transport.TargetConfig;

/**
 * A whole gateway in-process (embedded HiveMQ, embedded QuestDB) with the two centres
 * Tripoli and Benghazi on its broker, a recorder of the alerts each centre receives, and
 * the simulator's scenario runner pointed at the gateway's listeners.
 */
final class ScenarioFixture implements AutoCloseable {

    static final Path SCENARIOS = Path.of("..", "config", "scenarios");
    static final List<String> CENTRES = List.of("tripoli", "benghazi");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Gateway gateway;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final MqttTestSubscriber centres;
    private final Map<String, List<JsonNode>> alerts = new TreeMap<>();
    private final List<MqttTestSubscriber> taps = new ArrayList<>();

    /**
     * @param sources   the {@code sources:} list items
     * @param inventory the {@code inventory:} body
     * @param rules     the {@code rules:} list items (may be empty)
     */
    ScenarioFixture(Path data, String sources, String inventory, String rules) throws Exception {
        this(data, sources, inventory, rules, """
                - {name: tripoli, topic: test/centre/tripoli}
                - {name: benghazi, topic: test/centre/benghazi}
                """);
    }

    /** As above with the given {@code centres:} list items; the recorder listens on the gateway's broker. */
    ScenarioFixture(Path data, String sources, String inventory, String rules, String centreItems) throws Exception {
        this(data, sources, inventory, rules, centreItems, "");
    }

    /** As above, with {@code extra} top-level YAML appended (e.g. a {@code pictures:} section). */
    ScenarioFixture(Path data, String sources, String inventory, String rules, String centreItems, String extra)
            throws Exception {
        String yaml = ("""
                name: scenario-gw
                data_dir: %s
                mqtt: {broker: embedded, port: 0}
                store: {kind: embedded, http_port: 0}
                admin: {host: 127.0.0.1, port: 0}
                sources:
                %s
                inventory:
                %s
                rules:%s
                centres:
                %s
                outbox: {max_bytes: 67108864, segment_bytes: 1048576, sync_interval_ms: 5}
                """ + extra).formatted(data.toString().replace("\\", "/"), sources.stripTrailing().indent(2).stripTrailing(),
                inventory.stripTrailing().indent(2).stripTrailing(),
                rules.isBlank() ? " []" : "\n" + rules.stripTrailing().indent(2).stripTrailing(),
                centreItems.stripTrailing().indent(2).stripTrailing());
        Drivers drivers = Drivers.load();
        GatewayConfig config = new ConfigLoader(drivers).parse("scenario-gw.yml", yaml);
        gateway = Gateway.start(config, drivers, registry, Clock.systemUTC());
        CENTRES.forEach(c -> alerts.put(c, new ArrayList<>()));
        centres = MqttTestSubscriber.start(gateway.brokerUri(), "scenario-centres",
                CENTRES.stream().map(c -> "test/centre/" + c).toList(),
                (t, m) -> record(t.substring("test/centre/".length()), m.getPayload()));
    }

    /** Also records what {@code centre} receives on {@code topic} of another broker (a centre's own). */
    void tap(String centre, String brokerUri, String topic) throws Exception {
        synchronized (this) {
            alerts.put(centre, new ArrayList<>());
        }
        taps.add(MqttTestSubscriber.start(brokerUri, "scenario-tap-" + centre, List.of(topic),
                (t, m) -> record(centre, m.getPayload())));
    }

    /** Whether the config loader knows a rule type (geofence and watchlist are still to come). */
    static boolean ruleTypeKnown(String type) {
        JsonSubTypes subTypes = RuleConfig.class.getAnnotation(JsonSubTypes.class);
        for (JsonSubTypes.Type t : subTypes.value()) {
            if (t.name().equals(type)) {
                return true;
            }
        }
        return false;
    }

    Gateway gateway() {
        return gateway;
    }

    QuestDbClient store() {
        return new QuestDbClient(gateway.storeUrl());
    }

    /** Plays a scenario with its targets pointed at this gateway. */
    ScenarioResult play(Scenario s, UnaryOperator<TargetConfig> retarget) throws Exception {
        Map<String, TargetConfig> targets = new TreeMap<>();
        s.targets().forEach((name, t) -> targets.put(name, retarget.apply(t)));
        return new ScenarioRunner(s.with(targets, s.speed(), null, null), Clock.systemUTC()).run(p -> { }, null);
    }

    /** Distinct event ids a centre received. */
    synchronized Set<String> eventIds(String centre) {
        Set<String> ids = new LinkedHashSet<>();
        alerts.getOrDefault(centre, List.of()).forEach(a -> ids.add(a.path("event_id").asText()));
        return ids;
    }

    /** Plays a scenario file with its targets pointed at this gateway and the given speed. */
    ScenarioResult play(String file, UnaryOperator<TargetConfig> retarget, double speed) throws Exception {
        Scenario s = new ScenarioLoader().load(SCENARIOS.resolve(file));
        Map<String, TargetConfig> targets = new TreeMap<>();
        s.targets().forEach((name, t) -> targets.put(name, retarget.apply(t)));
        return new ScenarioRunner(s.with(targets, speed, null, null), Clock.systemUTC()).run(p -> { }, null);
    }

    /** The broker URI for MQTT targets. */
    TargetConfig mqtt(TargetConfig t) {
        return t.withUri(gateway.brokerUri());
    }

    /** The address of a TCP, UDP or HTTP listener for a target. */
    TargetConfig listener(TargetConfig t, String source) {
        int port = gateway.listenerPort(source);
        String uri = switch (t.type()) {
            case "http" -> "http://127.0.0.1:" + port + java.net.URI.create(t.uri()).getPath();
            default -> t.type() + "://127.0.0.1:" + port;
        };
        return t.withUri(uri);
    }

    /** Every alert message a centre received, as JSON, in arrival order. */
    synchronized List<JsonNode> alerts(String centre) {
        return List.copyOf(alerts.getOrDefault(centre, List.of()));
    }

    /** Distinct alert transitions a centre received, as {@code rule/device:state}, in arrival order. */
    synchronized List<String> transitions(String centre) {
        if (!alerts.containsKey(centre)) {
            return List.of();
        }
        Set<String> seen = new LinkedHashSet<>();
        Set<String> out = new LinkedHashSet<>();
        for (JsonNode a : alerts.get(centre)) {
            if (seen.add(a.path("event_id").asText())) {
                out.add(a.path("rule").asText() + "/" + a.path("device").asText() + ":" + a.path("state").asText()
                        + "#" + a.path("alert_id").asText());
            }
        }
        return out.stream().map(s -> s.substring(0, s.indexOf('#'))).toList();
    }

    double counter(String name, String... tags) {
        return registry.find(name).tags(tags).counters().stream().mapToDouble(Counter::count).sum();
    }

    private synchronized void record(String centre, byte[] payload) {
        try {
            alerts.get(centre).add(JSON.readTree(payload));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("a centre received something that is not JSON", e);
        }
    }

    static Duration seconds(long s) {
        return Duration.ofSeconds(s);
    }

    @Override
    public void close() throws Exception {
        try {
            for (MqttTestSubscriber t : taps) {
                t.close();
            }
            centres.close();
        } finally {
            gateway.close();
        }
    }
}
