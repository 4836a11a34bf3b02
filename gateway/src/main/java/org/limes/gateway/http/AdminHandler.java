package org.limes.gateway.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
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
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.limes.gateway.ratelimit.LogLimiter;
import org.limes.gateway.rules.RulesReload;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the admin endpoints from an aggregated request:
 *
 * <pre>
 * GET  /health  /ready           JSON, 200 up / 503 down (never behind the token: load balancers, Docker)
 * GET  /  /status.css /status.js the status page (static, carries no data, never behind the token)
 * GET  /metrics                  Prometheus text format 0.0.4
 * GET  /api/devices              inventory, last seen, state ok|silent|faulty|pending, clock skew
 * GET  /api/alerts               open episodes and recent transitions
 * GET  /api/live                 latest reading of each kind, by device
 * GET  /api/destinations         queue depth, oldest unacknowledged age, last acknowledgement
 * GET  /api/status               all of the above for the status page, plus the ingest rate
 * GET  /api/map                  zones, located devices, live radar tracks, open alerts with positions
 * GET  /api/sparklines           readings per second per device over the last ten minutes
 * GET  /api/frames/{device}      the device's last frame (sampled 1/s) beside its normalised readings
 * POST /api/rules/reload         reloads the rules file: 200 applied, 422 not (the old rules stay)
 * </pre>
 *
 * With a token configured, {@code /metrics} and {@code /api/*} need {@code Authorization:
 * Bearer <token>}; the SHA-256 of the presented token is compared with the configured one's in
 * constant time (so neither the length nor a prefix leaks). Refusals answer 401, are counted
 * ({@code limes.errors{component=admin,error_type=unauthorised}}) and logged once a minute per
 * peer. Other paths get 404, other methods 405.
 *
 * <p>Threading: one instance is shared by all channels ({@link ChannelHandler.Sharable}); it runs
 * on the channel's event loop, so the suppliers and the scrape must be quick and must not block.
 * The reload, which waits for the pipeline, runs on {@code reloads} (bounded: a reload while one
 * is pending answers 429), and its answer is written back from there.
 */
@ChannelHandler.Sharable
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final String JSON_CONTENT_TYPE = "application/json; charset=utf-8";
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final String PICTURES = "/api/pictures/";
    private static final String FRAMES = "/api/frames/";
    private static final String PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static final Logger log = LoggerFactory.getLogger(AdminHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper API_JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
    private static final Map<String, Page> PAGES = Map.of(
            "/", Page.load("status.html", "text/html; charset=utf-8"),
            "/status.css", Page.load("status.css", "text/css; charset=utf-8"),
            "/status.js", Page.load("status.js", "text/javascript; charset=utf-8"));

    private final PrometheusMeterRegistry registry;
    private final AdminApi api;
    private final byte[] tokenSha256;
    private final Executor reloads;
    private final AdminMetrics metrics;
    private final LogLimiter refusalLog = new LogLimiter(TimeUnit.MINUTES.toNanos(1), 1_000);

    AdminHandler(PrometheusMeterRegistry registry, Supplier<Health> health) {
        this(registry, AdminApi.checksOnly(health, health), null, Runnable::run);
    }

    /**
     * @param token   the bearer token the API and metrics require, or null for none
     * @param reloads where rule reloads run (they block); must reject when busy
     */
    AdminHandler(PrometheusMeterRegistry registry, AdminApi api, String token, Executor reloads) {
        this.registry = registry;
        this.api = api;
        this.tokenSha256 = token == null ? null : sha256(token);
        this.reloads = reloads;
        this.metrics = new AdminMetrics(registry);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (request.decoderResult().isFailure()) {
            respond(ctx, request, HttpResponseStatus.BAD_REQUEST, TEXT, "bad request\n", false);
            return;
        }
        String path = new QueryStringDecoder(request.uri()).path();
        HttpMethod method = request.method();
        boolean reload = path.equals("/api/rules/reload");
        boolean picture = path.startsWith(PICTURES) && api.pictures() != null && api.pictures().keeps();
        boolean frame = path.startsWith(FRAMES) && api.live() != null;
        boolean known = reload || picture || frame || PAGES.containsKey(path) || path.equals("/health") || path.equals("/ready")
                || path.equals("/metrics") || (api.live() != null && switch (path) {
                    case "/api/devices", "/api/alerts", "/api/live", "/api/destinations", "/api/status", "/api/map",
                            "/api/sparklines" -> true;
                    default -> false;
                });
        if (!known || (reload && api.reloadRules() == null)) {
            respond(ctx, request, HttpResponseStatus.NOT_FOUND, TEXT, "not found\n", true);
            return;
        }
        HttpMethod allowed = reload ? HttpMethod.POST : HttpMethod.GET;
        // HEAD is GET without the body (monitors and curl -I use it).
        if (!allowed.equals(method) && !(allowed.equals(HttpMethod.GET) && HttpMethod.HEAD.equals(method))) {
            FullHttpResponse r = response(HttpResponseStatus.METHOD_NOT_ALLOWED, TEXT, "method not allowed\n");
            r.headers().set(HttpHeaderNames.ALLOW, reload ? "POST" : "GET, HEAD");
            send(ctx, request, r, true);
            return;
        }
        switch (path) {
            case "/health" -> health(ctx, request, api.health());
            case "/ready" -> health(ctx, request, api.ready());
            default -> {
                Page page = PAGES.get(path);
                if (page != null) {
                    FullHttpResponse r = response(HttpResponseStatus.OK, page.contentType(), page.body());
                    r.headers().set("Content-Security-Policy", PAGE_CSP).set("X-Content-Type-Options", "nosniff")
                            .set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
                    send(ctx, request, r, true);
                } else if (!authorised(ctx, request)) {
                    FullHttpResponse r = response(HttpResponseStatus.UNAUTHORIZED, JSON_CONTENT_TYPE,
                            "{\"error\":\"a valid bearer token is required\"}\n");
                    r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"limes-admin\"");
                    send(ctx, request, r, true);
                } else if (path.equals("/metrics")) {
                    respond(ctx, request, HttpResponseStatus.OK, PROMETHEUS_CONTENT_TYPE, registry.scrape(), true);
                } else if (reload) {
                    reload(ctx, request);
                } else if (picture) {
                    picture(ctx, request, path.substring(PICTURES.length()));
                } else if (frame) {
                    frame(ctx, request, path.substring(FRAMES.length()));
                } else {
                    api(ctx, request, path);
                }
            }
        }
    }

    private void api(ChannelHandlerContext ctx, FullHttpRequest request, String path) {
        Object body = switch (path) {
            case "/api/devices" -> Map.of("devices", api.live().devices());
            case "/api/alerts" -> api.live().alerts();
            case "/api/live" -> Map.of("devices", api.live().latest());
            case "/api/destinations" -> Map.of("destinations", api.destinations().get());
            case "/api/map" -> api.live().map();
            case "/api/sparklines" -> api.live().sparklines();
            default -> status();
        };
        String json;
        try {
            json = API_JSON.writeValueAsString(body) + "\n";
        } catch (JsonProcessingException e) {
            log.warn("{} is not serialisable", path, e);
            respond(ctx, request, HttpResponseStatus.INTERNAL_SERVER_ERROR, TEXT, "internal error\n", true);
            return;
        }
        FullHttpResponse r = response(HttpResponseStatus.OK, JSON_CONTENT_TYPE, json);
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        send(ctx, request, r, true);
    }

    /** {@code /api/frames/{device}}: 404 for a device the live view does not hold. */
    private void frame(ChannelHandlerContext ctx, FullHttpRequest request, String device) {
        Object body = device.isEmpty() || device.indexOf('/') >= 0 ? null : api.live().deviceFrame(device);
        if (body == null) {
            respond(ctx, request, HttpResponseStatus.NOT_FOUND, TEXT, "not found\n", true);
            return;
        }
        try {
            FullHttpResponse r = response(HttpResponseStatus.OK, JSON_CONTENT_TYPE,
                    API_JSON.writeValueAsString(body) + "\n");
            r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
            send(ctx, request, r, true);
        } catch (JsonProcessingException e) {
            log.warn("the frame of a device is not serialisable", e);
            respond(ctx, request, HttpResponseStatus.INTERNAL_SERVER_ERROR, TEXT, "internal error\n", true);
        }
    }

    /**
     * {@code /api/pictures/{ref}}: the names of a kept read's pictures, as JSON;
     * {@code /api/pictures/{ref}/{name}}: one picture. A reference is three segments
     * (device/day/read) checked by the store, which serves only regular files of reads it
     * kept, never through a link, so nothing outside its directory is served.
     * Pictures are a few hundred KB, read whole on the event loop; the admin port sees an
     * operator's clicks, not a flood.
     */
    private void picture(ChannelHandlerContext ctx, FullHttpRequest request, String rest) {
        int slashes = (int) rest.chars().filter(c -> c == '/').count();
        try {
            if (slashes == 2) {
                List<String> names = api.pictures().pictures(rest);
                if (!names.isEmpty()) {
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("picture_ref", rest);
                    body.put("pictures", names);
                    FullHttpResponse r = response(HttpResponseStatus.OK, JSON_CONTENT_TYPE,
                            API_JSON.writeValueAsString(body) + "\n");
                    r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
                    send(ctx, request, r, true);
                    return;
                }
            } else if (slashes == 3) {
                int cut = rest.lastIndexOf('/');
                String name = rest.substring(cut + 1);
                byte[] picture = api.pictures().read(rest.substring(0, cut), name);
                if (picture != null) {
                    FullHttpResponse r = response(HttpResponseStatus.OK, imageType(name), picture);
                    r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store").set("X-Content-Type-Options", "nosniff");
                    send(ctx, request, r, true);
                    return;
                }
            }
        } catch (IOException e) {
            log.debug("cannot serve picture {}: {}", rest, e.getMessage());
        }
        respond(ctx, request, HttpResponseStatus.NOT_FOUND, TEXT, "not found\n", true);
    }

    private static String imageType(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.endsWith(".jpg") || n.endsWith(".jpeg")) {
            return "image/jpeg";
        }
        if (n.endsWith(".png")) {
            return "image/png";
        }
        return "application/octet-stream";
    }

    private Map<String, Object> status() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("gateway", api.gateway());
        Health ready;
        try {
            ready = api.ready().get();
        } catch (RuntimeException e) {
            ready = Health.down(Map.of("error", String.valueOf(e)));
        }
        s.put("ready", ready.up());
        s.put("ready_details", ready.details());
        s.put("ingest_rate_per_s", api.live().ingestRatePerSecond());
        s.put("devices", api.live().devices());
        s.put("alerts", api.live().alerts());
        s.put("destinations", api.destinations().get());
        s.put("live", api.live().latest());
        return s;
    }

    private void reload(ChannelHandlerContext ctx, FullHttpRequest request) {
        request.retain();
        CompletableFuture<RulesReload> done;
        try {
            done = CompletableFuture.supplyAsync(() -> api.reloadRules().get(), reloads);
        } catch (RejectedExecutionException e) {
            request.release();
            FullHttpResponse r = response(HttpResponseStatus.TOO_MANY_REQUESTS, JSON_CONTENT_TYPE,
                    "{\"applied\":false,\"message\":\"a reload is already running\"}\n");
            r.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
            send(ctx, request, r, true);
            return;
        }
        done.whenComplete((result, failure) -> ctx.executor().execute(() -> {
            try {
                Map<String, Object> body = new LinkedHashMap<>();
                HttpResponseStatus status;
                if (failure != null) {
                    log.error("rule reload failed", failure);
                    status = HttpResponseStatus.INTERNAL_SERVER_ERROR;
                    body.put("applied", false);
                    body.put("message", String.valueOf(failure.getCause() == null ? failure : failure.getCause()));
                } else {
                    status = result.applied() ? HttpResponseStatus.OK : HttpResponseStatus.UNPROCESSABLE_ENTITY;
                    body.put("applied", result.applied());
                    body.put("message", result.message());
                }
                respond(ctx, request, status, JSON_CONTENT_TYPE, JSON.writeValueAsString(body) + "\n", true);
            } catch (JsonProcessingException e) {
                respond(ctx, request, HttpResponseStatus.INTERNAL_SERVER_ERROR, TEXT, "internal error\n", false);
            } finally {
                request.release();
            }
        }));
    }

    private boolean authorised(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (tokenSha256 == null) {
            return true;
        }
        String header = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        boolean ok = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                && MessageDigest.isEqual(tokenSha256, sha256(header.substring(7).strip()));
        if (!ok) {
            metrics.unauthorised();
            String peer = ctx.channel().remoteAddress() instanceof InetSocketAddress a
                    ? a.getAddress().getHostAddress() : String.valueOf(ctx.channel().remoteAddress());
            if (refusalLog.allow(peer, System.nanoTime())) {
                log.warn("admin request {} {} from {} refused: {} bearer token (counted in limes.errors"
                        + "{component=admin,error_type=unauthorised}, logged once a minute per peer)",
                        request.method(), new QueryStringDecoder(request.uri()).path(), peer,
                        header == null ? "no" : "a wrong");
            }
        }
        return ok;
    }

    static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private void health(ChannelHandlerContext ctx, FullHttpRequest request, Supplier<Health> check) {
        Map<String, Object> body = new LinkedHashMap<>();
        boolean up;
        try {
            Health current = check.get();
            up = current.up();
            body.put("status", !up ? "DOWN" : current.degraded() ? "DEGRADED" : "UP");
            body.put("details", current.details());
        } catch (RuntimeException e) {
            log.warn("Health check failed", e);
            up = false;
            body.put("status", "DOWN");
            body.put("error", String.valueOf(e));
        }
        String json;
        try {
            json = JSON.writeValueAsString(body) + "\n";
        } catch (JsonProcessingException e) {
            log.warn("Health details are not serialisable", e);
            up = false;
            json = "{\"status\":\"DOWN\",\"error\":\"health details are not serialisable\"}\n";
        }
        respond(ctx, request, up ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                JSON_CONTENT_TYPE, json, true);
    }

    private static FullHttpResponse response(HttpResponseStatus status, String contentType, String body) {
        return response(status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    private static FullHttpResponse response(HttpResponseStatus status, String contentType, byte[] body) {
        ByteBuf content = Unpooled.wrappedBuffer(body);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        return response;
    }

    private static void respond(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status,
            String contentType, String body, boolean mayKeepAlive) {
        send(ctx, request, response(status, contentType, body), mayKeepAlive);
    }

    private static void send(ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse response,
            boolean mayKeepAlive) {
        if (HttpMethod.HEAD.equals(request.method())) {
            // The headers (Content-Length included) of the GET answer, without its body.
            FullHttpResponse head = response.replace(io.netty.buffer.Unpooled.EMPTY_BUFFER);
            response.release();
            response = head;
        }
        boolean keepAlive = mayKeepAlive && HttpUtil.isKeepAlive(request);
        if (keepAlive) {
            if (request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            }
            ctx.writeAndFlush(response);
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("Closing admin connection from {} after error", ctx.channel().remoteAddress(), cause);
        ctx.close();
    }

    /** A static file of the status page, read once from the classpath. */
    private record Page(byte[] body, String contentType) {
        static Page load(String name, String contentType) {
            try (InputStream in = AdminHandler.class.getResourceAsStream(name)) {
                if (in == null) {
                    throw new IllegalStateException("status page resource " + name + " is missing from the jar");
                }
                return new Page(in.readAllBytes(), contentType);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read status page resource " + name, e);
            }
        }
    }
}
