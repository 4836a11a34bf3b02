package org.limes.gateway.sink.centre;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.MqttReturnCode;
import org.limes.gateway.config.MqttConfig;
import org.limes.gateway.config.Secrets;
import org.limes.gateway.mqtt.MqttReasons;
import org.limes.gateway.mqtt.NoDelaySocketFactory;
import org.limes.gateway.outbox.DestinationQueue;
import org.limes.gateway.outbox.OutboxRecord;
import org.limes.gateway.sink.Backoff;
import org.limes.gateway.sink.Delivery;
import org.limes.gateway.sink.DeliveryFailed;
import org.limes.gateway.sink.SinkDrainer;
import org.limes.gateway.sink.SinkMetrics;
import org.limes.gateway.sink.Undeliverable;
import org.limes.gateway.sink.centre.format.AlertFormat;
import org.limes.gateway.tls.SslContextLoader;
import org.limes.gateway.tls.TlsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one centre's alerts from its own outbox over MQTT at QoS 1 (or 2), so a centre
 * that is down or slow never delays the other; over TLS with an {@code ssl://} broker,
 * trusting only the configured CA when one is given and presenting a client certificate
 * when configured.
 *
 * <p>A window of records is published in outbox order; the outbox advances only over the
 * prefix the broker accepted (PUBACK with a success code). After a failure the rest is
 * published again after a backoff, so delivery is at-least-once and in order per subject;
 * every alert carries an {@code event_id} by which the centre drops a redelivery. A publish
 * the broker refuses for a reason that can be put right (reason code 0x80 or above, e.g.
 * 0x87 when its ACL denies the topic) is not delivered: it is counted
 * ({@code limes.errors{error_type=refused}}), logged and retried, never dropped, so a
 * misconfigured centre holds its alerts until it is put right.
 *
 * <p>An alert the broker can never take is set aside in the centre's dead-letter file
 * ({@link DestinationQueue#setAside}) so that it does not hold back every alert behind it:
 * one larger than the maximum packet size the broker announced in its CONNACK (reason
 * {@code too_large}, never sent), one refused with 0x95 (packet too large) or 0x99 (payload
 * format invalid), or one whose PUBACK Paho cannot read twice in a row, the second time
 * published alone (Mosquitto's {@code message_size_limit} answers 0x95, which Paho does not
 * accept in a PUBACK) — reason {@code refused}; one that cannot be read or formatted
 * ({@code undecodable}). At most the broker's receive maximum of publishes is in flight.
 *
 * <p>Retries, backoff and the set-aside itself are its {@link SinkDrainer}'s; this class is
 * the MQTT protocol only.
 *
 * <p>Threading: {@link #deliver} on the drainer's one thread, the only consumer of its
 * outbox; Paho's threads only complete tokens.
 */
public final class CentreSink implements Delivery, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CentreSink.class);
    /** Publishes in flight at most, from this side; the broker's receive maximum may lower it. */
    static final int WINDOW = 64;
    /** PUBACK codes a broker gives the same alert on every retry: the alert is set aside. */
    private static final java.util.Set<Integer> PERMANENT_REFUSALS = java.util.Set.of(0x95, 0x99);
    private static final long PUBACK_TIMEOUT_MS = 10_000;

    private final String name;
    private final String brokerUri;
    private final MqttCentreConfig config;
    private final CentreEncoder encoder;
    private final MqttConnectionOptions options;
    private final DestinationQueue outbox;
    private final SinkDrainer drainer;
    private MqttAsyncClient client;
    /** Limits the broker announced in its CONNACK; 0 = none announced. */
    private volatile long maxPacketSize;
    private volatile int window = WINDOW;
    /** Sink thread only: the record to set aside once every record before it is delivered. */
    private OutboxRecord setAside;
    private Undeliverable setAsideWhy;
    /** Sink thread only: whether the record set aside was sent (the broker refused it). */
    private boolean setAsideSent;
    /** Sink thread only: why the last publish stopped short, the error type counted. */
    private String failure;
    /** Sink thread only: a record whose PUBACK Paho could not read once, -1 when none. */
    private long suspectSeq = -1;

    /**
     * @param brokerUri the resolved broker ({@code tcp://…} or {@code ssl://…})
     * @param gateway   the crossing's name for its centres (see {@code AlertFormat.create})
     * @throws IllegalArgumentException when the password or the TLS files cannot be read
     */
    public CentreSink(MqttCentreConfig config, String brokerUri, String gateway, DestinationQueue outbox,
            SinkMetrics metrics, Clock clock) {
        this.name = config.name();
        this.config = config;
        this.brokerUri = brokerUri;
        this.outbox = outbox;
        this.encoder = new CentreEncoder(name, AlertFormat.create(config.format(), gateway, config.cap(),
                config.cot()));
        this.options = options(config, brokerUri);
        this.drainer = new SinkDrainer(outbox, this, metrics, clock, new Backoff(250, 30_000), WINDOW, 4 << 20,
                15_000);
    }

    public void start() {
        drainer.start();
    }

    /**
     * Publishes up to a window of the batch (one record alone when it is suspected of being
     * refused, so its answer is its own) and returns how long a prefix of it the broker
     * acknowledged; a record no retry can deliver is reported for setting aside once every
     * record before it is delivered.
     */
    /** Connects at start, as a centre's operators expect to see it connected before the first alert. */
    @Override
    public void open() throws DeliveryFailed {
        connect();
    }

    @Override
    public int deliver(List<OutboxRecord> batch) throws DeliveryFailed {
        connect();
        List<OutboxRecord> window = batch.subList(0, Math.min(batch.size(), suspectSeq >= 0 ? 1 : this.window));
        setAside = null;
        int done = publish(window);
        if (done > 0 && suspectSeq >= 0 && window.get(done - 1).seq() >= suspectSeq) {
            suspectSeq = -1; // Delivered after all: back to the full window.
        }
        if (done == window.size()) {
            return done;
        }
        if (setAside != null && setAside.seq() == window.get(done).seq()) {
            // Everything before it is delivered: it is set aside and the rest goes on at once.
            suspectSeq = -1;
            throw DeliveryFailed.setAside(done, setAsideSent ? failure : null, setAsideWhy);
        }
        throw DeliveryFailed.retry(done, failure, "the broker acknowledged " + done + " of " + window.size()
                + " alerts (" + failure + ")", null);
    }

    /**
     * Publishes the batch in order; returns how long a prefix of it the broker acknowledged.
     * When it stops at a record no retry can deliver, that record is left in {@link #setAside};
     * why it stopped is left in {@link #failure}.
     */
    private int publish(List<OutboxRecord> batch) {
        List<IMqttToken> tokens = new ArrayList<>(batch.size());
        try {
            for (OutboxRecord r : batch) {
                byte[] message;
                try {
                    message = encoder.encode(r);
                    long packet = publishPacketBytes(config.topic(), message.length);
                    if (maxPacketSize > 0 && packet > maxPacketSize) {
                        throw new Undeliverable("too_large", "the PUBLISH would be " + packet + " bytes ("
                                + message.length + " bytes of payload); the broker's maximum packet size is "
                                + maxPacketSize + " bytes", null);
                    }
                } catch (Undeliverable u) {
                    markSetAside(r, u);
                    break;
                }
                tokens.add(publishWithinWindow(message, tokens));
            }
        } catch (MqttException e) {
            LOG.warn("centre {}: publishing failed after {} of {} alerts: {}", name, tokens.size(), batch.size(),
                    e.getMessage());
        }
        int acked = 0;
        failure = "unacknowledged";
        for (IMqttToken t : tokens) {
            try {
                t.waitForCompletion(PUBACK_TIMEOUT_MS);
                if (t.getException() != null || !t.isComplete()) {
                    failure = unreadableRefusal(t.getException()) ? suspect(batch.get(acked)) : failure;
                    break;
                }
                int refusal = refusal(t);
                if (refusal >= 0) {
                    failure = "refused";
                    if (PERMANENT_REFUSALS.contains(refusal)) {
                        markSetAside(batch.get(acked), new Undeliverable("refused", "the broker refused it with "
                                + "reason code 0x" + Integer.toHexString(refusal) + " (" + MqttReasons.name(refusal)
                                + "), which it gives this alert on every retry", null));
                        break;
                    }
                    LOG.warn("centre {}: the broker refused an alert on {} with reason code 0x{}{}; it waits in "
                            + "the outbox and is retried ({} queued)", name, config.topic(),
                            Integer.toHexString(refusal), refusal == MqttReturnCode.RETURN_CODE_NOT_AUTHORIZED
                                    ? " (not authorised: check the broker's ACL for this user and topic)" : "",
                            outbox.depth());
                    break;
                }
                acked++;
            } catch (MqttException e) {
                failure = unreadableRefusal(e) ? suspect(batch.get(acked)) : failure;
                LOG.warn("centre {}: no acknowledgement for an alert: {}", name, e.getMessage());
                break;
            }
        }
        if (setAside != null && setAside.seq() != batch.get(Math.min(acked, batch.size() - 1)).seq()) {
            // Stopped before reaching it: it is not the next record, so it is not set aside now.
            setAside = null;
        }
        // Set aside before it was sent (too large, undecodable): no error of the broker's to count.
        setAsideSent = setAside != null && acked < tokens.size();
        return acked;
    }

    /**
     * Publishes one message; when Paho answers that the broker's receive maximum is reached
     * ("Too many publishes in progress" — Paho frees a slot only after it completed the token,
     * so even a window of exactly that size can meet it), waits for the oldest publish still
     * in flight and tries again, instead of failing the batch into a backoff.
     */
    private IMqttToken publishWithinWindow(byte[] message, List<IMqttToken> inFlight) throws MqttException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PUBACK_TIMEOUT_MS);
        while (true) {
            try {
                return client.publish(config.topic(), message, config.qos(), false);
            } catch (MqttException e) {
                if (e.getReasonCode() != org.eclipse.paho.mqttv5.client.MqttClientException.REASON_CODE_MAX_INFLIGHT || System.nanoTime() > deadline
                        || !drainer.running()) {
                    throw e;
                }
                IMqttToken oldest = inFlight.stream().filter(t -> !t.isComplete()).findFirst().orElse(null);
                if (oldest != null) {
                    oldest.waitForCompletion(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                } else {
                    java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                }
            }
        }
    }

    private void markSetAside(OutboxRecord r, Undeliverable why) {
        setAside = r;
        setAsideWhy = why;
    }

    /**
     * A record whose PUBACK carried a code Paho cannot read (Mosquitto answers 0x95, packet too
     * large, when a message exceeds its {@code message_size_limit}, and Paho drops the
     * connection over it): published alone once more, and set aside when it fails so again.
     */
    private String suspect(OutboxRecord r) {
        if (suspectSeq == r.seq()) {
            markSetAside(r, new Undeliverable("refused", "the broker answered its PUBACK with a reason code Paho "
                    + "cannot read, twice, the second time published alone (Mosquitto answers 0x95 packet too large "
                    + "when message_size_limit is exceeded); " + r.payload().length + " bytes", null));
        } else {
            suspectSeq = r.seq();
        }
        return "refused";
    }

    private static boolean unreadableRefusal(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MqttException m && m.getReasonCode() == MqttException.REASON_CODE_INVALID_RETURN_CODE) {
                return true;
            }
        }
        return false;
    }

    /**
     * Bytes of a QoS 1/2 PUBLISH packet without properties: fixed header, topic, packet id,
     * property length (0) and payload — what a broker compares with its maximum packet size.
     */
    static long publishPacketBytes(String topic, int payloadBytes) {
        long remaining = 2L + topic.getBytes(StandardCharsets.UTF_8).length + 2 + 1 + payloadBytes;
        int lengthBytes = remaining < 128 ? 1 : remaining < 16_384 ? 2 : remaining < 2_097_152 ? 3 : 4;
        return 1 + lengthBytes + remaining;
    }

    /**
     * The failure reason code (0x80 and above) of a completed publish, or -1 when it was
     * accepted. MQTT 5 lets a broker answer PUBACK (PUBREC, PUBCOMP) with a refusal, e.g.
     * 0x87 when its ACL denies the topic; Paho completes such a token without an exception,
     * so without this check a refused alert would be taken for delivered and leave the outbox.
     */
    private static int refusal(IMqttToken token) {
        int[] codes = token.getReasonCodes();
        if (codes != null) {
            for (int code : codes) {
                if (code >= MqttReturnCode.RETURN_CODE_UNSPECIFIED_ERROR) {
                    return code;
                }
            }
        }
        return -1;
    }

    private void connect() throws DeliveryFailed {
        try {
            if (client == null) {
                client = new MqttAsyncClient(brokerUri, config.clientId(), new MemoryPersistence());
                client.setCallback(new CentreCallback(name));
            }
            if (client.isConnected()) {
                return;
            }
            IMqttToken connect = client.connect(options);
            connect.waitForCompletion(15_000);
            readLimits(connect.getResponseProperties());
            LOG.info("centre {}: connected to {} (broker limits: maximum packet size {}, receive maximum {}; "
                    + "publishing {} at a time)", name, brokerUri, maxPacketSize == 0 ? "none" : maxPacketSize + " bytes",
                    window == WINDOW ? "not below " + WINDOW : window, window);
        } catch (MqttException e) {
            // Paho reports a failed TLS handshake as "Untranslated MqttException": the reason is in the cause.
            throw DeliveryFailed.retry(0, "connect", "cannot connect to " + brokerUri + ": " + e.getMessage()
                    + (e.getCause() == null ? "" : " (" + e.getCause() + ")") + "; alerts wait in the outbox", e);
        }
        if (!client.isConnected()) {
            throw DeliveryFailed.retry(0, "connect", "not connected to " + brokerUri, null);
        }
    }

    /**
     * Takes the broker's limits from its CONNACK: a PUBLISH above its maximum packet size would
     * be refused (or cost the connection) on every retry, so such an alert is set aside before
     * it is sent; more publishes in flight than its receive maximum make Paho refuse them
     * ("Too many publishes in progress"), so the window is the smaller of ours and its.
     */
    private void readLimits(MqttProperties connack) {
        Long packet = connack == null ? null : connack.getMaximumPacketSize();
        Integer receive = connack == null ? null : connack.getReceiveMaximum();
        maxPacketSize = packet == null ? 0 : packet;
        window = receive == null || receive <= 0 ? WINDOW : Math.min(WINDOW, receive);
    }

    /** The broker's maximum packet size from its last CONNACK, 0 when it announced none. */
    long maxPacketSize() {
        return maxPacketSize;
    }

    /** Publishes in flight at most: the smaller of {@link #WINDOW} and the broker's receive maximum. */
    int window() {
        return window;
    }

    private static MqttConnectionOptions options(MqttCentreConfig config, String brokerUri) {
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(true);
        options.setAutomaticReconnect(false);
        options.setConnectionTimeout(10);
        options.setKeepAliveInterval(30);
        if (MqttConfig.tlsScheme(brokerUri)) {
            options.setSocketFactory(NoDelaySocketFactory.over(SslContextLoader.load(config.tls() == null
                    ? new TlsConfig(null, null, null) : config.tls()).getSocketFactory()));
            options.setHttpsHostnameVerificationEnabled(true);
        } else if (brokerUri.startsWith("tcp://") || brokerUri.startsWith("mqtt://")) {
            // An alert must not wait for the broker's delayed ACK of the one before it.
            options.setSocketFactory(NoDelaySocketFactory.plain());
        }
        if (config.username() != null) {
            options.setUserName(config.username());
            if (config.passwordFile() != null || config.passwordEnv() != null) {
                options.setPassword(Secrets.read(config.passwordFile(), config.passwordEnv())
                        .getBytes(StandardCharsets.UTF_8));
            }
        }
        return options;
    }

    @Override
    public void close() {
        drainer.close();
        if (client != null) {
            try {
                if (client.isConnected()) {
                    client.disconnect(2_000).waitForCompletion(3_000);
                }
                client.close(true);
            } catch (MqttException e) {
                LOG.debug("centre {}: closing the MQTT client: {}", name, e.getMessage());
            }
        }
    }
}
