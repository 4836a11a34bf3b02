package org.limes.gateway.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A centre for the cluster ITs: a real HTTP server on an ephemeral loopback port behind a
 * webhook centre ({@link #url}). It records each JSON alert and when it arrived, answering 204;
 * while {@link #refuse refusing} it answers 503 and counts the refusal instead. Thread-safe.
 */
final class RecordingCentre implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One alert as it arrived. */
    record Received(JsonNode alert, long arrivedAt) {
    }

    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger refused = new AtomicInteger();
    private volatile boolean refusing;

    private RecordingCentre(HttpServer server) {
        this.server = server;
    }

    /** Listening on {@code 127.0.0.1}, path {@code /alerts}. */
    static RecordingCentre start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        RecordingCentre centre = new RecordingCentre(server);
        server.createContext("/alerts", centre::record);
        server.start();
        return centre;
    }

    private void record(HttpExchange ex) throws IOException {
        byte[] body = ex.getRequestBody().readAllBytes();
        if (refusing) {
            refused.incrementAndGet();
            ex.sendResponseHeaders(503, -1);
        } else {
            received.add(new Received(JSON.readTree(body), System.currentTimeMillis()));
            ex.sendResponseHeaders(204, -1);
        }
        ex.close();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/alerts";
    }

    /** Every alert taken, in arrival order. */
    List<JsonNode> alerts() {
        return received.stream().map(Received::alert).toList();
    }

    /** The alerts taken whose {@code state} is {@code state}, in arrival order. */
    List<JsonNode> alerts(String state) {
        return received.stream().map(Received::alert).filter(a -> a.path("state").asText().equals(state)).toList();
    }

    /** When the first alert in {@code state} arrived (epoch ms), 0 before one did. */
    long firstArrival(String state) {
        return received.stream().filter(r -> r.alert().path("state").asText().equals(state)).findFirst()
                .map(Received::arrivedAt).orElse(0L);
    }

    void refuse(boolean refuse) {
        refusing = refuse;
    }

    /** Requests answered 503. */
    int refused() {
        return refused.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
