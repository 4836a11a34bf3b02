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
import org.limes.gateway.sink.SinkMetrics;
import org.limes.gateway.sink.Undeliverable;
import org.limes.gateway.sink.centre.format.AlertFormat;
import org.limes.gateway.tls.SslContextLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * <p>Threading: one thread of its own, the only consumer of its outbox; the HTTP client
 * runs on one further thread owned by this sink.
 */
public final class WebhookSink implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookSink.class);
    private static final Set<Integer> RETRIED_4XX = Set.of(401, 403, 404, 405, 407, 408, 410, 421, 425, 429);
    private static final long MAX_RETRY_AFTER_MS = TimeUnit.MINUTES.toMillis(10);
    private static final int BODY_EXCERPT_BYTES = 512;
    private static final int WINDOW = 64;

    private final WebhookCentreConfig config;
    private final DestinationQueue outbox;
    private final SinkMetrics metrics;
    private final CentreEncoder encoder;
    private final Clock clock;
    private final URI uri;
    private final String bearer;
    private final Backoff backoff;
    private final ExecutorService httpExecutor;
    private final HttpClient client;
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * @throws IllegalArgumentException when the token or the TLS files cannot be read
     */
    public WebhookSink(WebhookCentreConfig config, String gateway, DestinationQueue outbox, SinkMetrics metrics, Clock clock) {
        this.config = config;
        this.outbox = outbox;
        this.metrics = metrics;
        this.clock = clock;
        this.encoder = new CentreEncoder(config.name(), AlertFormat.create(config.format(), gateway, config.cap(),
                config.cot()), metrics);
        this.uri = URI.create(config.url());
        this.bearer = config.tokenFile() == null && config.tokenEnv() == null ? null
                : Secrets.read(config.tokenFile(), config.tokenEnv());
        this.backoff = new Backoff(config.retryInitialMs(), config.retryMaxMs());
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
        this.thread = new Thread(this::loop, "limes-sink-" + config.name());
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    private void loop() {
        while (running) {
            try {
                List<OutboxRecord> batch = outbox.poll(WINDOW, 4 << 20, 200, TimeUnit.MILLISECONDS);
                for (OutboxRecord r : batch) {
                    if (!deliver(r)) {
                        return;
                    }
                    outbox.acknowledge(r.seq() + 1);
                }
            } catch (InterruptedException e) {
                return;
            } catch (IOException e) {
                LOG.error("centre {}: reading the outbox failed; retrying", config.name(), e);
                outbox.rewind();
                pause(backoff.nextDelayMs());
            }
        }
    }

    /**
     * Sends one record until the centre answers it, or sets it aside when no retry can deliver
     * it; false only when the sink is stopping.
     *
     * @throws IOException when the dead-letter file cannot be written
     */
    private boolean deliver(OutboxRecord r) throws IOException {
        Alert alert;
        byte[] body;
        try {
            alert = encoder.decode(r);
            try {
                body = encoder.format().encode(alert);
            } catch (RuntimeException e) {
                metrics.dropped("undecodable", 1);
                throw new Undeliverable("undecodable", "cannot be written as " + encoder.format().name() + ": "
                        + e.getMessage(), e);
            }
        } catch (Undeliverable u) {
            outbox.setAside(r, u.reason(), u.getMessage());
            return true;
        }
        HttpRequest.Builder rb = HttpRequest.newBuilder(uri).timeout(Duration.ofMillis(config.timeoutMs()))
                .header("Content-Type", encoder.format().contentType())
                .header("Idempotency-Key", alert.eventId())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        config.headers().forEach(rb::header);
        if (bearer != null) {
            rb.header("Authorization", "Bearer " + bearer);
        }
        HttpRequest request = rb.build();
        while (running) {
            long start = System.nanoTime();
            HttpResponse<String> response;
            try {
                response = send(request);
            } catch (IOException e) {
                metrics.failed(System.nanoTime() - start, "unavailable");
                long delay = backoff.nextDelayMs();
                LOG.warn("centre {}: POST to {} failed ({}); retrying in {} ms, {} queued", config.name(), uri,
                        e.toString(), delay, outbox.depth());
                pause(delay);
                continue;
            }
            if (response == null) {
                return false;
            }
            int status = response.statusCode();
            long nanos = System.nanoTime() - start;
            if (status >= 200 && status < 300) {
                metrics.written(nanos, 1, clock.millis());
                backoff.reset();
                return true;
            }
            if (status >= 400 && status < 500 && !RETRIED_4XX.contains(status)) {
                metrics.failed(nanos, "rejected");
                metrics.dropped("rejected_by_centre", 1);
                outbox.setAside(r, "rejected_by_centre", "HTTP " + status + " (" + response.body() + "); a rejected "
                        + "payload is never accepted on retry");
                return true;
            }
            metrics.failed(nanos, "http_" + status);
            long retryAfterMs = retryAfterMs(response.headers().firstValue("Retry-After").orElse(null));
            long delay = Math.max(backoff.nextDelayMs(), retryAfterMs);
            LOG.warn("centre {}: HTTP {} for alert {} ({}); retrying in {} ms, {} queued", config.name(), status,
                    alert.eventId(), response.body(), delay, outbox.depth());
            pause(delay);
        }
        return false;
    }

    /**
     * One exchange, bounded in time (twice the timeout, body included) and in memory (the
     * first 512 bytes of the body are kept); null when the sink is stopping.
     */
    private HttpResponse<String> send(HttpRequest request) throws IOException {
        CompletableFuture<HttpResponse<String>> f = client.sendAsync(request, info -> new ExcerptSubscriber());
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2L * config.timeoutMs());
        while (true) {
            if (!running) {
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

    private void pause(long ms) {
        Backoff.pause(ms, () -> running);
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(TimeUnit.SECONDS.toMillis(15));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        httpExecutor.shutdownNow();
    }
}
