package org.limes.gateway.sink.centre;

import com.google.protobuf.Timestamp;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.limes.drivers.sapient.SapientMessages;
import org.limes.drivers.sapient.proto.AlertAck;
import org.limes.drivers.sapient.proto.RegistrationAck;
import org.limes.drivers.sapient.proto.SapientMessage;
import org.limes.gateway.outbox.DestinationQueue;
import org.limes.gateway.sink.SinkMetrics;

/**
 * The SAPIENT sink against the sink contract, with a real TCP listener as the higher fusion
 * node: it acknowledges the gateway's registration and answers every alert with its AlertAck,
 * or, refusing, closes each connection at once, unread.
 */
class SapientSinkContractIT extends CentreContractTest {

    private static final String FUSION_NODE = "11111111-2222-4333-8444-555555555555";

    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private volatile boolean refusing;
    private ServerSocket server;
    private Thread acceptor;

    @BeforeEach
    void startServer() throws IOException {
        server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::serve, "test-fusion-node");
        acceptor.start();
    }

    @AfterEach
    void stopServer() throws Exception {
        server.close();
        for (Socket s : accepted) {
            s.close();
        }
        acceptor.join(5_000);
    }

    private void serve() {
        while (!server.isClosed()) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                return;
            }
            accepted.add(s);
            if (refusing) {
                close(s);
                continue;
            }
            Thread reader = new Thread(() -> read(s), "test-fusion-node-connection");
            reader.setDaemon(true);
            reader.start();
        }
    }

    private void read(Socket s) {
        try {
            DataInputStream in = new DataInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            while (!refusing) {
                byte[] len = in.readNBytes(4);
                if (len.length < 4) {
                    break;
                }
                SapientMessage m = SapientMessages.parse(in.readNBytes((int) SapientMessages.length(len, 0)));
                SapientMessage.Builder answer = SapientMessage.newBuilder().setNodeId(FUSION_NODE)
                        .setDestinationId(m.getNodeId()).setTimestamp(Timestamp.newBuilder().setSeconds(1));
                if (m.hasRegistration()) {
                    answer.setRegistrationAck(RegistrationAck.newBuilder().setAcceptance(true));
                } else if (m.hasAlert()) {
                    if (refusing) {
                        break;
                    }
                    took(m.getAlert().getDescription());
                    answer.setAlertAck(AlertAck.newBuilder().setAlertId(m.getAlert().getAlertId())
                            .setAlertAckStatus(AlertAck.AlertAckStatus.ALERT_ACK_STATUS_ACCEPTED));
                } else {
                    continue;
                }
                out.write(SapientMessages.frame(answer.build()));
                out.flush();
            }
        } catch (Exception e) {
            // The test closed the connection.
        }
        close(s);
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // Closing is the point.
        }
    }

    @Override
    protected String destination() {
        return "fusion";
    }

    @Override
    protected AutoCloseable startSink(DestinationQueue queue, SinkMetrics metrics, Clock clock) {
        SapientCentreConfig config = new SapientCentreConfig("fusion", "sapient", null, "127.0.0.1",
                server.getLocalPort(), null, 2000, 2000, null, null);
        SapientSink sink = new SapientSink(config, "ras-ajdir-gw", queue, metrics, clock);
        sink.start();
        return sink;
    }

    /** Refuses new connections and drops the open ones, as a fusion node going away does. */
    @Override
    protected void refuse() {
        refusing = true;
        for (Socket s : accepted) {
            close(s);
        }
    }

    @Override
    protected void accept() {
        refusing = false;
    }
}
