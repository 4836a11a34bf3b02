package org.limes.gateway.sink.centre;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Clock;
import java.util.List;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.limes.drivers.DecodeException;
import org.limes.drivers.sapient.SapientMessages;
import org.limes.drivers.sapient.proto.Registration;
import org.limes.drivers.sapient.proto.SapientMessage;
import org.limes.gateway.outbox.DestinationQueue;
import org.limes.gateway.outbox.OutboxRecord;
import org.limes.gateway.sink.Backoff;
import org.limes.gateway.sink.Delivery;
import org.limes.gateway.sink.DeliveryFailed;
import org.limes.gateway.sink.SinkDrainer;
import org.limes.gateway.sink.SinkMetrics;
import org.limes.gateway.sink.Undeliverable;
import org.limes.gateway.sink.centre.format.SapientAlertFormat;
import org.limes.gateway.tls.SslContextLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one centre's alerts from its own outbox to a higher SAPIENT fusion node, in outbox order,
 * over one TCP (or TLS) connection with the standard's framing (a 4-byte little-endian length
 * before each {@code SapientMessage}).
 *
 * <p>On connecting, the gateway registers as a fusion node ({@code Registration}, node type
 * {@code FUSION_NODE}) and waits for the {@code RegistrationAck}; a refusal is a failure the
 * drainer retries after its backoff. Each alert is then written and acknowledged in the outbox
 * only when the fusion node's {@code AlertAck} for its alert id arrives (accepted, rejected or
 * cancelled: the node has it); no acknowledgement within {@code ack_timeout_ms}, or a broken
 * connection, replaces the connection and sends the alert again. So delivery is at least once,
 * and a redelivered alert has the same alert id and the same Limes event id
 * ({@code additional_information}). One alert is in flight at a time: alerts are few.
 *
 * <p>A record that can never be written as SAPIENT is set aside in the centre's dead-letter file.
 *
 * <p>Threading: {@link #deliver} on the drainer's one thread, the only user of the socket.
 */
public final class SapientSink implements Delivery, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SapientSink.class);
    /** Largest message accepted from the fusion node; acknowledgements are small. */
    private static final int MAX_MESSAGE_BYTES = 1 << 20;

    private final SapientCentreConfig config;
    private final CentreEncoder encoder;
    private final String nodeId;
    private final Clock clock;
    private final SSLSocketFactory tls;
    private final SinkDrainer drainer;
    private Socket socket;
    private OutputStream out;
    private DataInputStream in;

    public SapientSink(SapientCentreConfig config, String gateway, DestinationQueue outbox, SinkMetrics metrics,
            Clock clock) {
        this.config = config;
        this.clock = clock;
        this.encoder = new CentreEncoder(config.name(), new SapientAlertFormat(gateway));
        this.nodeId = SapientAlertFormat.nodeId(gateway);
        this.tls = config.tls() == null ? null : SslContextLoader.load(config.tls()).getSocketFactory();
        this.drainer = new SinkDrainer(outbox, this, metrics, clock, new Backoff(250, 30_000), 64, 4 << 20, 15_000);
    }

    public void start() {
        drainer.start();
    }

    @Override
    public void open() throws DeliveryFailed {
        connect();
    }

    @Override
    public int deliver(List<OutboxRecord> batch) throws DeliveryFailed {
        connect();
        for (int i = 0; i < batch.size(); i++) {
            byte[] body;
            try {
                body = encoder.encode(batch.get(i));
            } catch (Undeliverable u) {
                throw DeliveryFailed.setAside(i, null, u);
            }
            String alertId;
            try {
                alertId = SapientMessage.parseFrom(body).getAlert().getAlertId();
                out.write(SapientMessages.frame(body));
                out.flush();
                awaitAck(alertId);
            } catch (IOException e) {
                disconnect();
                throw DeliveryFailed.retry(i, "unavailable", "SAPIENT fusion node " + config.host() + ":"
                        + config.port() + ": " + e.getMessage() + "; reconnecting, the alert will be sent again", e);
            }
        }
        return batch.size();
    }

    /** Reads messages until the AlertAck of {@code alertId}; others (tasks, status) are skipped. */
    private void awaitAck(String alertId) throws IOException {
        long deadline = System.nanoTime() + config.ackTimeoutMs() * 1_000_000L;
        while (true) {
            SapientMessage m = read(deadline);
            if (m.hasAlertAck() && alertId.equals(m.getAlertAck().getAlertId())) {
                return;
            }
        }
    }

    private SapientMessage read(long deadlineNanos) throws IOException {
        long left = (deadlineNanos - System.nanoTime()) / 1_000_000L;
        if (left <= 0) {
            throw new IOException("no acknowledgement within " + config.ackTimeoutMs() + " ms");
        }
        socket.setSoTimeout((int) Math.max(1, left));
        byte[] len = in.readNBytes(4);
        if (len.length < 4) {
            throw new IOException("the fusion node closed the connection");
        }
        long n = SapientMessages.length(len, 0);
        if (n > MAX_MESSAGE_BYTES) {
            throw new IOException("the fusion node sent a message of " + n + " bytes (at most " + MAX_MESSAGE_BYTES
                    + "): the stream is out of step");
        }
        byte[] body = in.readNBytes((int) n);
        if (body.length < n) {
            throw new IOException("the fusion node closed the connection inside a message");
        }
        try {
            return SapientMessages.parse(body);
        } catch (DecodeException e) {
            throw new IOException("the fusion node sent an unreadable message: " + e.getMessage(), e);
        }
    }

    private void connect() throws DeliveryFailed {
        if (socket != null) {
            return;
        }
        Socket s = null;
        try {
            s = CentreSockets.open(config.host(), config.port(), config.connectTimeoutMs(), tls);
            socket = s;
            out = new BufferedOutputStream(s.getOutputStream(), 64 * 1024);
            in = new DataInputStream(s.getInputStream());
            register();
            LOG.info("centre {}: registered with SAPIENT fusion node {}:{}{} as node {}", config.name(), config.host(),
                    config.port(), tls == null ? "" : " (TLS)", nodeId);
        } catch (IOException e) {
            if (s != null) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // Already failing; the connect error is what is reported.
                }
            }
            socket = null;
            throw DeliveryFailed.retry(0, "connect", "cannot register with SAPIENT fusion node " + config.host() + ":"
                    + config.port() + ": " + e.getMessage() + "; alerts wait in the outbox", e);
        }
    }

    private void register() throws IOException {
        SapientMessage registration = SapientMessage.newBuilder()
                .setTimestamp(com.google.protobuf.Timestamp.newBuilder().setSeconds(clock.instant().getEpochSecond()))
                .setNodeId(nodeId)
                .setRegistration(Registration.newBuilder().setIcdVersion("BSI Flex 335 v2.0").setName("Limes gateway")
                        .addNodeDefinition(Registration.NodeDefinition.newBuilder()
                                .setNodeType(Registration.NodeType.NODE_TYPE_FUSION_NODE)))
                .build();
        out.write(SapientMessages.frame(registration));
        out.flush();
        long deadline = System.nanoTime() + config.ackTimeoutMs() * 1_000_000L;
        while (true) {
            SapientMessage m = read(deadline);
            if (m.hasRegistrationAck()) {
                if (!m.getRegistrationAck().getAcceptance()) {
                    throw new IOException("registration refused: " + m.getRegistrationAck().getAckResponseReasonList());
                }
                return;
            }
        }
    }

    private void disconnect() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                LOG.debug("centre {}: closing the SAPIENT socket: {}", config.name(), e.getMessage());
            }
        }
        socket = null;
        out = null;
        in = null;
    }

    @Override
    public void close() {
        drainer.close();
        disconnect();
    }
}
