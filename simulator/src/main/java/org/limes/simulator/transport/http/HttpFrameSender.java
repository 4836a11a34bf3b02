package org.limes.simulator.transport.http;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.limes.drivers.camera.hikvision.HikvisionAnprDriver;
import org.limes.simulator.transport.FrameSender;
import org.limes.simulator.transport.TargetConfig;

/**
 * Frames POSTed one per request to an HTTP endpoint, as ANPR cameras push their events
 * (Hikvision ISAPI {@code multipart/form-data}) and analytics cameras post JSON.
 *
 * <p>The Content-Type is the target's {@code content_type}, else chosen per body: a body
 * starting with {@code --} is the multipart form the drivers encode (boundary
 * {@value HikvisionAnprDriver#BOUNDARY}), anything else {@code application/json}.
 * Delivered means a 2xx answer; any other status fails the frame with the status and the
 * start of the answer.
 *
 * <p>Threading as {@link FrameSender}: at most {@value #WINDOW} requests are in flight;
 * {@link #send} blocks while the window is full.
 */
public final class HttpFrameSender implements FrameSender {

    /** Requests in flight at most. */
    public static final int WINDOW = 32;

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient client;
    private final URI uri;
    private final String contentType;
    private final Semaphore permits = new Semaphore(WINDOW);
    private volatile boolean closed;

    private HttpFrameSender(HttpClient client, URI uri, String contentType) {
        this.client = client;
        this.uri = uri;
        this.contentType = contentType;
    }

    /** A sender for the target; nothing is connected until the first frame. */
    public static HttpFrameSender open(TargetConfig target) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
        return new HttpFrameSender(client, URI.create(target.uri()), target.contentType());
    }

    /** The Content-Type a body is sent with. */
    public String contentTypeOf(byte[] body) {
        if (contentType != null) {
            return contentType;
        }
        return body.length > 1 && body[0] == '-' && body[1] == '-'
                ? "multipart/form-data; boundary=" + HikvisionAnprDriver.BOUNDARY
                : "application/json";
    }

    @Override
    public CompletableFuture<Void> send(String device, String kind, byte[] frame) {
        if (closed) {
            return CompletableFuture.failedFuture(new IOException("sender closed"));
        }
        try {
            permits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CompletableFuture.failedFuture(e);
        }
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                .header("Content-Type", contentTypeOf(frame))
                .POST(HttpRequest.BodyPublishers.ofByteArray(frame)).build();
        CompletableFuture<Void> result = new CompletableFuture<>();
        client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).whenComplete((response, error) -> {
            try {
                complete(result, response, error);
            } finally {
                // After the callers' callbacks ran, so awaitIdle's callers see their effects.
                permits.release();
            }
        });
        return result;
    }

    private void complete(CompletableFuture<Void> result, HttpResponse<byte[]> response, Throwable error) {
        if (error != null) {
            result.completeExceptionally(new IOException("POST " + uri + " failed: " + error.getMessage(), error));
        } else if (response.statusCode() / 100 != 2) {
            String body = new String(response.body(), 0, Math.min(200, response.body().length),
                    StandardCharsets.UTF_8);
            result.completeExceptionally(new IOException("POST " + uri + " answered " + response.statusCode()
                    + ": " + body.strip()));
        } else {
            result.complete(null);
        }
    }

    @Override
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        if (permits.tryAcquire(WINDOW, timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            permits.release(WINDOW);
            return true;
        }
        return false;
    }

    @Override
    public void close() {
        closed = true;
    }
}
