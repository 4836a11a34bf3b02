package org.limes.simulator.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttSubscription;

/**
 * Plays the centres' side in the demo: subscribes to each centre's alert topic and counts
 * the distinct alert transitions (by {@code event_id}) each one received, dropping
 * redeliveries as a centre should, and which rule each came from. At most {@code MAX_EVENTS}
 * ids are remembered per centre; beyond that, transitions are counted as received but not
 * deduplicated, and not by rule.
 */
public final class CentreListener implements AutoCloseable {

    private static final int MAX_EVENTS = 100_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final MqttClient client;
    private final Map<String, String> centreByTopic;
    /** centre → event id → rule. */
    private final Map<String, Map<String, String>> events = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> overflow = new ConcurrentHashMap<>();
    private final AtomicLong malformed = new AtomicLong();

    private CentreListener(MqttClient client, Map<String, String> centreByTopic) {
        this.client = client;
        this.centreByTopic = centreByTopic;
        centreByTopic.values().forEach(c -> {
            events.put(c, new ConcurrentHashMap<>());
            overflow.put(c, new AtomicLong());
        });
    }

    /** Connects and subscribes at QoS 1; returns once the subscriptions are in place. */
    public static CentreListener start(String brokerUri, Map<String, String> centreByTopic) throws MqttException {
        MqttClient client = new MqttClient(brokerUri, "limes-demo-centres-" + ProcessHandle.current().pid(),
                new MemoryPersistence());
        CentreListener listener = new CentreListener(client, Map.copyOf(centreByTopic));
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        o.setAutomaticReconnect(true);
        client.connect(o);
        MqttSubscription[] subs = centreByTopic.keySet().stream().map(t -> new MqttSubscription(t, 1))
                .toArray(MqttSubscription[]::new);
        client.subscribe(subs, centreByTopic.keySet().stream().map(t -> (org.eclipse.paho.mqttv5.client
                .IMqttMessageListener) (topic, msg) -> listener.received(topic, msg.getPayload()))
                .toArray(org.eclipse.paho.mqttv5.client.IMqttMessageListener[]::new));
        return listener;
    }

    private void received(String topic, byte[] payload) {
        String centre = centreByTopic.get(topic);
        if (centre == null) {
            return;
        }
        try {
            JsonNode n = JSON.readTree(payload);
            String id = n.path("event_id").asText("");
            if (id.isEmpty()) {
                malformed.incrementAndGet();
                return;
            }
            Map<String, String> seen = events.get(centre);
            if (seen.size() >= MAX_EVENTS && !seen.containsKey(id)) {
                overflow.get(centre).incrementAndGet();
                return;
            }
            seen.putIfAbsent(id, n.path("rule").asText(""));
        } catch (java.io.IOException e) {
            malformed.incrementAndGet();
        }
    }

    /** Distinct alert transitions received, per centre. */
    public Map<String, Long> delivered() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String centre : centreByTopic.values().stream().sorted().toList()) {
            out.put(centre, events.get(centre).size() + overflow.get(centre).get());
        }
        return out;
    }

    /** Distinct transitions of one state ({@code raised} or {@code cleared}) seen by a centre. */
    public long delivered(String centre, String state) {
        return events.get(centre).keySet().stream().filter(id -> id.endsWith(":" + state)).count();
    }

    /**
     * Per rule, the raises and clears every centre received: for each, the smallest count over
     * the centres (a transition one centre missed does not count). A clear with a reason
     * ({@code …:cleared:rule_removed}) counts as a clear.
     */
    public Map<String, Transitions> byRule() {
        Map<String, Transitions> out = new TreeMap<>();
        boolean first = true;
        for (Map<String, String> seen : events.values()) {
            Map<String, long[]> counts = new TreeMap<>();
            seen.forEach((id, rule) -> {
                long[] c = counts.computeIfAbsent(rule, r -> new long[2]);
                if (id.endsWith(":raised")) {
                    c[0]++;
                } else if (id.contains(":cleared")) {
                    c[1]++;
                }
            });
            if (first) {
                counts.forEach((rule, c) -> out.put(rule, new Transitions(c[0], c[1])));
                first = false;
            } else {
                out.replaceAll((rule, t) -> {
                    long[] c = counts.getOrDefault(rule, new long[2]);
                    return new Transitions(Math.min(t.raised(), c[0]), Math.min(t.cleared(), c[1]));
                });
            }
        }
        return out;
    }

    /** Raises and clears of one rule. */
    public record Transitions(long raised, long cleared) {
    }

    public long malformed() {
        return malformed.get();
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                client.disconnect();
            }
            client.close();
        } catch (MqttException e) {
            // Closing the demo's own listener; nothing to recover.
        }
    }
}
