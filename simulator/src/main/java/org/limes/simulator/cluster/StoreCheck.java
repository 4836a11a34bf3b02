package org.limes.simulator.cluster;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.limes.gateway.embedded.QuestDbClient;

/**
 * What the shared store holds, read through QuestDB's HTTP API: every row of a table's key
 * columns through {@code /exp} (CSV, no row limit), counts through {@code /exec}.
 *
 * <p>Stateless but for its HTTP client; safe from one thread at a time.
 */
final class StoreCheck {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final String url;
    private final QuestDbClient client;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    StoreCheck(String url) {
        this.url = url;
        this.client = new QuestDbClient(url);
    }

    QuestDbClient client() {
        return client;
    }

    /** Rows of {@code table}, 0 while it does not exist; -1 when the store does not answer. */
    long count(String table) {
        try {
            return client.count(table);
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * Every row of {@code sql} (a query of string and long columns) as its columns' text, the
     * CSV header left out; empty when the table does not exist yet.
     */
    List<String[]> rows(String sql) throws IOException, InterruptedException {
        URI uri = URI.create(url + "/exp?query=" + URLEncoder.encode(sql, StandardCharsets.UTF_8));
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (response.statusCode() != 200) {
            if (response.body().contains("does not exist")) {
                return List.of();
            }
            throw new IOException("QuestDB /exp answered " + response.statusCode() + " to [" + sql + "]: "
                    + abbreviate(response.body()));
        }
        List<String[]> rows = new ArrayList<>();
        String[] lines = response.body().split("\r?\n");
        for (int i = 1; i < lines.length; i++) {
            if (!lines[i].isEmpty()) {
                rows.add(splitCsv(lines[i]));
            }
        }
        return rows;
    }

    /** Splits one CSV line whose quoted values hold no quotes, commas or line breaks (ids, numbers). */
    static String[] splitCsv(String line) {
        String[] parts = line.split(",", -1);
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (p.length() >= 2 && p.startsWith("\"") && p.endsWith("\"")) {
                parts[i] = p.substring(1, p.length() - 1);
            }
        }
        return parts;
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }
}
