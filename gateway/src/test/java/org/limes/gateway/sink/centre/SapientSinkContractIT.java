package org.limes.gateway.sink.centre;

import java.io.IOException;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.limes.gateway.outbox.DestinationQueue;
import org.limes.gateway.sink.SinkMetrics;
import org.limes.gateway.testing.SapientFusionNode;

/**
 * The SAPIENT sink against the sink contract, with a real TCP listener as the higher fusion
 * node ({@link SapientFusionNode}): it acknowledges the gateway's registration and answers
 * every alert with its AlertAck, or, refusing, closes each connection at once, unread.
 */
class SapientSinkContractIT extends CentreContractTest {

    private SapientFusionNode node;

    @BeforeEach
    void startServer() throws IOException {
        node = SapientFusionNode.start(m -> took(m.getAlert().getDescription()));
    }

    @AfterEach
    void stopServer() throws Exception {
        node.close();
    }

    @Override
    protected String destination() {
        return "fusion";
    }

    @Override
    protected AutoCloseable startSink(DestinationQueue queue, SinkMetrics metrics, Clock clock) {
        SapientCentreConfig config = new SapientCentreConfig("fusion", "sapient", null, "127.0.0.1",
                node.port(), null, 2000, 2000, null, null);
        SapientSink sink = new SapientSink(config, "ras-ajdir-gw", queue, metrics, clock);
        sink.start();
        return sink;
    }

    /** Refuses new connections and drops the open ones, as a fusion node going away does. */
    @Override
    protected void refuse() {
        node.refuse();
    }

    @Override
    protected void accept() {
        node.accept();
    }
}
