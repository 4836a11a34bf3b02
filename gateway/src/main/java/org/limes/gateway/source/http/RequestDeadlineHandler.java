package org.limes.gateway.source.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.limes.gateway.source.SourceMetrics;

/**
 * The clock a client races: once a connection opens, and again after each response, the
 * next request must arrive whole within {@code request_timeout_ms}. Bytes trickling in do
 * not reset it, so a slow client (slowloris) or a half-open connection holds its slot for
 * that long at most. When it runs out with part of a request read, the client gets 408 and
 * the connection closes ({@code limes.errors{error_type=request_timeout}}); with nothing
 * read, the idle connection just closes ({@code error_type=idle_timeout}).
 *
 * <p>Placed in front of the HTTP codec, to see raw bytes. {@link HttpIngestHandler} stops
 * the clock when a whole request arrived and restarts it after answering.
 *
 * <p>Threading: one per channel, on its event loop.
 */
final class RequestDeadlineHandler extends ChannelDuplexHandler {

    private final long timeoutMs;
    private final SourceMetrics metrics;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> deadline;
    private boolean partial;

    RequestDeadlineHandler(long timeoutMs, SourceMetrics metrics) {
        this.timeoutMs = timeoutMs;
        this.metrics = metrics;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        start();
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (deadline != null && msg instanceof ByteBuf b && b.isReadable()) {
            partial = true;
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        stop();
        super.channelInactive(ctx);
    }

    /** (Re)starts the clock for the next request. */
    void start() {
        stop();
        partial = false;
        deadline = ctx.executor().schedule(this::expire, timeoutMs, TimeUnit.MILLISECONDS);
    }

    /** A whole request arrived. */
    void stop() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    private void expire() {
        deadline = null;
        if (!ctx.channel().isActive()) {
            return;
        }
        if (!partial) {
            metrics.error("idle_timeout");
            ctx.close();
            return;
        }
        metrics.error("request_timeout");
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.REQUEST_TIMEOUT);
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE).setInt(
                HttpHeaderNames.CONTENT_LENGTH, 0);
        // From the tail, so the response passes the HTTP encoder behind this handler.
        ctx.pipeline().writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}
