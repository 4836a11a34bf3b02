package org.limes.gateway.source.http;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import java.time.Clock;
import java.util.Map;
import java.util.function.Predicate;
import org.limes.drivers.Driver;
import org.limes.gateway.pipeline.Pipeline;
import org.limes.gateway.source.CertificateIdentityHandler;
import org.limes.gateway.source.ChannelErrorHandler;
import org.limes.gateway.source.ConnectionLimitHandler;
import org.limes.gateway.source.SourceMetrics;

/**
 * One HTTP ingest connection, as a pipeline of small steps:
 *
 * <pre>
 * limit      ConnectionLimitHandler   refuse over max_connections / per peer (shared)
 * tls        SslHandler               optional
 * deadline   RequestDeadlineHandler   each request whole within request_timeout_ms, else 408
 * codec      HttpServerCodec          HTTP/1.1; request line 4 KiB, headers 16 KiB at most
 * token      BearerTokenHandler       with a token: 401 on the headers, before any body is read
 * aggregate  IngestBodyAggregator     a whole request of at most max_body_bytes, else 413
 * ingest     HttpIngestHandler        frames → pipeline.offer, answer once durable
 * errors     ChannelErrorHandler      count, log at a rate limit, close this channel only
 * </pre>
 *
 * <p>Threading: {@link #initChannel} runs once per accepted connection on its event loop.
 */
final class HttpInitializer extends ChannelInitializer<SocketChannel> {

    private final HttpSourceConfig config;
    private final SslContext tls;
    private final Map<String, Driver> drivers;
    private final byte[] token;
    private final Predicate<String> knownDevice;
    private final Pipeline pipeline;
    private final SourceMetrics metrics;
    private final Clock clock;
    private final ConnectionLimitHandler limit;
    private final ChannelErrorHandler errors;

    HttpInitializer(HttpSourceConfig config, SslContext tls, Map<String, Driver> drivers, byte[] token,
            Predicate<String> knownDevice,
            Pipeline pipeline, SourceMetrics metrics, Clock clock) {
        this.config = config;
        this.tls = tls;
        this.drivers = drivers;
        this.token = token;
        this.knownDevice = knownDevice;
        this.pipeline = pipeline;
        this.metrics = metrics;
        this.clock = clock;
        this.limit = new ConnectionLimitHandler(config.name(), config.maxConnections(),
                config.maxConnectionsPerPeer(), metrics);
        this.errors = new ChannelErrorHandler(config.name(), metrics);
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        ChannelPipeline p = channel.pipeline();
        p.addLast("limit", limit);
        CertificateIdentityHandler.addTls(p, channel, tls, tls != null && config.tls().mutual(), config.name(),
                knownDevice, metrics);
        RequestDeadlineHandler deadline = new RequestDeadlineHandler(config.requestTimeoutMs(), metrics);
        p.addLast("deadline", deadline)
                .addLast("codec", new HttpServerCodec(4096, 16 * 1024, 8192));
        if (token != null) {
            p.addLast("token", new BearerTokenHandler(token, metrics));
        }
        p.addLast("aggregate", new IngestBodyAggregator(config.maxBodyBytes(), metrics))
                .addLast("ingest", new HttpIngestHandler(config, drivers, pipeline, metrics, clock, deadline))
                .addLast("errors", errors);
    }
}
