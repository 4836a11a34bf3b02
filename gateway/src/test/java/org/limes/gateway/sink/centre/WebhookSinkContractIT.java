package org.limes.gateway.sink.centre;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.limes.gateway.outbox.DestinationQueue;
import org.limes.gateway.sink.SinkMetrics;

/**
 * The webhook sink against the sink contract, with a real HTTP server (the JDK's) as the
 * centre: it refuses with 503 (no Retry-After), accepts with 204, and records each alert it took.
 */
class WebhookSinkContractIT extends CentreContractTest {

    private volatile boolean refusing;
    private HttpServer server;

    @BeforeEach
    void startCentre() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/alerts", this::handle);
        server.start();
    }

    @AfterEach
    void stopCentre() {
        server.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        if (refusing) {
            ex.sendResponseHeaders(503, -1);
        } else {
            took(body);
            ex.sendResponseHeaders(204, -1);
        }
        ex.close();
    }

    @Override
    protected String destination() {
        return "tripoli";
    }

    @Override
    protected AutoCloseable startSink(DestinationQueue queue, SinkMetrics metrics, Clock clock) {
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/alerts";
        WebhookCentreConfig config = new WebhookCentreConfig("tripoli", "webhook", "json", url, Map.of(), null, null,
                2000, null, true, 250, 30_000, null, null, null, null);
        WebhookSink sink = new WebhookSink(config, "ras-ajdir-gw", queue, metrics, clock);
        sink.start();
        return sink;
    }





    @Override
    protected void refuse() {
        refusing = true;
    }

    @Override
    protected void accept() {
        refusing = false;
    }
}
