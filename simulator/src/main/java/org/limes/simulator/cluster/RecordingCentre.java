package org.limes.simulator.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A recording centre: an HTTP server on a free loopback port that takes the gateways' webhook
 * POSTs ({@code format: json}, one alert per request) at {@code /alerts}, answers 200 and
 * records every alert — the first arrival of each {@code event_id} (the dedupe a real centre
 * does with the {@code Idempotency-Key}) with its arrival time, and how many copies came.
 *
 * <p>Bounded: at most {@link #MAX_EVENTS} distinct events are kept (the bench expects a few
 * hundred); beyond that an alert is counted in {@link #overflow} and answered 200 without being
 * kept, so the run reports it instead of growing without end. A body that is not an alert's
 * JSON is answered 400 and counted in {@link #unreadable}.
 *
 * <p>Threading: the server answers on one thread of its own; the readers are synchronized.
 */
final class RecordingCentre implements AutoCloseable {

    /** Distinct events kept at most. */
    static final int MAX_EVENTS = 100_000;
    /** Request bodies read at most, bytes. */
    private static final int MAX_BODY = 64 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One distinct alert transition as it first arrived. */
    /**
     * @param atNanos     when it arrived ({@link System#nanoTime()})
     * @param latencyMs   its arrival by the wall clock minus its {@code at} (the transition's
     *                    rule time: when the gateway received the frame that made it, or ticked);
     *                    -1 when {@code at} is missing or unreadable
     */
    record Arrival(String eventId, String alertId, String device, String state, String gateway, long atNanos,
            long latencyMs) {
    }

    private final String name;
    private final HttpServer server;
    private final ExecutorService executor;
    private final Map<String, Arrival> events = new LinkedHashMap<>();
    private long posts;
    private long overflow;
    private long unreadable;

    private RecordingCentre(String name, HttpServer server, ExecutorService executor) {
        this.name = name;
        this.server = server;
        this.executor = executor;
    }

    static RecordingCentre start(String name) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "centre-" + name);
            t.setDaemon(true);
            return t;
        });
        RecordingCentre centre = new RecordingCentre(name, server, executor);
        server.createContext("/alerts", centre::handle);
        server.setExecutor(executor);
        server.start();
        return centre;
    }

    String name() {
        return name;
    }

    /** The webhook URL for the gateways' {@code centres[].url}. */
    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/alerts";
    }

    private void handle(HttpExchange exchange) throws IOException {
        long now = System.nanoTime();
        long wall = System.currentTimeMillis();
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readNBytes(MAX_BODY);
            }
            int status = record(body, now, wall) ? 200 : 400;
            exchange.sendResponseHeaders(status, -1);
        }
    }

    /** Records one POSTed body; false when it is not an alert's JSON. */
    synchronized boolean record(byte[] body, long atNanos, long wallMs) {
        posts++;
        JsonNode alert;
        try {
            alert = JSON.readTree(body);
        } catch (IOException e) {
            unreadable++;
            return false;
        }
        String eventId = alert == null ? "" : alert.path("event_id").asText("");
        if (eventId.isEmpty()) {
            unreadable++;
            return false;
        }
        if (!events.containsKey(eventId)) {
            if (events.size() >= MAX_EVENTS) {
                overflow++;
                return true;
            }
            events.put(eventId, new Arrival(eventId, alert.path("alert_id").asText(), alert.path("device").asText(),
                    alert.path("state").asText(), alert.path("gateway").asText(), atNanos,
                    latencyMs(alert.path("at").asText(""), wallMs)));
        }
        return true;
    }

    private static long latencyMs(String at, long wallMs) {
        try {
            return Math.max(0, wallMs - Instant.parse(at).toEpochMilli());
        } catch (DateTimeParseException e) {
            return -1;
        }
    }

    /** Every distinct event, in order of first arrival. */
    synchronized List<Arrival> arrivals() {
        return new ArrayList<>(events.values());
    }

    /** Whether {@code eventId} has arrived. */
    synchronized boolean has(String eventId) {
        return events.containsKey(eventId);
    }

    /** Requests received, copies included. */
    synchronized long posts() {
        return posts;
    }

    synchronized long overflow() {
        return overflow;
    }

    synchronized long unreadable() {
        return unreadable;
    }

    /**
     * Per device, distinct transitions that arrived out of the device's order: a transition
     * whose state repeats the previous one's (two raises without a clear between, or two
     * clears), or whose alert began before the previous transition's alert (the alert id ends
     * with the device time of its first reading over the threshold).
     */
    synchronized long orderViolations() {
        return orderViolations(new ArrayList<>(events.values()));
    }

    static long orderViolations(List<Arrival> arrivals) {
        Map<String, Arrival> last = new HashMap<>();
        long violations = 0;
        for (Arrival a : arrivals) {
            Arrival before = last.put(a.device(), a);
            if (before == null) {
                if (!a.state().equals("raised")) {
                    violations++;
                }
                continue;
            }
            boolean alternates = before.state().equals("raised") ? a.state().equals("cleared")
                    : a.state().equals("raised");
            if (!alternates || startMs(a.alertId()) < startMs(before.alertId())) {
                violations++;
            }
        }
        return violations;
    }

    /** The device ms an alert id ends with ({@code <crossing>/<rule>/<subject>/<ms>}); -1 if none. */
    static long startMs(String alertId) {
        int slash = alertId.lastIndexOf('/');
        try {
            return Long.parseLong(alertId.substring(slash + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
