package org.limes.gateway.http;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.timeout.ReadTimeoutHandler;

/**
 * The admin connection pipeline: HTTP/1.1 codec, keep-alive bookkeeping, aggregation of a whole
 * request bounded to {@value #MAX_REQUEST_BYTES} bytes (larger ones get 413), then
 * {@link AdminHandler}. Idle connections are closed after {@value #IDLE_SECONDS} s.
 *
 * <p>Threading: {@link #initChannel} runs once per accepted connection on its event loop.
 */
final class AdminInitializer extends ChannelInitializer<SocketChannel> {

    static final int MAX_REQUEST_BYTES = 64 * 1024;
    static final int IDLE_SECONDS = 60;

    private final AdminHandler handler;

    AdminInitializer(AdminHandler handler) {
        this.handler = handler;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        channel.pipeline()
                .addLast("idle", new ReadTimeoutHandler(IDLE_SECONDS))
                .addLast("codec", new HttpServerCodec())
                .addLast("keepAlive", new HttpServerKeepAliveHandler())
                .addLast("aggregate", new HttpObjectAggregator(MAX_REQUEST_BYTES))
                .addLast("admin", handler);
    }
}
