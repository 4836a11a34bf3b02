package org.limes.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * A centre's receiving end in tests: a persistent MQTT session on the centre's topic that
 * records every alert in arrival order with its arrival time, resubscribing after a
 * broker restart.
 */
final class CentreRecorder implements AutoCloseable, MqttCallback {

    /** One received alert: its JSON and when it arrived (epoch ms). */
    record Received(JsonNode alert, long arrivedAtMs) {
        String eventId() {
            return alert.path("event_id").asText();
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final MqttAsyncClient client;
    private final String topic;
    private final List<Received> received = new ArrayList<>();

    CentreRecorder(String brokerUri, String topic, String clientId) throws MqttException {
        this.topic = topic;
        this.client = new MqttAsyncClient(brokerUri, clientId, new MemoryPersistence());
        client.setCallback(this);
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(false);
        o.setSessionExpiryInterval(3600L);
        o.setAutomaticReconnect(true);
        o.setAutomaticReconnectDelay(1, 2);
        client.connect(o).waitForCompletion(10_000);
        client.subscribe(topic, 1).waitForCompletion(10_000);
    }

    synchronized List<Received> received() {
        return List.copyOf(received);
    }

    /** Distinct event ids, in order of first arrival. */
    synchronized List<String> distinctEventIds() {
        Set<String> ids = new LinkedHashSet<>();
        received.forEach(r -> ids.add(r.eventId()));
        return new ArrayList<>(ids);
    }

    /** Distinct event ids per device, in order of first arrival. */
    synchronized Map<String, List<String>> eventIdsByDevice() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        Set<String> seen = new LinkedHashSet<>();
        for (Received r : received) {
            if (seen.add(r.eventId())) {
                out.computeIfAbsent(r.alert().path("device").asText(), d -> new ArrayList<>()).add(r.eventId());
            }
        }
        return out;
    }

    @Override
    public synchronized void messageArrived(String t, MqttMessage message) throws Exception {
        received.add(new Received(JSON.readTree(message.getPayload()), System.currentTimeMillis()));
    }

    @Override
    public void connectComplete(boolean reconnect, String serverUri) {
        if (reconnect) {
            try {
                client.subscribe(topic, 1);
            } catch (MqttException e) {
                // The persistent session still holds the subscription if the broker kept it.
            }
        }
    }

    @Override
    public void disconnected(MqttDisconnectResponse response) {
    }

    @Override
    public void mqttErrorOccurred(MqttException exception) {
    }

    @Override
    public void deliveryComplete(IMqttToken token) {
    }

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {
    }

    @Override
    public void close() throws MqttException {
        if (client.isConnected()) {
            client.disconnect().waitForCompletion(5_000);
        }
        client.close(true);
    }
}
