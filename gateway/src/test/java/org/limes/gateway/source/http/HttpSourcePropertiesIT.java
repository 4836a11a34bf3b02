package org.limes.gateway.source.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.limes.gateway.source.PipelineFixture;
import org.limes.gateway.source.SourceMetrics;

/**
 * Hostile HTTP requests against a running ingest listener: random methods, paths, headers
 * (lying Content-Length, broken chunking, odd boundaries, long values) and bodies. Every
 * request is answered with a 2xx or 4xx, or the connection is closed — never a 5xx, never
 * a hang past the request deadline.
 */
class HttpSourcePropertiesIT {

    private static final String TOKEN = "fuzz-token";
    private static Path dir;
    private static PipelineFixture fixture;
    private static HttpSource source;
    private static final Set<String> STATUSES = ConcurrentHashMap.newKeySet();

    @BeforeContainer
    static void start() throws Exception {
        dir = Files.createTempDirectory("limes-http-fuzz");
        fixture = new PipelineFixture(dir, 64);
        Path token = Files.writeString(dir.resolve("token"), TOKEN);
        source = new HttpSource(new HttpSourceConfig("fuzz", "127.0.0.1", 0,
                List.of(new HttpSourceConfig.DriverRoute("counter-json", null)), 4_096, 64, 64, 300, 5_000, 1,
                token.toString(), null, null, null), fixture.drivers, fixture.pipeline, d -> false,
                new SourceMetrics(fixture.registry, "fuzz"), Clock.systemUTC());
        source.start();
    }

    @AfterContainer
    static void stop() throws IOException {
        // The generator reaches past the HTTP parser: several kinds of answer were given.
        assertThat(STATUSES).as("statuses answered").hasSizeGreaterThanOrEqualTo(3);
        source.close();
        fixture.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Provide
    Arbitrary<String> requests() {
        Arbitrary<String> method = Arbitraries.oneOf(Arbitraries.of("POST", "GET", "PUT", "OPTIONS", "post"),
                Arbitraries.strings().ofMinLength(1).ofMaxLength(12));
        Arbitrary<String> path = Arbitraries.oneOf(Arbitraries.of("/ingest/counter-json", "/ingest/",
                "/ingest/counter-json?x=%zz", "/ingest/../admin", "*", "/ingest/counter-json#"),
                Arbitraries.strings().ofMaxLength(300).map(s -> "/ingest/" + s));
        Arbitrary<String> header = Arbitraries.oneOf(
                Arbitraries.longs().map(n -> "Content-Length: " + n),
                Arbitraries.of("Transfer-Encoding: chunked", "Transfer-Encoding: gzip, chunked",
                        "Content-Encoding: gzip", "Expect: 100-continue", "Connection: close",
                        "Authorization: Bearer " + TOKEN, "Authorization: Bearer wrong", "Authorization: Basic Zm9v",
                        "Content-Type: multipart/form-data; boundary=", "Host: " + "h".repeat(10_000)),
                Arbitraries.strings().ofMaxLength(5_000).map(s -> "Content-Type: multipart/form-data; boundary=" + s),
                Combinators.combine(Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(40),
                        Arbitraries.strings().ofMaxLength(200)).as((k, v) -> k + ": " + v));
        Arbitrary<String> body = Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(6_000),
                Arbitraries.of(PipelineFixture.counterJson("cnt-01", 1) + "\n", "0\r\n\r\n",
                        "ffffffffffffffff\r\nxx\r\n", "--B\r\n\r\nx\r\n--B--\r\n"));
        Arbitrary<String> hostile = Combinators.combine(method, path, header.list().ofMaxSize(8), body)
                .as(HttpSourcePropertiesIT::request);
        // A share of well-formed posts, so every run reaches past the parser to the driver and
        // the pipeline (a 2xx), not only the parser's and the token check's refusals.
        Arbitrary<String> wellFormed = Combinators.combine(Arbitraries.of("Bearer " + TOKEN, "Bearer wrong"),
                Arbitraries.integers().between(0, 10_000)).as((auth, n) -> {
                    String json = PipelineFixture.counterJson("cnt-01", n) + "\n";
                    return request("POST", "/ingest/counter-json", List.of("Authorization: " + auth,
                            "Content-Type: application/json",
                            "Content-Length: " + json.getBytes(StandardCharsets.UTF_8).length), json);
                });
        return Arbitraries.frequencyOf(Tuple.of(1, wellFormed), Tuple.of(3, hostile));
    }

    private static String request(String method, String path, List<String> headers, String body) {
        StringBuilder sb = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: limes\r\n");
        headers.forEach(x -> sb.append(x.replace("\r", "").replace("\n", "")).append("\r\n"));
        return sb.append("\r\n").append(body).toString();
    }

    @Property(tries = 150)
    void everyRequestIsAnsweredWithoutA5xxOrAHang(@ForAll("requests") String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", source.port())) {
            s.setSoTimeout(5_000);
            OutputStream out = s.getOutputStream();
            try {
                out.write(request.getBytes(StandardCharsets.UTF_8));
                out.flush();
                s.shutdownOutput();
            } catch (IOException closedWhileWriting) {
                // The listener may refuse an oversized request before it is all sent.
            }
            String status;
            try {
                status = statusLine(s.getInputStream());
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no answer within 5 s to: " + Tuple.of(request.length(),
                        request.substring(0, Math.min(200, request.length()))), e);
            } catch (IOException reset) {
                status = "";
            }
            if (!status.isEmpty()) {
                STATUSES.add(status.length() >= 12 ? status.substring(9, 12) : status);
                assertThat(status).as("answer to a %s-char request", request.length())
                        .matches("HTTP/1\\.1 [24]\\d\\d.*");
            }
        }
    }

    /** The final status line (after any 1xx), or empty when the connection closed first. */
    private static String statusLine(InputStream in) throws IOException {
        String line = line(in);
        while (line.matches("HTTP/1\\.1 1\\d\\d.*")) {
            String header;
            do {
                header = line(in);
            } while (!header.isEmpty());
            line = line(in);
        }
        return line;
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            line.write(b);
        }
        return line.toString(StandardCharsets.ISO_8859_1).strip();
    }
}
