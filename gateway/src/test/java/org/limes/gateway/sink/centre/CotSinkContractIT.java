package org.limes.gateway.sink.centre;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.limes.gateway.outbox.DestinationQueue;
import org.limes.gateway.sink.SinkMetrics;

/**
 * The CoT sink against the sink contract, with a real TCP listener as the TAK server: it
 * refuses by closing each connection at once, unread, and otherwise reads events line by
 * line. CoT has no acknowledgement, so what was received is settled by moving the clock past
 * the confirmation delay.
 */
class CotSinkContractIT extends CentreContractTest {

    private static final long CONFIRM_MS = 1_000;

    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private volatile boolean refusing;
    private ServerSocket server;
    private Thread acceptor;

    @BeforeEach
    void startServer() throws IOException {
        server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::serve, "test-tak-server");
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
            Thread reader = new Thread(() -> read(s), "test-tak-connection");
            reader.setDaemon(true);
            reader.start();
        }
    }

    private void read(Socket s) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (refusing) {
                    break;
                }
                took(line);
            }
        } catch (IOException e) {
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
        return "tak";
    }

    @Override
    protected AutoCloseable startSink(DestinationQueue queue, SinkMetrics metrics, Clock clock) {
        CotCentreConfig config = new CotCentreConfig("tak", "cot", null, "127.0.0.1", server.getLocalPort(), null,
                2000, null, null, null);
        CotSink sink = new CotSink(config, "ras-ajdir-gw", queue, metrics, clock, CONFIRM_MS);
        sink.start();
        return sink;
    }





    /** Refuses new connections and drops the open ones, as a TAK server going away does. */
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

    @Override
    protected void settle() {
        clock.advance(Duration.ofMillis(CONFIRM_MS));
    }
}
