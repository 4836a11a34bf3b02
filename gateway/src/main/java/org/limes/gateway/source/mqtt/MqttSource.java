package org.limes.gateway.source.mqtt;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.SocketFactory;
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
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.limes.drivers.Driver;
import org.limes.drivers.Drivers;
import org.limes.drivers.Frame;
import org.limes.gateway.config.MqttConfig;
import org.limes.gateway.config.Secrets;
import org.limes.gateway.mqtt.MqttReasons;
import org.limes.gateway.mqtt.NoDelaySocketFactory;
import org.limes.gateway.pipeline.Pipeline;
import org.limes.gateway.sink.Backoff;
import org.limes.gateway.source.SourceMetrics;
import org.limes.gateway.tls.SslContextLoader;
import org.limes.gateway.tls.TlsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ingests device messages from an MQTT broker with Eclipse Paho's MQTT 5 client.
 *
 * <p>A persistent session (clean start off, session expiry above zero, a stable client
 * id) subscribed at QoS 1, so the broker keeps messages while the gateway is away.
 * Acknowledgements are manual: a message's PUBACK is sent only once everything it produced
 * is durable in the outboxes, and in arrival order ({@link OrderedAcks}). The receive
 * maximum bounds how many messages are in flight unacknowledged, which is this source's
 * backpressure: when the pipeline is slow the broker holds the rest.
 *
 * <p>Security: an {@code ssl://} broker is verified against {@code tls.ca_file} (or the JVM's
 * roots) with host-name checking; the user name and password (read from a file or the
 * environment, never logged) authenticate the gateway. With {@code identity_from}, each
 * frame carries the device identity the broker authenticated (a topic level its ACL ties to
 * the publisher's user name, or a user property it sets), and the pipeline drops readings
 * naming another device. A message without that identity is dropped
 * ({@code limes.dropped{reason=no_identity}}).
 *
 * <p>Threading: Paho calls {@link #messageArrived} on its callback thread; it decodes and
 * hands off to the pipeline, waiting only when the pipeline's bounded queue is full. It
 * never does I/O there. The first connection is retried with backoff on a thread of its
 * own; after that Paho's automatic reconnect resubscribes in {@link #connectComplete}.
 */
public final class MqttSource implements MqttIngest, AutoCloseable, MqttCallback {

    private static final Logger LOG = LoggerFactory.getLogger(MqttSource.class);

    private final MqttSourceConfig config;
    private final String brokerUri;
    private final Pipeline pipeline;
    private final SourceMetrics metrics;
    private final Clock clock;
    private final TopicRoutes routes;
    private final OrderedAcks acks;
    private final Thread connector;
    private volatile boolean running = true;
    private volatile boolean subscribed;
    private final MqttAsyncClient client;
    private final SocketFactory socketFactory;
    private final int identityLevel;

    public MqttSource(MqttSourceConfig config, String brokerUri, Drivers drivers, Pipeline pipeline,
            SourceMetrics metrics, Clock clock) throws MqttException {
        this.config = config;
        this.brokerUri = brokerUri;
        this.pipeline = pipeline;
        this.metrics = metrics;
        this.clock = clock;
        this.routes = new TopicRoutes(config, drivers);
        this.client = new MqttAsyncClient(brokerUri, config.clientId(), new MemoryPersistence());
        this.client.setManualAcks(true);
        this.client.setCallback(this);
        this.acks = new OrderedAcks(this::sendAck);
        this.identityLevel = config.identityFrom() == null ? 0 : MqttSourceConfig.identityLevel(config.identityFrom());
        if (MqttConfig.tlsScheme(brokerUri)) {
            socketFactory = SslContextLoader.load(config.tls() == null ? new TlsConfig(null, null, null) : config.tls())
                    .getSocketFactory();
        } else if (config.tls() != null) {
            throw new IllegalArgumentException("source " + config.name() + ": tls needs an ssl:// or wss:// broker, "
                    + "and the broker is " + brokerUri);
        } else {
            socketFactory = null;
        }
        this.connector = new Thread(this::connectUntilConnected, "limes-source-" + config.name() + "-connect");
        this.connector.setDaemon(true);
    }

    /** Starts connecting in the background; returns at once. */
    public void start() {
        connector.start();
    }

    /** True once connected and subscribed. */
    @Override
    public boolean ready() {
        return client.isConnected() && subscribed;
    }

    private void connectUntilConnected() {
        Backoff backoff = new Backoff(500, 30_000);
        while (running && !client.isConnected()) {
            try {
                client.connect(options()).waitForCompletion(15_000);
                LOG.info("source {}: connected to {} as {}", config.name(), brokerUri, config.clientId());
                return;
            } catch (MqttException e) {
                metrics.error("connect");
                long delay = backoff.nextDelayMs();
                LOG.warn("source {}: cannot connect to {} ({}); retrying in {} ms", config.name(), brokerUri,
                        e.getMessage(), delay);
                Backoff.pause(clock, delay, () -> running);
            }
        }
    }

    private MqttConnectionOptions options() {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(false);
        o.setSessionExpiryInterval((long) config.sessionExpirySeconds());
        o.setAutomaticReconnect(true);
        o.setAutomaticReconnectDelay(1, 30);
        o.setReceiveMaximum(config.maxInflight());
        o.setKeepAliveInterval(30);
        o.setConnectionTimeout(10);
        if (socketFactory != null) {
            o.setSocketFactory(socketFactory);
            o.setHttpsHostnameVerificationEnabled(true);
        } else if (brokerUri.startsWith("tcp://") || brokerUri.startsWith("mqtt://")) {
            // Acknowledgements go out in batches after each group commit: without TCP_NODELAY
            // every batch but the first waits for the broker's delayed ACK (about 40 ms).
            o.setSocketFactory(NoDelaySocketFactory.plain());
        }
        if (config.username() != null) {
            o.setUserName(config.username());
            if (config.passwordFile() != null || config.passwordEnv() != null) {
                o.setPassword(Secrets.read(config.passwordFile(), config.passwordEnv())
                        .getBytes(StandardCharsets.UTF_8));
            }
        }
        return o;
    }

    @Override
    public void connectComplete(boolean reconnect, String serverUri) {
        List<TopicFilter> filters = routes.filters();
        MqttSubscription[] subs = new MqttSubscription[filters.size()];
        for (int i = 0; i < subs.length; i++) {
            subs[i] = new MqttSubscription(filters.get(i).toString(), 1);
        }
        try {
            // The listener goes with the request: set on the token afterwards, a fast SUBACK could beat it.
            client.subscribe(subs, null, new org.eclipse.paho.mqttv5.client.MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken t) {
                    Suback suback = Suback.of(filters.stream().map(TopicFilter::toString).toList(),
                            t.getReasonCodes());
                    if (!suback.refused().isEmpty()) {
                        metrics.error("subscribe");
                        LOG.error("source {}: the broker refused the subscription to {} (0x87: not authorised, check"
                                + " its ACL); the source is not ready and gets nothing on those filters",
                                config.name(), suback.refused());
                        return;
                    }
                    if (!suback.downgraded().isEmpty()) {
                        LOG.warn("source {}: the broker granted only QoS 0 on {}: messages there are not "
                                + "acknowledged after the outbox and may be lost", config.name(), suback.downgraded());
                    }
                    subscribed = true;
                    LOG.info("source {}: subscribed to {}", config.name(), filters);
                }

                @Override
                public void onFailure(IMqttToken t, Throwable e) {
                    metrics.error("subscribe");
                    LOG.error("source {}: subscribing failed: {}", config.name(), e.toString());
                }
            }, new MqttProperties());
        } catch (MqttException e) {
            metrics.error("subscribe");
            LOG.error("source {}: subscribing failed: {}", config.name(), e.getMessage());
        }
    }

    /**
     * What a SUBACK granted: MQTT 5 reports each filter's granted QoS, or a failure code (0x80
     * and up, e.g. 0x87 not authorised by the broker's ACL), and Paho completes the subscribe
     * as a success either way.
     *
     * @param refused    the filters the broker refused, with their codes
     * @param downgraded the filters granted only QoS 0
     */
    record Suback(List<String> refused, List<String> downgraded) {

        /** {@code codes[i]} answers {@code filters.get(i)}; a missing code counts as granted. */
        static Suback of(List<String> filters, int[] codes) {
            List<String> refused = new ArrayList<>();
            List<String> downgraded = new ArrayList<>();
            for (int i = 0; i < filters.size(); i++) {
                int code = codes != null && i < codes.length ? codes[i] : 1;
                if (code >= 0x80) {
                    refused.add(filters.get(i) + " (0x" + Integer.toHexString(code) + ")");
                } else if (code == 0) {
                    downgraded.add(filters.get(i));
                }
            }
            return new Suback(List.copyOf(refused), List.copyOf(downgraded));
        }
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
        byte[] payload = message.getPayload();
        metrics.received(payload.length);
        int qos = message.getQos();
        OrderedAcks.Slot slot = qos > 0 ? acks.arrived(message.getId()) : null;
        Runnable ack = slot == null ? () -> { } : () -> acks.ready(slot);
        Driver driver = routes.driverFor(topic);
        if (driver == null) {
            metrics.dropped("no_route");
            ack.run();
            return;
        }
        String identity = null;
        if (config.identityFrom() != null) {
            identity = identity(topic, message.getProperties());
            if (identity == null) {
                metrics.dropped("no_identity");
                ack.run();
                return;
            }
        }
        try {
            pipeline.submit(new Frame(payload, config.name(), topic, clock.instant(), identity), driver, ack);
        } catch (InterruptedException e) {
            // Unacknowledged: the broker redelivers it to the next session.
            Thread.currentThread().interrupt();
        }
    }

    /** The broker-authenticated device of a message, or null when it carries none. */
    private String identity(String topic, MqttProperties properties) {
        if (identityLevel >= 0) {
            return TopicRoutes.level(topic, identityLevel);
        }
        if (properties == null || properties.getUserProperties() == null) {
            return null;
        }
        String found = null;
        for (UserProperty p : properties.getUserProperties()) {
            if (MqttSourceConfig.USERNAME_PROPERTY.equals(p.getKey())) {
                if (found != null) {
                    return null;
                }
                found = p.getValue();
            }
        }
        return found == null || found.isEmpty() ? null : found;
    }


    private void sendAck(int messageId) {
        if (!running) {
            return;
        }
        try {
            client.messageArrivedComplete(messageId, 1);
            metrics.acknowledged();
        } catch (MqttException e) {
            metrics.error("ack");
            LOG.warn("source {}: acknowledging message {} failed: {} (the broker will redeliver it)", config.name(),
                    messageId, e.getMessage());
        }
    }

    @Override
    public void disconnected(MqttDisconnectResponse response) {
        subscribed = false;
        acks.reset();
        metrics.error("disconnected");
        LOG.warn("source {}: disconnected from {} ({}); reconnecting, the broker keeps the session", config.name(),
                brokerUri, MqttReasons.describe(response));
    }

    @Override
    public void mqttErrorOccurred(MqttException exception) {
        metrics.error("protocol");
        LOG.warn("source {}: MQTT error: {}", config.name(), exception.getMessage());
    }

    @Override
    public void deliveryComplete(IMqttToken token) {
        // This client only subscribes.
    }

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {
        // No enhanced authentication.
    }

    /** Disconnects; messages in flight stay unacknowledged and are redelivered next session. */
    @Override
    public void close() {
        running = false;
        try {
            connector.join(TimeUnit.SECONDS.toMillis(20));
            if (client.isConnected()) {
                client.disconnect(2_000).waitForCompletion(3_000);
            }
            client.close(true);
        } catch (MqttException e) {
            LOG.debug("source {}: closing: {}", config.name(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
