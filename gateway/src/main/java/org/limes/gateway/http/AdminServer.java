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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.limes.gateway.config.Secrets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's admin HTTP server: {@code /health}, {@code /ready} and {@code /metrics} for load
 * balancers and Prometheus; the admin API ({@code /api/...}) and the status page ({@code /}) for
 * technicians. Its only write is a rule reload. See {@link AdminHandler} for the paths.
 *
 * <p>Threading: one event-loop thread accepts and serves all admin connections; the health
 * supplier and the registry scrape run on it. {@link #start} returns once the port is bound;
 * {@link #close} closes the listener and waits for the event loop to terminate.
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

    private final EventLoopGroup group;
    private final Channel channel;

    private final ExecutorService reloads;

    private AdminServer(EventLoopGroup group, Channel channel, ExecutorService reloads) {
        this.group = group;
        this.channel = channel;
        this.reloads = reloads;
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
        return start(host, port, registry, AdminApi.checksOnly(health, ready), null);
    }

    /**
     * Binds the admin server as {@code admin:} configures it, with the whole admin API and the
     * status page; the bearer token is read from its file or variable when authentication is on.
     */
    public static AdminServer start(AdminConfig config, PrometheusMeterRegistry registry, AdminApi api) {
        String token = config.authenticated() ? Secrets.read(config.tokenFile(), config.tokenEnv()) : null;
        return start(config.host(), config.port(), registry, api, token);
    }

    /**
     * Binds the admin server with the whole admin API and the status page.
     *
     * @param token the bearer token {@code /metrics} and {@code /api/*} require, or null for none
     */
    public static AdminServer start(String host, int port, PrometheusMeterRegistry registry, AdminApi api,
            String token) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + port);
        }
        // One reload at a time and none queued: a second request while one runs is answered 429.
        ThreadPoolExecutor reloads = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new SynchronousQueue<>(),
                r -> {
                    Thread t = new Thread(r, "limes-admin-reload");
                    t.setDaemon(true);
                    return t;
                });
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Channel channel = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 64)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new AdminInitializer(new AdminHandler(registry, api, token, reloads), registry))
                    .bind(host, port)
                    .syncUninterruptibly()
                    .channel();
            AdminServer server = new AdminServer(group, channel, reloads);
            log.info("Admin HTTP server listening on http://{}:{}{}", host, server.port(),
                    token == null ? "" : " (API and metrics need the bearer token)");
            return server;
        } catch (Exception e) { // Netty rethrows the bind failure (a checked BindException) unchecked
            reloads.shutdownNow();
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
        reloads.shutdownNow();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
