package org.limes.gateway.source.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.limes.drivers.Driver;
import org.limes.drivers.Frame;
import org.limes.drivers.Framing;
import org.limes.gateway.pipeline.Pipeline;
import org.limes.gateway.source.CertificateIdentityHandler;
import org.limes.gateway.source.SourceMetrics;

/**
 * Answers {@code POST /ingest/{driver}}: cuts the body into frames (one per line for a
 * newline-framed driver, the whole body otherwise and always for {@code multipart/form-data},
 * which camera drivers parse themselves), offers them to the pipeline in order, and answers
 * once every frame taken is durable in the outbox:
 *
 * <ul>
 * <li>200 {@code {"accepted":n,"rejected":0}} — every reading stored ({@code accepted} counts
 *     readings durable in the outbox, never one that was then dropped);
 * <li>400 with the same counts and, for each rejected record or reading, its frame's number
 *     (from 1) and the reason (the first {@value #MAX_REASONS}): a malformed record, a device
 *     not in the inventory, a reading over the limits or its device's rate — the accepted
 *     readings are stored all the same; a request nothing of which was stored is never a 2xx;
 * <li>429 with {@code Retry-After} and the same counts — nothing stored, every reading over its
 *     device's rate;
 * <li>429 with {@code Retry-After} — the pipeline is full and nothing was taken (when it
 *     fills half-way through a body, the rest waits for room instead, so a retry never
 *     doubles what was already taken);
 * <li>503 with {@code Retry-After} — the outbox did not confirm within {@code ack_timeout_ms};
 *     what was taken may still be stored, so a retry can repeat it (stores are idempotent);
 * <li>404 for another path or an unconfigured driver, 405 for another method; 401 without the
 *     right bearer token comes from {@link BearerTokenHandler} before the body is read, 413 over
 *     {@code max_body_bytes} from the aggregator.
 * </ul>
 *
 * <p>One request at a time per connection: reading stops while a request is being answered,
 * so pipelined requests wait in the socket, not in memory.
 *
 * <p>Threading: one per channel, on its event loop; acknowledgements arrive on the outbox
 * committer's thread and are handed back to the event loop.
 */
final class HttpIngestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    static final String PREFIX = "/ingest/";
    static final int MAX_REASONS = 20;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long FIRST_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long MAX_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final HttpSourceConfig config;
    private final Map<String, Driver> drivers;
    private final Pipeline pipeline;
    private final SourceMetrics metrics;
    private final Clock clock;
    private final RequestDeadlineHandler deadline;

    HttpIngestHandler(HttpSourceConfig config, Map<String, Driver> drivers, Pipeline pipeline,
            SourceMetrics metrics, Clock clock, RequestDeadlineHandler deadline) {
        this.config = config;
        this.drivers = drivers;
        this.pipeline = pipeline;
        this.metrics = metrics;
        this.clock = clock;
        this.deadline = deadline;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        deadline.stop();
        ctx.channel().config().setAutoRead(false);
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (request.decoderResult().isFailure()) {
            metrics.error("bad_request");
            respond(ctx, HttpResponseStatus.BAD_REQUEST, error("not a valid HTTP request"), false);
            return;
        }
        String path = new QueryStringDecoder(request.uri()).path();
        if (!path.startsWith(PREFIX)) {
            respond(ctx, HttpResponseStatus.NOT_FOUND, error("not found; POST to " + PREFIX + "{driver}"), keepAlive);
            return;
        }
        if (!HttpMethod.POST.equals(request.method())) {
            FullHttpResponse r = response(HttpResponseStatus.METHOD_NOT_ALLOWED, error("use POST"), keepAlive);
            r.headers().set(HttpHeaderNames.ALLOW, "POST");
            send(ctx, r, keepAlive);
            return;
        }
        String name = path.substring(PREFIX.length());
        Driver driver = drivers.get(name);
        if (driver == null) {
            respond(ctx, HttpResponseStatus.NOT_FOUND, error("no driver '" + name + "' here; expected one of "
                    + drivers.keySet().stream().sorted().toList()), keepAlive);
            return;
        }
        List<byte[]> frames = frames(request, driver);
        if (frames.isEmpty()) {
            metrics.error("empty_body");
            respond(ctx, HttpResponseStatus.BAD_REQUEST, error("the body holds no frame"), keepAlive);
            return;
        }
        String origin = peer(ctx) + " " + path;
        new Exchange(ctx, driver, origin, ctx.channel().attr(CertificateIdentityHandler.DEVICE).get(), frames,
                keepAlive).offerRest();
    }

    /** The frames of a body: lines for newline-framed drivers, else the whole body. */
    static List<byte[]> frames(FullHttpRequest request, Driver driver) {
        ByteBuf body = request.content();
        List<byte[]> frames = new ArrayList<>();
        String type = request.headers().get(HttpHeaderNames.CONTENT_TYPE, "");
        boolean multipart = type.regionMatches(true, 0, "multipart/", 0, 10);
        if (driver.framing() != Framing.NEWLINE || multipart) {
            if (body.isReadable()) {
                frames.add(ByteBufUtil.getBytes(body));
            }
            return frames;
        }
        int start = body.readerIndex();
        int end = body.writerIndex();
        while (start < end) {
            int nl = body.indexOf(start, end, (byte) '\n');
            int lineEnd = nl < 0 ? end : nl;
            int stop = lineEnd > start && body.getByte(lineEnd - 1) == '\r' ? lineEnd - 1 : lineEnd;
            if (stop > start && !isBlank(body, start, stop)) {
                frames.add(ByteBufUtil.getBytes(body, start, stop - start));
            }
            start = lineEnd + 1;
        }
        return frames;
    }

    private static boolean isBlank(ByteBuf b, int from, int to) {
        for (int i = from; i < to; i++) {
            byte c = b.getByte(i);
            if (c != ' ' && c != '\t') {
                return false;
            }
        }
        return true;
    }

    /** One request being answered: offers its frames, counts acknowledgements, then responds. */
    private final class Exchange {
        final ChannelHandlerContext ctx;
        final Driver driver;
        final String origin;
        final String identity;
        final List<byte[]> frames;
        final boolean keepAlive;
        /** Rejection reasons by frame index, sorted when answering (frames finish in any order). */
        final List<Map.Entry<Integer, String>> reasons = new ArrayList<>();
        int next;
        int accepted;
        int rejected;
        int rateLimited;
        int outstanding;
        long retryNanos = FIRST_RETRY_NANOS;
        boolean answered;
        ScheduledFuture<?> ackTimeout;

        Exchange(ChannelHandlerContext ctx, Driver driver, String origin, String identity, List<byte[]> frames,
                boolean keepAlive) {
            this.identity = identity;
            this.ctx = ctx;
            this.driver = driver;
            this.origin = origin;
            this.frames = frames;
            this.keepAlive = keepAlive;
        }

        void offerRest() {
            while (next < frames.size()) {
                byte[] payload = frames.get(next);
                int index = next;
                outstanding++;
                Pipeline.Offer offer = pipeline.offer(
                        new Frame(payload, config.name(), origin, clock.instant(), identity),
                        driver, (Pipeline.Outcome o) -> ctx.executor().execute(() -> done(index, o)),
                        why -> ctx.executor().execute(() -> refused(why)));
                if (!offer.taken()) {
                    outstanding--;
                    metrics.paused();
                    if (next == 0) {
                        FullHttpResponse r = response(HttpResponseStatus.TOO_MANY_REQUESTS,
                                error("the gateway is busy; retry after " + config.retryAfterSeconds() + " s"),
                                keepAlive);
                        r.headers().setInt(HttpHeaderNames.RETRY_AFTER, config.retryAfterSeconds());
                        answer(r);
                        return;
                    }
                    ctx.executor().schedule(this::offerRest, retryNanos, TimeUnit.NANOSECONDS);
                    retryNanos = Math.min(MAX_RETRY_NANOS, retryNanos * 2);
                    return;
                }
                metrics.received(payload.length);
                retryNanos = FIRST_RETRY_NANOS;
                next++;
            }
            if (ackTimeout == null && outstanding > 0) {
                ackTimeout = ctx.executor().schedule(this::timedOut, config.ackTimeoutMs(), TimeUnit.MILLISECONDS);
            }
            finishIfDone();
        }

        /** Frame {@code index} is durable (or was answered at once): what became of its readings. */
        void done(int index, Pipeline.Outcome outcome) {
            outstanding--;
            accepted += outcome.stored();
            rejected += outcome.rejected();
            rateLimited += outcome.rateLimited();
            for (String reason : outcome.reasons()) {
                if (reasons.size() < MAX_REASONS) {
                    // Numbered from 1, as people count lines.
                    reasons.add(Map.entry(index, "frame " + (index + 1) + ": " + reason));
                }
            }
            finishIfDone();
        }

        void finishIfDone() {
            if (answered || outstanding > 0 || next < frames.size()) {
                return;
            }
            ObjectNode body = JSON.createObjectNode();
            body.put("accepted", accepted);
            body.put("rejected", rejected);
            if (rejected > 0) {
                ArrayNode errors = body.putArray("errors");
                reasons.stream().sorted(Map.Entry.comparingByKey()).forEach(e -> errors.add(e.getValue()));
                String hint = hint();
                if (hint != null) {
                    body.put("hint", hint);
                }
            }
            metrics.acknowledged(frames.size());
            if (rejected > 0 && accepted == 0 && rateLimited == rejected) {
                FullHttpResponse r = response(HttpResponseStatus.TOO_MANY_REQUESTS, body, keepAlive);
                r.headers().setInt(HttpHeaderNames.RETRY_AFTER, 1);
                answer(r);
                return;
            }
            answer(response(rejected == 0 ? HttpResponseStatus.OK : HttpResponseStatus.BAD_REQUEST, body, keepAlive));
        }

        /**
         * For a line-by-line JSON driver given one JSON document spread over several lines (a
         * pretty-printed body), which fails line by line with reasons that do not say so: the
         * format to use instead. Null otherwise.
         */
        String hint() {
            if (driver.framing() != Framing.NEWLINE || frames.size() < 2 || accepted > 0) {
                return null;
            }
            int size = frames.stream().mapToInt(f -> f.length + 1).sum();
            byte[] whole = new byte[size];
            int at = 0;
            for (byte[] f : frames) {
                System.arraycopy(f, 0, whole, at, f.length);
                at += f.length;
                whole[at++] = '\n';
            }
            try {
                if (!JSON.readTree(whole).isContainerNode()) {
                    return null;
                }
            } catch (java.io.IOException e) {
                return null;
            }
            return "the body is one JSON document over " + frames.size() + " lines, but " + driver.name()
                    + " takes one JSON object per line (NDJSON): put each object on a line of its own";
        }

        /**
         * Cluster mode: the cluster did not take a frame of the body. The whole answer is 503 with
         * Retry-After, never 2xx, though other frames of it may have been taken (the client sends
         * the body again; the frames topic then holds those twice, which idempotent stores absorb).
         */
        void refused(String why) {
            outstanding--;
            if (answered) {
                return;
            }
            metrics.dropped("cluster_refused");
            ObjectNode body = error("not stored: " + why + "; retry after " + config.retryAfterSeconds() + " s");
            body.put("accepted", 0);
            FullHttpResponse r = response(HttpResponseStatus.SERVICE_UNAVAILABLE, body, keepAlive);
            r.headers().setInt(HttpHeaderNames.RETRY_AFTER, config.retryAfterSeconds());
            answer(r);
        }

        void timedOut() {
            if (answered) {
                return;
            }
            metrics.error("ack_timeout");
            ObjectNode body = error("the outbox did not confirm within " + config.ackTimeoutMs() + " ms; what was "
                    + "taken may still be stored");
            body.put("accepted", accepted);
            body.put("rejected", rejected);
            body.put("frames_unconfirmed", outstanding);
            FullHttpResponse r = response(HttpResponseStatus.SERVICE_UNAVAILABLE, body, keepAlive);
            r.headers().setInt(HttpHeaderNames.RETRY_AFTER, config.retryAfterSeconds());
            answer(r);
        }

        void answer(FullHttpResponse r) {
            answered = true;
            if (ackTimeout != null) {
                ackTimeout.cancel(false);
            }
            send(ctx, r, keepAlive);
        }
    }

    private void respond(ChannelHandlerContext ctx, HttpResponseStatus status, ObjectNode body, boolean keepAlive) {
        send(ctx, response(status, body, keepAlive), keepAlive);
    }

    private void send(ChannelHandlerContext ctx, FullHttpResponse r, boolean keepAlive) {
        if (!ctx.channel().isActive()) {
            r.release();
            return;
        }
        if (keepAlive) {
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            deadline.start();
            ctx.channel().config().setAutoRead(true);
        } else {
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static FullHttpResponse response(HttpResponseStatus status, ObjectNode body, boolean keepAlive) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a response of plain strings and numbers cannot fail to serialise", e);
        }
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.wrappedBuffer(bytes));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        HttpUtil.setKeepAlive(r, keepAlive);
        return r;
    }

    private static ObjectNode error(String message) {
        ObjectNode n = JSON.createObjectNode();
        n.put("error", message);
        return n;
    }

    private static String peer(ChannelHandlerContext ctx) {
        return ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a.getAddress().getHostAddress()
                : String.valueOf(ctx.channel().remoteAddress());
    }
}
