package org.limes.gateway.http;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.micrometer.core.instrument.MeterRegistry;
import org.limes.gateway.source.ConnectionLimitHandler;
import org.limes.gateway.source.SourceMetrics;

/**
 * The admin connection pipeline: at most {@value #MAX_CONNECTIONS} open connections, and
 * {@value #MAX_CONNECTIONS_PER_PEER} from one address (more are closed before anything is
 * read, counted in {@code limes.dropped{component=source-admin,reason=max_connections…}}),
 * HTTP/1.1 codec, keep-alive bookkeeping, aggregation of a whole request bounded to
 * {@value #MAX_REQUEST_BYTES} bytes (larger ones get 413), then {@link AdminHandler}. A
 * connection that sends nothing for {@value #IDLE_SECONDS} s is closed. The admin port sees
 * an operator's browser and a Prometheus scraper, so the limits are small.
 *
 * <p>Threading: {@link #initChannel} runs once per accepted connection on its event loop.
 */
final class AdminInitializer extends ChannelInitializer<SocketChannel> {

    static final int MAX_REQUEST_BYTES = 64 * 1024;
    static final int IDLE_SECONDS = 30;
    static final int MAX_CONNECTIONS = 64;
    static final int MAX_CONNECTIONS_PER_PEER = 16;

    private final AdminHandler handler;
    private final ConnectionLimitHandler limit;

    AdminInitializer(AdminHandler handler, MeterRegistry registry) {
        this.handler = handler;
        this.limit = new ConnectionLimitHandler("admin", MAX_CONNECTIONS, MAX_CONNECTIONS_PER_PEER,
                new SourceMetrics(registry, "admin"));
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        channel.pipeline()
                .addLast("limit", limit)
                .addLast("idle", new ReadTimeoutHandler(IDLE_SECONDS))
                .addLast("codec", new HttpServerCodec())
                .addLast("keepAlive", new HttpServerKeepAliveHandler())
                .addLast("aggregate", new HttpObjectAggregator(MAX_REQUEST_BYTES))
                .addLast("admin", handler);
    }
}
