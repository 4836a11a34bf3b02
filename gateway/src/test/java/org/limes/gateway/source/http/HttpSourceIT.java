package org.limes.gateway.source.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.gateway.source.PipelineFixture;
import org.limes.gateway.source.SourceMetrics;

/** The HTTP ingest listener on a real socket in front of a real pipeline and outbox. */
class HttpSourceIT {

    private static final int MAX_BODY = 8_192;

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private PipelineFixture fixture;
    private HttpSource source;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void stop() {
        if (source != null) {
            source.close();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    private void start(String tokenFile, int requestTimeoutMs) throws Exception {
        start(tokenFile, requestTimeoutMs, new PipelineFixture(dir, 16));
    }

    private void start(String tokenFile, int requestTimeoutMs, PipelineFixture pipeline) throws Exception {
        fixture = pipeline;
        source = new HttpSource(new HttpSourceConfig("http-in", "127.0.0.1", 0,
                List.of(new HttpSourceConfig.DriverRoute("counter-json", null)), MAX_BODY, null, null, requestTimeoutMs,
                null, 2, tokenFile, null, null, null), fixture.drivers, fixture.pipeline, d -> false,
                new SourceMetrics(fixture.registry, "http-in"), Clock.systemUTC());
        source.start();
    }

    private HttpResponse<String> post(String path, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + source.port() + path))
                .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String lines(int from, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < from + n; i++) {
            sb.append(PipelineFixture.counterJson("cnt-0" + (1 + i % 4), i)).append('\n');
        }
        return sb.toString();
    }

    @Test
    void aGoodBodyIsAnswered200OnlyOnceItsReadingsAreDurable() throws Exception {
        start(null, 10_000);
        HttpResponse<String> r = post("/ingest/counter-json", lines(0, 3), null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(fixture.stored()).as("durable when answered").isEqualTo(3);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("accepted").asInt()).isEqualTo(3);
        assertThat(body.get("rejected").asInt()).isZero();
    }

    @Test
    void aMalformedLineGets400WithTheDecodersReasonAndTheOtherLinesStillCount() throws Exception {
        start(null, 10_000);
        String body = PipelineFixture.counterJson("cnt-01", 1) + "\r\n{\"device\":\"cnt-02\",\"time\": oops}\n\n"
                + PipelineFixture.counterJson("cnt-03", 3);
        HttpResponse<String> r = post("/ingest/counter-json", body, null);
        assertThat(r.statusCode()).isEqualTo(400);
        JsonNode answer = JSON.readTree(r.body());
        assertThat(answer.get("accepted").asInt()).isEqualTo(2);
        assertThat(answer.get("rejected").asInt()).isEqualTo(1);
        assertThat(answer.get("errors").get(0).asText()).as("numbered from 1")
                .startsWith("frame 2: byte ").contains("malformed JSON");
        assertThat(fixture.stored()).isEqualTo(2);
        assertThat(fixture.count("limes.errors", "component", "driver-counter-json")).isEqualTo(1);
    }

    @Test
    void aReadingOfADeviceNotInTheInventoryIsRejectedWithItsReasonAndNeverAnswered200() throws Exception {
        start(null, 10_000, new PipelineFixture(dir, 16, "reject", 1_000_000));
        HttpResponse<String> alone = post("/ingest/counter-json", PipelineFixture.counterJson("zz-99", 1), null);
        assertThat(alone.statusCode()).as("nothing stored is not a 2xx").isEqualTo(400);
        JsonNode a = JSON.readTree(alone.body());
        assertThat(a.get("accepted").asInt()).isZero();
        assertThat(a.get("rejected").asInt()).isEqualTo(1);
        assertThat(a.get("errors").get(0).asText()).isEqualTo("frame 1: device 'zz-99' is not in the inventory");

        HttpResponse<String> mixed = post("/ingest/counter-json", PipelineFixture.counterJson("cnt-01", 2) + "\n"
                + PipelineFixture.counterJson("zz-99", 3) + "\n", null);
        assertThat(mixed.statusCode()).isEqualTo(400);
        JsonNode m = JSON.readTree(mixed.body());
        assertThat(m.get("accepted").asInt()).isEqualTo(1);
        assertThat(m.get("rejected").asInt()).isEqualTo(1);
        assertThat(m.get("errors").get(0).asText()).startsWith("frame 2: device 'zz-99'");
        assertThat(fixture.stored()).isEqualTo(1);
        assertThat(fixture.count("limes.dropped", "reason", "unknown_device")).isEqualTo(2);
    }

    @Test
    void readingsBeyondTheDevicesRateAreRejectedNotAccepted() throws Exception {
        start(null, 10_000, new PipelineFixture(dir, 16, "reject", 1));
        HttpResponse<String> r = post("/ingest/counter-json", PipelineFixture.counterJson("cnt-01", 1) + "\n"
                + PipelineFixture.counterJson("cnt-01", 2) + "\n" + PipelineFixture.counterJson("cnt-01", 3), null);
        JsonNode body = JSON.readTree(r.body());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(body.get("accepted").asInt()).as("stored, and only those").isEqualTo((int) fixture.stored())
                .isLessThan(3);
        assertThat(body.get("accepted").asInt() + body.get("rejected").asInt()).isEqualTo(3);
        assertThat(body.get("errors").get(0).asText()).contains("device 'cnt-01' is over its rate of 1 reading");
        double limited = fixture.count("limes.dropped", "reason", "rate_limited");
        assertThat(limited).isEqualTo(body.get("rejected").asInt());

        // A request every reading of which was rate-limited is told to come back later.
        HttpResponse<String> again = post("/ingest/counter-json", PipelineFixture.counterJson("cnt-01", 4) + "\n"
                + PipelineFixture.counterJson("cnt-01", 5) + "\n" + PipelineFixture.counterJson("cnt-01", 6), null);
        JsonNode b = JSON.readTree(again.body());
        if (b.get("accepted").asInt() == 0) {
            assertThat(again.statusCode()).isEqualTo(429);
            assertThat(again.headers().firstValue("Retry-After")).isPresent();
        }
    }

    @Test
    void framesAnsweredOnceDurableAreCountedAsAcknowledged() throws Exception {
        start(null, 10_000);
        assertThat(post("/ingest/counter-json", lines(0, 3), null).statusCode()).isEqualTo(200);
        assertThat(post("/ingest/counter-json", "{oops}\n" + lines(3, 1), null).statusCode()).isEqualTo(400);
        assertThat(fixture.count("limes.frames.acknowledged", "source", "http-in")).isEqualTo(5);
    }

    @Test
    void overTheSizeLimitIs413AndUnknownPathsDriversAndMethodsAreRefused() throws Exception {
        start(null, 10_000);
        assertThat(post("/ingest/counter-json", lines(0, MAX_BODY / 100), null).statusCode()).isEqualTo(413);
        assertThat(fixture.count("limes.dropped", "reason", "body_too_large")).isEqualTo(1);
        assertThat(post("/ingest/radar-nmea", lines(0, 1), null).statusCode()).isEqualTo(404);
        assertThat(post("/metrics", "", null).statusCode()).isEqualTo(404);
        HttpResponse<String> get = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + source.port() + "/ingest/counter-json")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.headers().firstValue("Allow")).hasValue("POST");
        assertThat(fixture.stored()).isZero();
    }

    @Test
    void aConfiguredTokenIsRequired() throws Exception {
        Path token = dir.resolve("token");
        Files.writeString(token, "s3cret-token\n");
        start(token.toString(), 10_000);
        HttpResponse<String> missing = post("/ingest/counter-json", lines(0, 1), null);
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(missing.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        assertThat(post("/ingest/counter-json", lines(0, 1), "wrong").statusCode()).isEqualTo(401);
        assertThat(fixture.stored()).isZero();
        assertThat(post("/ingest/counter-json", lines(0, 1), "s3cret-token").statusCode()).isEqualTo(200);
        assertThat(fixture.stored()).isEqualTo(1);
        assertThat(fixture.count("limes.errors", "error_type", "unauthorised")).isEqualTo(2);
    }

    @Test
    void aWrongTokenIsRefusedOnTheHeadersBeforeTheBodyIsSent() throws Exception {
        Path token = dir.resolve("token");
        Files.writeString(token, "s3cret-token\n");
        start(token.toString(), 10_000);
        try (Socket s = new Socket("127.0.0.1", source.port())) {
            s.setSoTimeout(5_000);
            // The headers announce a body that never comes: only a check on the headers can answer.
            s.getOutputStream().write(("POST /ingest/counter-json HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer wrong"
                    + "\r\nContent-Length: 4000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            String head = new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertThat(head).isEqualTo("HTTP/1.1 401");
        }
        assertThat(fixture.count("limes.errors", "error_type", "unauthorised")).isEqualTo(1);
        assertThat(post("/ingest/counter-json", lines(0, 1), "s3cret-token").statusCode()).isEqualTo(200);
    }

    @Test
    void aPrettyPrintedJsonBodyGetsAHintThatTheFormatIsOneObjectPerLine() throws Exception {
        start(null, 10_000);
        String pretty = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(
                JSON.readTree(PipelineFixture.counterJson("cnt-01", 1)));
        HttpResponse<String> r = post("/ingest/counter-json", pretty, null);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).path("hint").asText()).contains("one JSON object per line");
        // One bad line among good ones is not a pretty-printed document: no hint.
        HttpResponse<String> one = post("/ingest/counter-json", "{oops}\n" + lines(0, 1), null);
        assertThat(JSON.readTree(one.body()).has("hint")).isFalse();
    }

    @Test
    void aFullPipelineAnswers429WithRetryAfterAndAcceptsAgainOnceDrained() throws Exception {
        start(null, 10_000);
        fixture.stall();
        // More lines than the stalled pipeline can take (its queue of 16, the shard's one and the outbox
        // buffer): this request waits part-way for room, then for durability.
        int filling = 17 + fixture.stallSlack();
        HttpRequest fill = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + source.port()
                + "/ingest/counter-json")).POST(HttpRequest.BodyPublishers.ofString(lines(0, filling))).build();
        CompletableFuture<HttpResponse<String>> first = client.sendAsync(fill, HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.count("limes.source.paused") >= 1);

        HttpResponse<String> busy = post("/ingest/counter-json", lines(100, 1), null);
        assertThat(busy.statusCode()).isEqualTo(429);
        assertThat(busy.headers().firstValue("Retry-After")).hasValue("2");
        assertThat(first).isNotDone();

        fixture.release();
        assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(post("/ingest/counter-json", lines(100, 1), null).statusCode()).isEqualTo(200);
        assertThat(fixture.stored()).isEqualTo(filling + 1);
    }

    @Test
    void aSlowClientGets408AtTheRequestDeadlineAndOthersAreServedMeanwhile() throws Exception {
        start(null, 1_000);
        try (Socket slow = new Socket("127.0.0.1", source.port())) {
            slow.setSoTimeout(10_000);
            OutputStream out = slow.getOutputStream();
            out.write("POST /ingest/counter-json HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long started = System.nanoTime();
            assertThat(post("/ingest/counter-json", lines(0, 1), null).statusCode()).isEqualTo(200);
            InputStream in = slow.getInputStream();
            byte[] head = in.readNBytes(12);
            assertThat(new String(head, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 408");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        }
        assertThat(fixture.count("limes.errors", "error_type", "request_timeout")).isEqualTo(1);
    }

    @Test
    void curlPostsAHikvisionStyleMultipartEventWhichReachesTheDriverWhole() throws Exception {
        assumeThat(Files.isExecutable(Path.of("/usr/bin/curl"))).as("curl installed").isTrue();
        start(null, 10_000);
        Path xml = dir.resolve("anpr.xml");
        Files.writeString(xml, """
                <?xml version="1.0" encoding="UTF-8"?>
                <EventNotificationAlert version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema">
                <ipAddress>10.20.0.31</ipAddress><channelID>1</channelID>
                <dateTime>2026-11-26T06:00:00+01:00</dateTime><eventType>ANPR</eventType>
                <ANPR><country>LY</country><licensePlate>5123456</licensePlate><confidenceLevel>97</confidenceLevel>
                <direction>forward</direction></ANPR>
                </EventNotificationAlert>
                """);
        Path jpeg = dir.resolve("licensePlatePicture.jpg");
        Files.write(jpeg, new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0, 0x10, 'J', 'F', 'I', 'F',
            0, (byte) 0xFF, (byte) 0xD9});
        Process curl = new ProcessBuilder("/usr/bin/curl", "-s", "-S", "--max-time", "20",
                "-w", "\n%{http_code} %{size_upload}",
                "-F", "anpr.xml=@" + xml + ";type=application/xml",
                "-F", "licensePlatePicture.jpg=@" + jpeg + ";type=image/jpeg",
                "http://127.0.0.1:" + source.port() + "/ingest/counter-json").redirectErrorStream(true).start();
        assertThat(curl.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String[] last = out.substring(out.lastIndexOf('\n') + 1).split(" ");
        JsonNode answer = JSON.readTree(out.substring(0, out.lastIndexOf('\n')));

        // counter-json cannot read a camera event, so the decoder's complaint comes back; camera-hikvision
        // plugs in at /ingest/camera-hikvision and gets the same whole multipart body as one frame.
        assertThat(last[0]).isEqualTo("400");
        assertThat(answer.get("accepted").asInt()).isZero();
        assertThat(answer.get("rejected").asInt()).isEqualTo(1);
        assertThat(answer.get("errors").get(0).asText()).startsWith("frame 1: ");
        assertThat(fixture.count("limes.frames.received", "source", "http-in")).isEqualTo(1);
        assertThat(fixture.count("limes.bytes.received", "source", "http-in")).isEqualTo(Double.parseDouble(last[1]));
    }
}
