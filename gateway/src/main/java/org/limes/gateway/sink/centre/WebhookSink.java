package org.limes.gateway.sink.centre;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.limes.gateway.config.Secrets;
import org.limes.gateway.outbox.DestinationQueue;
import org.limes.gateway.outbox.OutboxRecord;
import org.limes.gateway.rules.Alert;
import org.limes.gateway.sink.Backoff;
import org.limes.gateway.sink.Delivery;
import org.limes.gateway.sink.DeliveryFailed;
import org.limes.gateway.sink.SinkDrainer;
import org.limes.gateway.sink.SinkMetrics;
import org.limes.gateway.sink.Undeliverable;
import org.limes.gateway.sink.centre.format.AlertFormat;
import org.limes.gateway.tls.SslContextLoader;

/**
 * Delivers one centre's alerts from its own outbox as HTTPS POSTs, one alert per request,
 * in outbox order; the outbox advances past an alert only when the centre answered it.
 *
 * <pre>
 * answer                                   what happens
 * 2xx                                      acknowledged: the outbox advances
 * 408, 429, 5xx, timeout, connection error retried, same alert, backoff with jitter, no limit
 *                                          (Retry-After honoured, up to 10 minutes)
 * 401, 403, 404, 405, 407, 410, 421, 425   retried the same way: the endpoint or its credentials
 * 3xx (redirects are not followed)         are wrong, which the operator can fix, and no alert
 *                                          may be lost meanwhile
 * any other 4xx (400, 413, 415, 422, …)    rejected: counted (limes.dropped{reason=rejected_by_centre}),
 *                                          logged with the status and the start of the body, set
 *                                          aside in the centre's dead-letter file
 * </pre>
 *
 * A rejected alert is set aside ({@link DestinationQueue#setAside}) because the centre has judged that payload and will judge it
 * the same way on every retry: retrying would only hold back every alert behind it.
 * Each request carries {@code Idempotency-Key: <event_id>}, and a redelivery after a crash or a
 * lost answer is the same bytes, so the centre can drop it by that id.
 *
 * <p>Retries, backoff and the set-aside are its {@link SinkDrainer}'s; this class is the
 * HTTP protocol only.
 *
 * <p>Threading: {@link #deliver} on the drainer's one thread, the only consumer of its
 * outbox; the HTTP client runs on one further thread owned by this sink.
 */
public final class WebhookSink implements Delivery, AutoCloseable {

    private static final Set<Integer> RETRIED_4XX = Set.of(401, 403, 404, 405, 407, 408, 410, 421, 425, 429);
    private static final long MAX_RETRY_AFTER_MS = TimeUnit.MINUTES.toMillis(10);
    private static final int BODY_EXCERPT_BYTES = 512;
    private static final int WINDOW = 64;

    private final WebhookCentreConfig config;
    private final CentreEncoder encoder;
    private final Clock clock;
    private final URI uri;
    private final String bearer;
    private final ExecutorService httpExecutor;
    private final HttpClient client;
    private final SinkDrainer drainer;

    /**
     * @throws IllegalArgumentException when the token or the TLS files cannot be read
     */
    public WebhookSink(WebhookCentreConfig config, String gateway, DestinationQueue outbox, SinkMetrics metrics, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.encoder = new CentreEncoder(config.name(), AlertFormat.create(config.format(), gateway, config.cap(),
                config.cot()));
        this.uri = URI.create(config.url());
        this.bearer = config.tokenFile() == null && config.tokenEnv() == null ? null
                : Secrets.read(config.tokenFile(), config.tokenEnv());
        this.httpExecutor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "limes-webhook-" + config.name());
            t.setDaemon(true);
            return t;
        });
        HttpClient.Builder b = HttpClient.newBuilder().executor(httpExecutor)
                .connectTimeout(Duration.ofMillis(config.timeoutMs()))
                .followRedirects(HttpClient.Redirect.NEVER);
        if (config.tls() != null) {
            b.sslContext(SslContextLoader.load(config.tls()));
        }
        this.client = b.build();
        this.drainer = new SinkDrainer(outbox, this, metrics, clock,
                new Backoff(config.retryInitialMs(), config.retryMaxMs()), WINDOW, 4 << 20, 15_000);
    }

    public void start() {
        drainer.start();
    }

    /**
     * Posts the batch one alert at a time, in order, until the centre answered them all; stops
     * at the first alert it did not take (a failure to retry, or a rejection: set aside).
     */
    @Override
    public int deliver(List<OutboxRecord> batch) throws DeliveryFailed {
        for (int i = 0; i < batch.size(); i++) {
            try {
                post(batch.get(i));
            } catch (DeliveryFailed f) {
                throw f.after(i);
            }
        }
        return batch.size();
    }

    private void post(OutboxRecord r) throws DeliveryFailed {
        Alert alert;
        byte[] body;
        try {
            alert = encoder.decode(r);
            try {
                body = encoder.format().encode(alert, r.payload());
            } catch (RuntimeException e) {
                throw new Undeliverable("undecodable", "cannot be written as " + encoder.format().name() + ": "
                        + e.getMessage(), e);
            }
        } catch (Undeliverable u) {
            throw DeliveryFailed.setAside(0, null, u);
        }
        HttpRequest.Builder rb = HttpRequest.newBuilder(uri).timeout(Duration.ofMillis(config.timeoutMs()))
                .header("Content-Type", encoder.format().contentType())
                .header("Idempotency-Key", alert.eventId())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        config.headers().forEach(rb::header);
        if (bearer != null) {
            rb.header("Authorization", "Bearer " + bearer);
        }
        HttpResponse<String> response;
        try {
            response = send(rb.build());
        } catch (IOException e) {
            throw DeliveryFailed.retry(0, "unavailable", "POST to " + uri + " failed (" + e + ")", e);
        }
        if (response == null) {
            throw DeliveryFailed.retry(0, null, "stopping", null);
        }
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return;
        }
        if (status >= 400 && status < 500 && !RETRIED_4XX.contains(status)) {
            throw DeliveryFailed.setAside(0, "rejected", new Undeliverable("rejected_by_centre", "HTTP " + status
                    + " (" + response.body() + "); a rejected payload is never accepted on retry", null));
        }
        throw DeliveryFailed.retry(0, "http_" + status, "HTTP " + status + " for alert " + alert.eventId() + " ("
                + response.body() + ")", null)
                .retryAfter(retryAfterMs(response.headers().firstValue("Retry-After").orElse(null)));
    }

    /**
     * One exchange, bounded in time (twice the timeout, body included) and in memory (the
     * first 512 bytes of the body are kept); null when the sink is stopping.
     */
    private HttpResponse<String> send(HttpRequest request) throws IOException {
        CompletableFuture<HttpResponse<String>> f = client.sendAsync(request, info -> new ExcerptSubscriber());
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2L * config.timeoutMs());
        while (true) {
            if (!drainer.running()) {
                f.cancel(true);
                return null;
            }
            try {
                return f.get(100, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                if (System.nanoTime() - deadline > 0) {
                    f.cancel(true);
                    throw new HttpTimeoutException("no complete answer within " + 2L * config.timeoutMs() + " ms");
                }
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                f.cancel(true);
                return null;
            }
        }
    }

    /** Retry-After as delay-seconds or an HTTP-date, in ms; 0 when absent or unreadable; at most 10 minutes. */
    long retryAfterMs(String value) {
        if (value == null || value.isBlank()) {
            return 0;
        }
        long ms;
        try {
            ms = TimeUnit.SECONDS.toMillis(Long.parseLong(value.strip()));
        } catch (NumberFormatException e) {
            try {
                ms = ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli()
                        - clock.millis();
            } catch (DateTimeParseException e2) {
                return 0;
            }
        }
        return Math.max(0, Math.min(ms, MAX_RETRY_AFTER_MS));
    }

    /** Keeps the first bytes of a response body for the log and discards the rest as it arrives. */
    private static final class ExcerptSubscriber implements HttpResponse.BodySubscriber<String> {

        private final CompletableFuture<String> result = new CompletableFuture<>();
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream(BODY_EXCERPT_BYTES);

        @Override
        public CompletionStage<String> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            for (ByteBuffer b : items) {
                int n = Math.min(b.remaining(), BODY_EXCERPT_BYTES - kept.size());
                if (n > 0) {
                    byte[] chunk = new byte[n];
                    b.get(chunk);
                    kept.write(chunk, 0, n);
                }
            }
        }

        @Override
        public void onError(Throwable throwable) {
            result.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            String s = kept.toString(StandardCharsets.UTF_8).replaceAll("\\s+", " ").strip();
            result.complete(s.isEmpty() ? "empty body" : s);
        }
    }

    @Override
    public void close() {
        drainer.close();
        httpExecutor.shutdownNow();
    }
}
