package org.limes.simulator.transport.mqtt;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The Netty event loops the bench's load clients ({@link LoadPublisher}, {@link LoadSubscriber})
 * share: each connection is served by one loop thread (named {@code bench-mqtt-…}, so the bench
 * can tell its own CPU from an in-process broker's), which does its socket reads and writes and
 * its acknowledgement bookkeeping. Netty's native epoll transport where it loads (Linux), NIO
 * elsewhere.
 *
 * <p>Threading: connect from any thread; {@link #close} once, after the clients are closed.
 */
public final class LoadClients implements AutoCloseable {

    /** Thread-name prefix of the loops. */
    public static final String THREAD_PREFIX = "bench-mqtt";
    /** Keep alive the clients ask for, in seconds; they ping when they wrote nothing for a third of it. */
    static final int KEEP_ALIVE_SECONDS = 60;

    private final EventLoopGroup group;
    private final Class<? extends Channel> channelClass;

    /** @param threads event-loop threads, 1..64 */
    public LoadClients(int threads) {
        if (threads < 1 || threads > 64) {
            throw new IllegalArgumentException("threads must be 1..64, got " + threads);
        }
        // Linux's epoll transport where Netty's native library loads (fewer copies and objects per
        // read than NIO), NIO elsewhere.
        boolean epoll = Epoll.isAvailable();
        this.group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(THREAD_PREFIX, true),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        this.channelClass = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /**
     * Opens a TCP connection to {@code brokerUri} ({@code tcp://host:port}) with {@code handler}
     * behind a keep-alive timer; the handler sends CONNECT once the socket is up.
     */
    Channel open(String brokerUri, MqttClientHandler handler, Duration timeout) throws IOException {
        URI uri;
        try {
            uri = new URI(brokerUri);
        } catch (URISyntaxException e) {
            throw new IOException("invalid broker URI " + brokerUri + ": " + e.getMessage(), e);
        }
        if (!"tcp".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 1) {
            throw new IOException("broker URI must be tcp://host:port, got " + brokerUri);
        }
        Bootstrap bootstrap = new Bootstrap().group(group).channel(channelClass)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
                .handler(new io.netty.channel.ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(MqttClientHandler.IDLE,
                                new IdleStateHandler(0, KEEP_ALIVE_SECONDS / 3, 0, TimeUnit.SECONDS));
                        ch.pipeline().addLast(MqttClientHandler.NAME, handler);
                    }
                });
        ChannelFuture f = bootstrap.connect(uri.getHost(), uri.getPort());
        try {
            if (!f.await(timeout.toMillis())) {
                f.cancel(false);
                throw new IOException("cannot connect to broker " + brokerUri + ": no TCP connection within "
                        + timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.cancel(false);
            throw new IOException("interrupted connecting to " + brokerUri, e);
        }
        if (!f.isSuccess()) {
            throw new IOException("cannot connect to broker " + brokerUri + ": " + f.cause().getMessage(), f.cause());
        }
        return f.channel();
    }

    /** The transport in use, for the report: {@code epoll} or {@code nio}. */
    public String transport() {
        return channelClass == EpollSocketChannel.class ? "epoll" : "nio";
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
