package org.limes.gateway.sink.centre;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.limes.gateway.outbox.DestinationQueue;
import org.limes.gateway.sink.SinkMetrics;
import org.limes.gateway.testing.LoopbackListener;

/**
 * The CoT sink against the sink contract, with a real TCP listener as the TAK server: it
 * refuses by closing each connection at once, unread, and otherwise reads events line by
 * line. CoT has no acknowledgement, so what was received is settled by moving the clock past
 * the confirmation delay.
 */
class CotSinkContractIT extends CentreContractTest {

    private static final long CONFIRM_MS = 1_000;

    private LoopbackListener takServer;

    @BeforeEach
    void startServer() throws IOException {
        takServer = LoopbackListener.start("test-tak-server", (s, refusing) -> {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null && !refusing.getAsBoolean(); ) {
                took(line);
            }
        });
    }

    @AfterEach
    void stopServer() throws Exception {
        takServer.close();
    }

    @Override
    protected String destination() {
        return "tak";
    }

    @Override
    protected AutoCloseable startSink(DestinationQueue queue, SinkMetrics metrics, Clock clock) {
        CotCentreConfig config = new CotCentreConfig("tak", "cot", null, "127.0.0.1", takServer.port(), null,
                2000, null, null, null);
        CotSink sink = new CotSink(config, "ras-ajdir-gw", queue, metrics, clock, CONFIRM_MS);
        sink.start();
        return sink;
    }

    /** Refuses new connections and drops the open ones, as a TAK server going away does. */
    @Override
    protected void refuse() {
        takServer.refuse();
    }

    @Override
    protected void accept() {
        takServer.accept();
    }

    @Override
    protected void settle() {
        clock.advance(Duration.ofMillis(CONFIRM_MS));
    }
}
