package org.limes.simulator.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
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
 * redeliveries as a centre should. At most {@code MAX_EVENTS} ids are remembered per
 * centre; beyond that, transitions are counted as received but not deduplicated.
 */
public final class CentreListener implements AutoCloseable {

    private static final int MAX_EVENTS = 100_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final MqttClient client;
    private final Map<String, String> centreByTopic;
    private final Map<String, Set<String>> events = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> overflow = new ConcurrentHashMap<>();
    private final AtomicLong malformed = new AtomicLong();

    private CentreListener(MqttClient client, Map<String, String> centreByTopic) {
        this.client = client;
        this.centreByTopic = centreByTopic;
        centreByTopic.values().forEach(c -> {
            events.put(c, ConcurrentHashMap.newKeySet());
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
            Set<String> seen = events.get(centre);
            if (seen.size() >= MAX_EVENTS && !seen.contains(id)) {
                overflow.get(centre).incrementAndGet();
                return;
            }
            seen.add(id);
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
        return events.get(centre).stream().filter(id -> id.endsWith(":" + state)).count();
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
