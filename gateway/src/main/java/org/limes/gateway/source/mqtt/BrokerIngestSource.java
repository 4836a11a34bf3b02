package org.limes.gateway.source.mqtt;

import com.hivemq.extension.sdk.api.async.Async;
import com.hivemq.extension.sdk.api.async.TimeoutFallback;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundInput;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundOutput;
import com.hivemq.extension.sdk.api.packets.general.Qos;
import com.hivemq.extension.sdk.api.packets.general.UserProperties;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.packets.publish.PublishPacket;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.limes.drivers.Driver;
import org.limes.drivers.Drivers;
import org.limes.drivers.Frame;
import org.limes.gateway.embedded.EmbeddedBroker;
import org.limes.gateway.pipeline.Pipeline;
import org.limes.gateway.source.SourceMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ingests device messages inside the embedded broker: an {@link EmbeddedBroker.Ingest} that
 * claims every PUBLISH whose topic matches one of the source's filters and hands it straight
 * to the pipeline, with no loopback client and no broker queue in between.
 *
 * <p>The same contract as {@link MqttSource}'s manual acknowledgements: the interceptor's
 * output is made asynchronous and resumed only once everything the frame produced is durable
 * in the outboxes, so HiveMQ sends the device's PUBACK (PUBREC for QoS 2) after the fsync;
 * resumptions are released in arrival order per client ({@link ClientAcks}), though shards
 * finish frames in any order. The device's own receive maximum (the broker's
 * {@code server-receive-maximum}) bounds its unacknowledged publishes, so the in-flight
 * frames per client are bounded as with the client source.
 *
 * <p>Answers: a stored frame, or a malformed frame or one without a route or identity
 * (counted and dropped as {@link MqttSource} drops them; a redelivery would not mend it), is
 * answered with success, its delivery to subscribers prevented unless
 * {@code route_to_subscribers} asks for it. A frame the gateway cannot take (closing, or the
 * pipeline refused it) is answered with {@code 0x83} implementation specific error, and one
 * the pipeline did not make durable within {@link #ACK_TIMEOUT} with {@code 0x80} unspecified
 * error: the device knows it was not stored and may publish it again. In cluster mode a frame
 * the Kafka cluster did not take (fewer in-sync replicas than {@code min.insync.replicas}, or
 * no answer within {@code produce_timeout_ms}) is answered with {@code 0x83} too, never with
 * success.
 *
 * <p>Threading: {@link #intercept} runs on HiveMQ's extension threads, in arrival order per
 * client; it waits only when the pipeline's bounded queue is full (backpressure: HiveMQ stops
 * answering, and the devices' receive maximum stops them). Acknowledgements run on the outbox
 * committer's thread. {@link #start} and {@link #close} by the owner, once.
 */
public final class BrokerIngestSource implements MqttIngest, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerIngestSource.class);

    /** How long a device waits for its PUBACK before the broker answers with an error instead. */
    static final Duration ACK_TIMEOUT = Duration.ofSeconds(60);

    private final MqttSourceConfig config;
    private final EmbeddedBroker broker;
    private final Pipeline pipeline;
    private final SourceMetrics metrics;
    private final Clock clock;
    private final TopicRoutes routes;
    private final int identityLevel;
    private final boolean routeToSubscribers;
    private final ConcurrentHashMap<String, ClientAcks> clients = new ConcurrentHashMap<>();
    private volatile boolean running = true;
    private volatile AutoCloseable attachment;

    public BrokerIngestSource(MqttSourceConfig config, EmbeddedBroker broker, Drivers drivers, Pipeline pipeline,
            SourceMetrics metrics, Clock clock) {
        this.config = config;
        this.broker = broker;
        this.pipeline = pipeline;
        this.metrics = metrics;
        this.clock = clock;
        this.routes = new TopicRoutes(config, drivers);
        this.identityLevel = config.identityFrom() == null ? 0 : MqttSourceConfig.identityLevel(config.identityFrom());
        this.routeToSubscribers = Boolean.TRUE.equals(config.routeToSubscribers());
    }

    /** Attaches to the broker: from now on the publishes on this source's filters come here. */
    public void start() {
        attachment = broker.attach(this::intercept);
        LOG.info("source {}: ingesting inside the embedded broker on {}{}", config.name(),
                routes.filters(), routeToSubscribers ? ", routed on to subscribers" : "");
    }

    /** Ready once attached to the broker. */
    @Override
    public boolean ready() {
        return running && attachment != null;
    }

    /** Frames whose PUBACK is still waiting for the outbox, over all clients. */
    int pending() {
        int n = 0;
        for (ClientAcks c : clients.values()) {
            n += c.pending();
        }
        return n;
    }

    boolean intercept(PublishInboundInput input, PublishInboundOutput output) {
        PublishPacket packet = input.getPublishPacket();
        String topic = packet.getTopic();
        Driver driver = routes.driverFor(topic);
        if (driver == null) {
            return false;
        }
        byte[] payload = bytes(packet.getPayload());
        metrics.received(payload.length);
        if (!running) {
            metrics.dropped("closing");
            output.preventPublishDelivery(AckReasonCode.IMPLEMENTATION_SPECIFIC_ERROR, "gateway closing");
            return true;
        }
        String identity = null;
        if (config.identityFrom() != null) {
            identity = identity(topic, packet.getUserProperties());
            if (identity == null) {
                metrics.dropped("no_identity");
                output.preventPublishDelivery(AckReasonCode.SUCCESS);
                return true;
            }
        }
        Frame frame = new Frame(payload, config.name(), topic, clock.instant(), identity);
        if (packet.getQos() == Qos.AT_MOST_ONCE) {
            // No acknowledgement to wait for; the frame is taken as from a QoS 0 subscription.
            if (!routeToSubscribers) {
                output.preventPublishDelivery();
            }
            submit(frame, driver, () -> { }, why -> { });
            return true;
        }
        Async<PublishInboundOutput> async = output.async(ACK_TIMEOUT, TimeoutFallback.FAILURE,
                AckReasonCode.UNSPECIFIED_ERROR, "not stored in time");
        if (!routeToSubscribers) {
            output.preventPublishDelivery(AckReasonCode.SUCCESS);
        }
        String clientId = input.getClientInformation().getClientId();
        Pending p = arrived(clientId, async);
        // Cluster mode only: the cluster did not take the frame, so the PUBACK says so.
        Consumer<String> refuse = why -> {
            output.preventPublishDelivery(AckReasonCode.IMPLEMENTATION_SPECIFIC_ERROR, "not stored: " + why);
            p.refused = true;
            metrics.dropped("cluster_refused");
            ready(p);
        };
        if (!submit(frame, driver, () -> ready(p), refuse)) {
            output.preventPublishDelivery(AckReasonCode.IMPLEMENTATION_SPECIFIC_ERROR, "gateway closing");
            ready(p);
        }
        return true;
    }

    /** Hands a frame to the pipeline; false when it was not taken (interrupted while waiting). */
    private boolean submit(Frame frame, Driver driver, Runnable ack, Consumer<String> refuse) {
        try {
            pipeline.submit(frame, driver, ack, refuse);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            metrics.dropped("closing");
            return false;
        } catch (RuntimeException e) {
            metrics.error("pipeline");
            LOG.warn("source {}: the pipeline refused a frame on {}: {}", config.name(), frame.origin(), e.toString());
            return false;
        }
    }

    private Pending arrived(String clientId, Async<PublishInboundOutput> async) {
        Pending p = new Pending(async);
        while (true) {
            ClientAcks c = clients.computeIfAbsent(clientId, ClientAcks::new);
            if (c.add(p)) {
                return p;
            }
        }
    }

    private void ready(Pending p) {
        p.client.ready(p);
    }

    /** The broker-authenticated device of a message, or null when it carries none (as {@link MqttSource}). */
    private String identity(String topic, UserProperties properties) {
        if (identityLevel >= 0) {
            return TopicRoutes.level(topic, identityLevel);
        }
        List<String> values = properties.getAllForName(MqttSourceConfig.USERNAME_PROPERTY);
        if (values.size() != 1 || values.get(0).isEmpty()) {
            return null;
        }
        return values.get(0);
    }


    private static byte[] bytes(Optional<ByteBuffer> payload) {
        if (payload.isEmpty()) {
            return new byte[0];
        }
        ByteBuffer b = payload.get().asReadOnlyBuffer();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    /**
     * Stops taking publishes (those on its filters are answered with an error from now on);
     * frames already in the pipeline are still acknowledged once durable.
     */
    @Override
    public void close() {
        running = false;
    }

    /** One publish waiting for its frame to be durable. */
    private static final class Pending {
        final Async<PublishInboundOutput> async;
        ClientAcks client;
        boolean ready;
        boolean refused;

        Pending(Async<PublishInboundOutput> async) {
            this.async = async;
        }
    }

    /**
     * One client's publishes waiting for their PUBACK, in arrival order: a publish's output is
     * resumed once it and every publish of the client before it are durable (MQTT 5.0 §4.6).
     * Removed from the map when empty, so a client that is gone holds nothing.
     */
    private final class ClientAcks {
        final String clientId;
        final ArrayDeque<Pending> queue = new ArrayDeque<>();
        boolean retired;

        ClientAcks(String clientId) {
            this.clientId = clientId;
        }

        synchronized boolean add(Pending p) {
            if (retired) {
                return false;
            }
            p.client = this;
            queue.addLast(p);
            return true;
        }

        synchronized void ready(Pending p) {
            p.ready = true;
            while (!queue.isEmpty() && queue.peekFirst().ready) {
                Pending done = queue.pollFirst();
                done.async.resume();
                if (!done.refused) {
                    metrics.acknowledged();
                }
            }
            if (queue.isEmpty()) {
                retired = true;
                clients.remove(clientId, this);
            }
        }

        synchronized int pending() {
            return queue.size();
        }
    }

}
