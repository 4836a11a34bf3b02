package org.limes.gateway.sink.centre;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.packet.MqttReturnCode;
import org.limes.gateway.config.Secrets;
import org.limes.gateway.mqtt.NoDelaySocketFactory;
import org.limes.gateway.outbox.DestinationQueue;
import org.limes.gateway.outbox.OutboxRecord;
import org.limes.gateway.sink.Backoff;
import org.limes.gateway.sink.SinkMetrics;
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
 * the broker refuses (reason code 0x80 or above, e.g. 0x87 when its ACL denies the topic)
 * is not delivered: it is counted ({@code limes.errors{error_type=refused}}), logged and
 * retried, never dropped, so a misconfigured centre holds its alerts until it is put right.
 *
 * <p>Threading: one thread of its own, the only consumer of its outbox; Paho's threads
 * only complete tokens.
 */
public final class CentreSink implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CentreSink.class);
    private static final int WINDOW = 64;
    private static final long PUBACK_TIMEOUT_MS = 10_000;

    private final String name;
    private final String brokerUri;
    private final MqttCentreConfig config;
    private final CentreEncoder encoder;
    private final MqttConnectionOptions options;
    private final DestinationQueue outbox;
    private final SinkMetrics metrics;
    private final Backoff backoff = new Backoff(250, 30_000);
    private final Thread thread;
    private volatile boolean running = true;
    private MqttAsyncClient client;

    /**
     * @param brokerUri the resolved broker ({@code tcp://…} or {@code ssl://…})
     * @param gateway   this gateway's name, carried in every alert
     * @throws IllegalArgumentException when the password or the TLS files cannot be read
     */
    public CentreSink(MqttCentreConfig config, String brokerUri, String gateway, DestinationQueue outbox, SinkMetrics metrics) {
        this.name = config.name();
        this.config = config;
        this.brokerUri = brokerUri;
        this.outbox = outbox;
        this.metrics = metrics;
        this.encoder = new CentreEncoder(name, AlertFormat.create(config.format(), gateway, config.cap(),
                config.cot()), metrics);
        this.options = options(config, brokerUri);
        this.thread = new Thread(this::loop, "limes-sink-" + name);
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    private void loop() {
        while (running) {
            try {
                if (!connected()) {
                    pause(backoff.nextDelayMs());
                    continue;
                }
                List<OutboxRecord> batch = outbox.poll(WINDOW, 4 << 20, 200, TimeUnit.MILLISECONDS);
                if (batch.isEmpty()) {
                    continue;
                }
                int done = publish(batch);
                if (done > 0) {
                    outbox.acknowledge(batch.get(done - 1).seq() + 1);
                }
                if (done < batch.size()) {
                    outbox.rewind();
                    pause(backoff.nextDelayMs());
                } else {
                    backoff.reset();
                }
            } catch (InterruptedException e) {
                return;
            } catch (IOException e) {
                LOG.error("centre {}: reading the outbox failed; retrying", name, e);
                outbox.rewind();
                pause(backoff.nextDelayMs());
            }
        }
    }

    /** Publishes the batch in order; returns how long a prefix of it the broker acknowledged. */
    private int publish(List<OutboxRecord> batch) {
        long start = System.nanoTime();
        // A null token stands for a record dropped as undeliverable: it counts as done.
        List<IMqttToken> tokens = new ArrayList<>(batch.size());
        try {
            for (OutboxRecord r : batch) {
                byte[] message = encoder.encode(r);
                tokens.add(message == null ? null : client.publish(config.topic(), message, config.qos(), false));
            }
        } catch (MqttException e) {
            LOG.warn("centre {}: publishing failed after {} of {} alerts: {}", name, tokens.size(), batch.size(),
                    e.getMessage());
        }
        int acked = 0;
        String failure = "unacknowledged";
        for (IMqttToken t : tokens) {
            if (t == null) {
                acked++;
                continue;
            }
            try {
                t.waitForCompletion(PUBACK_TIMEOUT_MS);
                if (t.getException() != null || !t.isComplete()) {
                    break;
                }
                int refusal = refusal(t);
                if (refusal >= 0) {
                    failure = "refused";
                    LOG.warn("centre {}: the broker refused an alert on {} with reason code 0x{}{}; it waits in "
                            + "the outbox and is retried ({} queued)", name, config.topic(),
                            Integer.toHexString(refusal), refusal == MqttReturnCode.RETURN_CODE_NOT_AUTHORIZED
                                    ? " (not authorised: check the broker's ACL for this user and topic)" : "",
                            outbox.depth());
                    break;
                }
                acked++;
            } catch (MqttException e) {
                LOG.warn("centre {}: no acknowledgement for an alert: {}", name, e.getMessage());
                break;
            }
        }
        long nanos = System.nanoTime() - start;
        if (acked == batch.size()) {
            metrics.written(nanos, acked, System.currentTimeMillis());
        } else {
            if (acked > 0) {
                metrics.written(nanos, acked, System.currentTimeMillis());
            }
            metrics.failed(nanos, failure);
        }
        return acked;
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

    private boolean connected() {
        try {
            if (client == null) {
                client = new MqttAsyncClient(brokerUri, config.clientId(), new MemoryPersistence());
                client.setCallback(new CentreCallback(name));
            }
            if (client.isConnected()) {
                return true;
            }
            client.connect(options).waitForCompletion(15_000);
            LOG.info("centre {}: connected to {}", name, brokerUri);
            backoff.reset();
            return client.isConnected();
        } catch (MqttException e) {
            metrics.failed(0, "connect");
            // Paho reports a failed TLS handshake as "Untranslated MqttException": the reason is in the cause.
            LOG.warn("centre {}: cannot connect to {}: {}{}; alerts wait in its outbox ({} queued)", name, brokerUri,
                    e.getMessage(), e.getCause() == null ? "" : " (" + e.getCause() + ")", outbox.depth());
            return false;
        }
    }

    private static MqttConnectionOptions options(MqttCentreConfig config, String brokerUri) {
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(true);
        options.setAutomaticReconnect(false);
        options.setConnectionTimeout(10);
        options.setKeepAliveInterval(30);
        if (brokerUri.startsWith("ssl://") || brokerUri.startsWith("wss://")) {
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

    private void pause(long ms) {
        Backoff.pause(ms, () -> running);
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(TimeUnit.SECONDS.toMillis(15));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
