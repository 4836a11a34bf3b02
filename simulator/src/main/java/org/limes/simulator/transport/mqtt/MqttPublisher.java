package org.limes.simulator.transport.mqtt;

import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.limes.gateway.mqtt.NoDelaySocketFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes to an MQTT v5 broker asynchronously, keeping at most as many messages in flight
 * as the broker's receive maximum allows, and counts what the broker acknowledged.
 *
 * <p>The session starts clean, reconnects automatically, and uses TCP sockets with
 * {@code TCP_NODELAY} (Paho leaves Nagle's algorithm on). A message counts as acknowledged
 * when Paho completes its delivery token without an error reason code: on PUBACK at QoS 1,
 * PUBCOMP at QoS 2, and once written to the socket at QoS 0.
 *
 * <p>Threading: {@link #publish} may be called from any thread; it blocks the caller while
 * the in-flight window is full, which is the backpressure. The returned futures complete on
 * Paho's callback thread, so whatever is chained on them must be quick and non-blocking.
 * {@link #close} may be called from any thread once; publishes after it fail.
 */
public final class MqttPublisher implements AutoCloseable {

    /** Upper bound on the in-flight window whatever the broker grants, to bound memory. */
    public static final int MAX_WINDOW = 1024;

    private static final Logger log = LoggerFactory.getLogger(MqttPublisher.class);
    private static final int MQTT_DEFAULT_RECEIVE_MAXIMUM = 65_535;

    private final MqttAsyncClient client;
    private final int window;
    private final Semaphore permits;
    private final Object idle = new Object();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private long inFlight;
    private volatile boolean closed;

    private MqttPublisher(MqttAsyncClient client, int window) {
        this.client = client;
        this.window = window;
        this.permits = new Semaphore(window);
    }

    /**
     * Connects to a broker, waiting at most {@code timeout} for the CONNACK.
     *
     * @param brokerUri e.g. {@code tcp://127.0.0.1:1883}
     * @param clientId  the MQTT client identifier
     * @throws IOException when the broker is unreachable or refuses the connection, naming it
     */
    public static MqttPublisher connect(String brokerUri, String clientId, Duration timeout) throws IOException {
        Objects.requireNonNull(brokerUri, "brokerUri");
        Objects.requireNonNull(clientId, "clientId");
        MqttAsyncClient client;
        try {
            client = new MqttAsyncClient(brokerUri, clientId, new MemoryPersistence());
        } catch (MqttException | IllegalArgumentException e) {
            throw new IOException("invalid broker URI " + brokerUri + ": " + e.getMessage(), e);
        }
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(true);
        options.setAutomaticReconnect(true);
        options.setAutomaticReconnectDelay(1, 30);
        options.setConnectionTimeout((int) Math.max(1, timeout.toSeconds()));
        options.setKeepAliveInterval(30);
        options.setSocketFactory(NoDelaySocketFactory.plain());
        client.setCallback(new ConnectionLogger(brokerUri));
        try {
            IMqttToken token = client.connect(options);
            token.waitForCompletion(timeout.toMillis());
            if (!client.isConnected()) {
                closeQuietly(client);
                throw new IOException("cannot connect to broker " + brokerUri + ": no CONNACK within " + timeout);
            }
            MqttProperties connack = token.getResponseProperties();
            Integer receiveMaximum = connack == null ? null : connack.getReceiveMaximum();
            int granted = receiveMaximum == null ? MQTT_DEFAULT_RECEIVE_MAXIMUM : receiveMaximum;
            return new MqttPublisher(client, Math.max(1, Math.min(granted, MAX_WINDOW)));
        } catch (MqttException e) {
            closeQuietly(client);
            throw new IOException("cannot connect to broker " + brokerUri + ": " + describe(e), e);
        }
    }

    /**
     * Publishes one message, not retained. Blocks while the in-flight window is full.
     *
     * @return completes when the broker acknowledged the message; completes exceptionally
     *         when the publish failed, was refused, or the caller was interrupted. Callbacks on
     *         it run before the message stops counting as in flight (so their effects are visible
     *         once {@link #awaitAllAcknowledged} returns); they run on Paho's thread and must not
     *         publish
     */
    public CompletableFuture<Void> publish(String topic, byte[] payload, int qos) {
        if (qos < 0 || qos > 2) {
            throw new IllegalArgumentException("qos must be 0, 1 or 2, got " + qos);
        }
        CompletableFuture<Void> result = new CompletableFuture<>();
        if (closed) {
            result.completeExceptionally(new IllegalStateException("publisher closed"));
            return result;
        }
        try {
            permits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result.completeExceptionally(e);
            return result;
        }
        sent.incrementAndGet();
        synchronized (idle) {
            inFlight++;
        }
        MqttMessage message = new MqttMessage(payload, qos, false, new MqttProperties());
        try {
            client.publish(topic, message, null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    int refused = firstErrorReason(token.getReasonCodes());
                    if (refused >= 0) {
                        finish(result, new IOException("broker refused publish to " + topic
                                + " with reason code 0x" + Integer.toHexString(refused)));
                    } else {
                        finish(result, null);
                    }
                }

                @Override
                public void onFailure(IMqttToken token, Throwable cause) {
                    finish(result, cause != null ? cause : new IOException("publish to " + topic + " failed"));
                }
            });
        } catch (MqttException | RuntimeException e) {
            finish(result, e);
        }
        return result;
    }

    /**
     * Waits until every message published so far was acknowledged or failed.
     *
     * @return true when nothing is in flight any more, false when the timeout ran out first
     */
    public boolean awaitAllAcknowledged(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (idle) {
            while (inFlight > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(idle, left);
            }
            return true;
        }
    }

    /** Messages handed to the client so far. */
    public long sent() {
        return sent.get();
    }

    /** Messages the broker acknowledged so far. */
    public long acknowledged() {
        return acknowledged.get();
    }

    /** Messages that failed so far (refused, undeliverable or lost with the connection). */
    public long failed() {
        return failed.get();
    }

    /** Messages handed to the client and neither acknowledged nor failed yet. */
    public long inFlight() {
        synchronized (idle) {
            return inFlight;
        }
    }

    /** The in-flight window: the broker's receive maximum, capped at {@link #MAX_WINDOW}. */
    public int window() {
        return window;
    }

    /** Whether the client is connected right now (it reconnects on its own after a loss). */
    public boolean isConnected() {
        return client.isConnected();
    }

    /** Disconnects (waiting briefly for the DISCONNECT to go out) and releases the client. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (client.isConnected()) {
                client.disconnect(2_000).waitForCompletion(3_000);
            }
        } catch (MqttException e) {
            log.debug("disconnect from {} failed: {}", client.getServerURI(), describe(e));
        }
        closeQuietly(client);
    }

    private void finish(CompletableFuture<Void> result, Throwable failure) {
        if (failure == null) {
            acknowledged.incrementAndGet();
        } else {
            failed.incrementAndGet();
        }
        // Complete first: the callers' callbacks (counting deliveries) run before the message stops
        // counting as in flight, so whoever returns from awaitAllAcknowledged sees their effects.
        if (failure == null) {
            result.complete(null);
        } else {
            result.completeExceptionally(failure);
        }
        synchronized (idle) {
            inFlight--;
            if (inFlight == 0) {
                idle.notifyAll();
            }
        }
        permits.release();
    }

    private static int firstErrorReason(int[] reasonCodes) {
        if (reasonCodes != null) {
            for (int code : reasonCodes) {
                if (code >= 0x80) {
                    return code;
                }
            }
        }
        return -1;
    }

    private static String describe(MqttException e) {
        Throwable cause = e.getCause();
        String message = e.getMessage() + " (" + e.getReasonCode() + ")";
        return cause == null ? message : message + ": " + cause.getMessage();
    }

    private static void closeQuietly(MqttAsyncClient client) {
        try {
            client.close(true);
        } catch (MqttException e) {
            log.debug("closing MQTT client for {} failed: {}", client.getServerURI(), describe(e));
        }
    }

    /** Logs connection loss and recovery; incoming messages are not expected. */
    private static final class ConnectionLogger implements QuietMqttCallback {
        private final String brokerUri;

        ConnectionLogger(String brokerUri) {
            this.brokerUri = brokerUri;
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {
            log.warn("lost connection to {}: {}; reconnecting", brokerUri, response.getReasonString());
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
            log.warn("MQTT error from {}: {}", brokerUri, describe(exception));
        }

        @Override
        public void connectComplete(boolean reconnect, String serverURI) {
            if (reconnect) {
                log.info("reconnected to {}", serverURI);
            }
        }
    }
}
