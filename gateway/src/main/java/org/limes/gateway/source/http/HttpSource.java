package org.limes.gateway.source.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;
import java.util.concurrent.TimeUnit;
import org.limes.drivers.Driver;
import org.limes.drivers.DriverOptions;
import org.limes.drivers.Drivers;
import org.limes.gateway.pipeline.Pipeline;
import org.limes.gateway.source.SourceMetrics;
import org.limes.gateway.tls.SslContextLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code type: http} source: {@code POST /ingest/{driver}} on its own port, separate from
 * the admin API; see {@link HttpIngestHandler} for the answers and {@link HttpInitializer}
 * for the steps of a connection.
 *
 * <p>Threading: {@link #start} binds and returns; requests are served on this source's own
 * event loops. {@link #close} stops accepting, closes connections and waits for the loops.
 */
public final class HttpSource implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HttpSource.class);

    private final HttpSourceConfig config;
    private final EventLoopGroup group;
    private final ServerBootstrap bootstrap;
    private Channel channel;

    public HttpSource(HttpSourceConfig config, Drivers drivers, Pipeline pipeline, Predicate<String> knownDevice,
            SourceMetrics metrics, Clock clock) {
        this.config = config;
        Map<String, Driver> byName = new HashMap<>();
        for (HttpSourceConfig.DriverRoute r : config.drivers()) {
            byName.put(r.driver(), drivers.create(r.driver(), DriverOptions.of(r.options())));
        }
        byte[] token = config.tokenHash();
        SslContext tls = config.tls() == null ? null : SslContextLoader.server(config.tls());
        this.group = new MultiThreadIoEventLoopGroup(Math.min(2, Runtime.getRuntime().availableProcessors()),
                NioIoHandler.newFactory());
        this.bootstrap = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 128)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new HttpInitializer(config, tls, Map.copyOf(byName), token, knownDevice, pipeline,
                        metrics, clock));
    }

    /** Binds the listener. */
    public void start() {
        try {
            channel = bootstrap.bind(config.host(), config.port()).syncUninterruptibly().channel();
        } catch (Exception e) { // Netty rethrows the bind failure (a checked BindException) unchecked
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            throw new IllegalStateException("source " + config.name() + " cannot listen on " + config.host() + ":"
                    + config.port() + ": " + e.getMessage(), e);
        }
        LOG.info("source {} listening on {}://{}:{}/ingest/{driver} (drivers {})", config.name(),
                config.tls() == null ? "http" : "https", config.host(), port(),
                config.drivers().stream().map(HttpSourceConfig.DriverRoute::driver).toList());
    }

    /** The bound port (the real one when configured with 0). */
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.close().syncUninterruptibly();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
