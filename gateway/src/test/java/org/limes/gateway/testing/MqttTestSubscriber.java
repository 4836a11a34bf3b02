package org.limes.gateway.testing;

import java.util.List;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;

/**
 * The tests' MQTT subscriber: connects, subscribes to one or more topic filters at QoS 1 and hands
 * every message to one handler. The handler is attached with the subscription, so no message that
 * arrives after the SUBACK is missed; {@link #start} returns once the broker has granted it.
 *
 * <p>Threading: the handler runs on Paho's callback thread, one message at a time; collect into a
 * concurrent (or synchronised) structure and wait with Awaitility. A handler that throws makes Paho
 * drop the connection, so decode failures are best collected, not thrown.
 *
 * <p>For a persistent session that resubscribes after a broker restart, or for manual
 * acknowledgements, write the client out: this one is the plain case.
 */
public final class MqttTestSubscriber implements AutoCloseable {

    /** Receives one message; runs on Paho's callback thread. */
    @FunctionalInterface
    public interface Handler {
        void received(String topic, MqttMessage message) throws Exception;
    }

    private final MqttClient client;
    private final int[] granted;

    private MqttTestSubscriber(MqttClient client, int[] granted) {
        this.client = client;
        this.granted = granted;
    }

    /** Subscribes {@code clientId} to {@code topicFilters} at QoS 1, with a clean session. */
    public static MqttTestSubscriber start(String brokerUri, String clientId, List<String> topicFilters,
            Handler handler) throws MqttException {
        return start(brokerUri, clientId, new MqttConnectionOptions(), topicFilters, handler);
    }

    /** As {@link #start(String, String, List, Handler)}, connecting with {@code options} (credentials, TLS). */
    public static MqttTestSubscriber start(String brokerUri, String clientId, MqttConnectionOptions options,
            List<String> topicFilters, Handler handler) throws MqttException {
        MqttClient client = new MqttClient(brokerUri, clientId, new MemoryPersistence());
        try {
            client.connect(options);
            IMqttMessageListener listener = handler::received;
            IMqttToken token = client.subscribe(
                    topicFilters.stream().map(t -> new MqttSubscription(t, 1)).toArray(MqttSubscription[]::new),
                    topicFilters.stream().map(t -> listener).toArray(IMqttMessageListener[]::new));
            return new MqttTestSubscriber(client, token.getReasonCodes());
        } catch (MqttException | RuntimeException e) {
            closeQuietly(client);
            throw e;
        }
    }

    /** The SUBACK's reason codes, one per topic filter: the granted QoS (0..2), or an error code (>= 0x80). */
    public int[] granted() {
        return granted.clone();
    }

    /** Whether the client is connected now. */
    public boolean isConnected() {
        return client.isConnected();
    }

    @Override
    public void close() throws MqttException {
        close(client);
    }

    private static void closeQuietly(MqttClient client) {
        try {
            close(client);
        } catch (MqttException ignored) {
            // it did not connect or subscribe; the first failure is the one reported
        }
    }

    private static void close(MqttClient client) throws MqttException {
        if (client.isConnected()) {
            client.disconnect();
        }
        client.close();
    }
}
