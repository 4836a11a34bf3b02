package org.limes.gateway.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the admin endpoints from an aggregated request: {@code GET /health} and
 * {@code GET /ready} (JSON, 200 when up, 503 when down or when the check itself fails), {@code GET /metrics} (Prometheus text
 * format 0.0.4 from the registry), 404 for any other path and 405 for any other method.
 *
 * <p>Threading: one instance is shared by all channels ({@link ChannelHandler.Sharable}); it runs
 * on the channel's event loop, so the health supplier and the scrape must be quick and must not
 * block. It keeps no per-request state.
 */
@ChannelHandler.Sharable
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final String JSON_CONTENT_TYPE = "application/json; charset=utf-8";

    private static final Logger log = LoggerFactory.getLogger(AdminHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrometheusMeterRegistry registry;
    private final Supplier<Health> health;
    private final Supplier<Health> ready;

    AdminHandler(PrometheusMeterRegistry registry, Supplier<Health> health) {
        this(registry, health, health);
    }

    AdminHandler(PrometheusMeterRegistry registry, Supplier<Health> health, Supplier<Health> ready) {
        this.ready = ready;
        this.registry = registry;
        this.health = health;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (request.decoderResult().isFailure()) {
            respond(ctx, request, HttpResponseStatus.BAD_REQUEST, "text/plain; charset=utf-8", "bad request\n", false);
            return;
        }
        String path = new QueryStringDecoder(request.uri()).path();
        boolean known = path.equals("/health") || path.equals("/ready") || path.equals("/metrics");
        if (!known) {
            respond(ctx, request, HttpResponseStatus.NOT_FOUND, "text/plain; charset=utf-8", "not found\n", true);
        } else if (!HttpMethod.GET.equals(request.method())) {
            respond(ctx, request, HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain; charset=utf-8",
                    "method not allowed\n", true);
        } else if (path.equals("/health")) {
            health(ctx, request, health);
        } else if (path.equals("/ready")) {
            health(ctx, request, ready);
        } else {
            respond(ctx, request, HttpResponseStatus.OK, PROMETHEUS_CONTENT_TYPE, registry.scrape(), true);
        }
    }

    private void health(ChannelHandlerContext ctx, FullHttpRequest request, Supplier<Health> check) {
        Map<String, Object> body = new LinkedHashMap<>();
        boolean up;
        try {
            Health current = check.get();
            up = current.up();
            body.put("status", up ? "UP" : "DOWN");
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

    private static void respond(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status,
            String contentType, String body, boolean mayKeepAlive) {
        ByteBuf content = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        if (status == HttpResponseStatus.METHOD_NOT_ALLOWED) {
            response.headers().set(HttpHeaderNames.ALLOW, HttpMethod.GET.name());
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
}
