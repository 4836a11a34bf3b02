package org.limes.gateway.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's admin HTTP server: {@code GET /health} and {@code GET /metrics} for technicians,
 * load balancers and Prometheus. It serves no data and accepts no writes.
 *
 * <p>Threading: one event-loop thread accepts and serves all admin connections; the health
 * supplier and the registry scrape run on it. {@link #start} returns once the port is bound;
 * {@link #close} closes the listener and waits for the event loop to terminate.
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

    private final EventLoopGroup group;
    private final Channel channel;

    private AdminServer(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    /**
     * Binds the admin server to {@code host:port}.
     *
     * @param port TCP port, or {@code 0} for one the OS picks (see {@link #port()})
     * @param registry the registry whose meters {@code /metrics} exposes
     * @param health asked on every {@code /health} request; must be quick
     * @throws IllegalStateException if the port cannot be bound
     */
    public static AdminServer start(String host, int port, PrometheusMeterRegistry registry, Supplier<Health> health) {
        return start(host, port, registry, health, health);
    }

    /** As {@link #start(String, int, PrometheusMeterRegistry, Supplier)}, with a separate readiness check. */
    public static AdminServer start(String host, int port, PrometheusMeterRegistry registry, Supplier<Health> health,
            Supplier<Health> ready) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + port);
        }
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Channel channel = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 64)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new AdminInitializer(new AdminHandler(registry, health, ready)))
                    .bind(host, port)
                    .syncUninterruptibly()
                    .channel();
            AdminServer server = new AdminServer(group, channel);
            log.info("Admin HTTP server listening on http://{}:{}", host, server.port());
            return server;
        } catch (Exception e) { // Netty rethrows the bind failure (a checked BindException) unchecked
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            throw new IllegalStateException("cannot bind admin HTTP server to " + host + ":" + port, e);
        }
    }

    /** The bound port (the real one when started with port {@code 0}). */
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** Closes the listener and open connections, and waits for the event loop to stop. */
    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
