package org.limes.gateway.source.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.limes.gateway.source.SourceMetrics;

/**
 * Checks the bearer token on a request's headers, before its body is read: a request
 * without the right {@code Authorization: Bearer} token is answered 401 at once and the
 * connection closed, so an unauthenticated client cannot make the gateway buffer up to
 * {@code max_body_bytes} (or send it {@code 100 Continue}) first. Counted as
 * {@code limes.errors{error_type=unauthorised}}.
 *
 * <p>Placed between the HTTP codec and the body aggregator; only on a source with a token.
 *
 * <p>Threading: one per channel, on its event loop.
 */
final class BearerTokenHandler extends ChannelInboundHandlerAdapter {

    private static final byte[] REFUSAL = "{\"error\":\"a valid bearer token is required\"}"
            .getBytes(StandardCharsets.UTF_8);

    /** SHA-256 of the token; the token itself is never held. */
    private final byte[] token;
    private final SourceMetrics metrics;
    /** The body parts of a refused request, dropped until the connection is closed. */
    private boolean refusing;

    BearerTokenHandler(byte[] token, SourceMetrics metrics) {
        this.token = token;
        this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request && request.decoderResult().isSuccess() && !authorised(request)) {
            refusing = true;
            metrics.error("unauthorised");
            ReferenceCountUtil.release(msg);
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.UNAUTHORIZED,
                    Unpooled.wrappedBuffer(REFUSAL));
            r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer")
                    .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, REFUSAL.length);
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if (refusing && msg instanceof HttpContent) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest) {
            refusing = false;
        }
        ctx.fireChannelRead(msg);
    }

    private boolean authorised(HttpRequest request) {
        String header = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return MessageDigest.isEqual(token, HttpSourceConfig.sha256(header.substring(7).strip()));
    }
}
