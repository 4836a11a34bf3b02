package org.limes.simulator.bench;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.limes.gateway.mqtt.NoDelaySocketFactory;

/**
 * A plain MQTT subscriber that only counts what it receives, and when the last message came:
 * the broker's own delivery limit, with nothing behind it. Paho acknowledges each message
 * when {@code messageArrived} returns.
 *
 * <p>Threading: counting happens on Paho's callback thread; the accessors are safe from any thread.
 */
final class DeliveryCounter implements MqttCallback, AutoCloseable {

    private final MqttAsyncClient client;
    private final AtomicLong received = new AtomicLong();
    private volatile long lastArrivalNanos;

    private DeliveryCounter(MqttAsyncClient client) {
        this.client = client;
    }

    /**
     * Connects as {@code clientId} and subscribes to {@code filter} (a {@code $share/…} filter
     * for several counters splitting one stream) at {@code qos}; returns once the SUBACK arrived.
     */
    static DeliveryCounter subscribe(String brokerUri, String clientId, String filter, int qos) throws IOException {
        try {
            MqttAsyncClient client = new MqttAsyncClient(brokerUri, clientId, new MemoryPersistence());
            DeliveryCounter counter = new DeliveryCounter(client);
            client.setCallback(counter);
            MqttConnectionOptions options = new MqttConnectionOptions();
            options.setCleanStart(true);
            options.setSocketFactory(NoDelaySocketFactory.plain());
            options.setReceiveMaximum(65_535);
            client.connect(options).waitForCompletion(10_000);
            client.subscribe(new MqttSubscription(filter, qos)).waitForCompletion(10_000);
            return counter;
        } catch (MqttException e) {
            throw new IOException("bench subscriber cannot connect to " + brokerUri + ": " + e.getMessage(), e);
        }
    }

    long received() {
        return received.get();
    }

    long lastArrivalNanos() {
        return lastArrivalNanos;
    }

    /** Waits until {@code expected} messages arrived, or no message came for {@code stallMs}. */
    boolean await(long expected, long stallMs) throws InterruptedException {
        long seen = -1;
        long progressAt = System.nanoTime();
        while (received.get() < expected) {
            long now = received.get();
            if (now != seen) {
                seen = now;
                progressAt = System.nanoTime();
            } else if (System.nanoTime() - progressAt > TimeUnit.MILLISECONDS.toNanos(stallMs)) {
                return false;
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
        return true;
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
        lastArrivalNanos = System.nanoTime();
        received.incrementAndGet();
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                client.disconnect(2_000).waitForCompletion(3_000);
            }
            client.close(true);
        } catch (MqttException e) {
            // the counter is done either way
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
    public void connectComplete(boolean reconnect, String serverUri) {
    }

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {
    }
}
