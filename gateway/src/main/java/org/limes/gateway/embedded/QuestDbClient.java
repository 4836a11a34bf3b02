package org.limes.gateway.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * A small SQL client for QuestDB's HTTP endpoint ({@code GET /exec}), for schema management and
 * tests; data goes in through the InfluxDB line-protocol writer, not through this class.
 *
 * <p>Threading: safe for concurrent use; each call blocks its thread for one HTTP round trip.
 */
public final class QuestDbClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final URI base;
    private final Duration timeout;

    /** A client for the QuestDB HTTP server at {@code baseUrl}, e.g. {@code http://127.0.0.1:9000}. */
    public QuestDbClient(String baseUrl) {
        this(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(), baseUrl, Duration.ofSeconds(30));
    }

    /** A client over the given {@link HttpClient}, with a per-request timeout. */
    public QuestDbClient(HttpClient http, String baseUrl, Duration timeout) {
        this.http = http;
        this.base = URI.create(baseUrl.endsWith("/") ? baseUrl : baseUrl + "/");
        this.timeout = timeout;
    }

    /**
     * Runs one SQL statement and returns QuestDB's JSON answer ({@code columns}, {@code dataset},
     * {@code count} for queries; {@code ddl} for DDL).
     *
     * @throws IOException if QuestDB cannot be reached or rejects the statement; the message
     *     carries QuestDB's error text and position
     */
    public JsonNode exec(String sql) throws IOException {
        URI uri = base.resolve("exec?query=" + URLEncoder.encode(sql, StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running SQL on " + base + ": " + sql, e);
        }
        JsonNode body = parse(response.body());
        if (response.statusCode() != 200 || body.hasNonNull("error")) {
            String error = body.hasNonNull("error") ? body.get("error").asText() : response.body();
            String position = body.hasNonNull("position") ? " at position " + body.get("position").asInt() : "";
            throw new IOException("QuestDB rejected SQL (HTTP " + response.statusCode() + ")" + position + ": "
                    + error + " [sql: " + sql + "]");
        }
        return body;
    }

    /** Whether the table exists; table names are case-insensitive in QuestDB. */
    public boolean tableExists(String table) throws IOException {
        QuestDbSchema.requireIdentifier(table, "table");
        JsonNode answer = exec("SELECT table_name FROM tables() WHERE lower(table_name) = '"
                + table.toLowerCase(Locale.ROOT) + "'");
        return answer.path("count").asLong() > 0;
    }

    /** The number of rows in the table, or 0 when the table does not exist yet. */
    public long count(String table) throws IOException {
        if (!tableExists(table)) {
            return 0;
        }
        JsonNode answer = exec("SELECT count() FROM \"" + table + "\"");
        return answer.path("dataset").path(0).path(0).asLong();
    }

    private static JsonNode parse(String body) throws IOException {
        if (body == null || body.isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return JSON.createObjectNode().put("error", body);
        }
    }
}
