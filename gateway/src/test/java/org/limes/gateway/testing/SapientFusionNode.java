package org.limes.gateway.testing;

import com.google.protobuf.Timestamp;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.limes.drivers.DecodeException;
import org.limes.drivers.sapient.SapientMessages;
import org.limes.drivers.sapient.proto.AlertAck;
import org.limes.drivers.sapient.proto.RegistrationAck;
import org.limes.drivers.sapient.proto.SapientMessage;

/**
 * A higher SAPIENT fusion node for tests: a real TCP listener on an ephemeral loopback port
 * that reads the standard's framing (4-byte little-endian length, {@code SapientMessage}),
 * answers each registration with a {@code RegistrationAck} and each alert with its
 * {@code AlertAck}, and keeps every message it read. While refusing, it closes each new
 * connection at once, unread, and drops the open ones, as a fusion node going away does.
 *
 * <p>Thread-safe: one acceptor thread and one reader thread per connection.
 */
public final class SapientFusionNode implements AutoCloseable {

    /** The node id this fusion node answers with. */
    public static final String NODE_ID = "11111111-2222-4333-8444-555555555555";

    private final List<SapientMessage> received = new CopyOnWriteArrayList<>();
    private final Consumer<SapientMessage> onAlert;
    private final LoopbackListener listener;

    private SapientFusionNode(Consumer<SapientMessage> onAlert) throws IOException {
        this.onAlert = onAlert;
        this.listener = LoopbackListener.start("test-fusion-node", this::read);
    }

    /** Listens on an ephemeral loopback port. */
    public static SapientFusionNode start() throws IOException {
        return start(m -> { });
    }

    /** As {@link #start()}, handing each alert to {@code onAlert} before it is acknowledged. */
    public static SapientFusionNode start(Consumer<SapientMessage> onAlert) throws IOException {
        return new SapientFusionNode(onAlert);
    }

    public int port() {
        return listener.port();
    }

    /** Every message read so far, in arrival order (registrations included). */
    public List<SapientMessage> received() {
        return List.copyOf(received);
    }

    /** The alerts read so far, in arrival order. */
    public List<SapientMessage> alerts() {
        return received.stream().filter(SapientMessage::hasAlert).toList();
    }

    /** Refuses new connections and drops the open ones. */
    public void refuse() {
        listener.refuse();
    }

    /** Accepts connections again. */
    public void accept() {
        listener.accept();
    }

    private void read(Socket s, BooleanSupplier refusing) throws IOException {
        DataInputStream in = new DataInputStream(s.getInputStream());
        OutputStream out = s.getOutputStream();
        while (!refusing.getAsBoolean()) {
            byte[] len = in.readNBytes(4);
            if (len.length < 4) {
                return;
            }
            SapientMessage m;
            try {
                m = SapientMessages.parse(in.readNBytes((int) SapientMessages.length(len, 0)));
            } catch (DecodeException e) {
                throw new IOException("the sink sent a message that is not SAPIENT", e);
            }
            if (refusing.getAsBoolean()) {
                return;
            }
            received.add(m);
            SapientMessage.Builder answer = SapientMessage.newBuilder().setNodeId(NODE_ID)
                    .setDestinationId(m.getNodeId()).setTimestamp(Timestamp.newBuilder().setSeconds(1));
            if (m.hasRegistration()) {
                answer.setRegistrationAck(RegistrationAck.newBuilder().setAcceptance(true));
            } else if (m.hasAlert()) {
                onAlert.accept(m);
                answer.setAlertAck(AlertAck.newBuilder().setAlertId(m.getAlert().getAlertId())
                        .setAlertAckStatus(AlertAck.AlertAckStatus.ALERT_ACK_STATUS_ACCEPTED));
            } else {
                continue;
            }
            out.write(SapientMessages.frame(answer.build()));
            out.flush();
        }
    }

    @Override
    public void close() throws Exception {
        listener.close();
    }
}
