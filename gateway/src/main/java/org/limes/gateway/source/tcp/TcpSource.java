package org.limes.gateway.source.tcp;

import io.micrometer.core.instrument.Gauge;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.Predicate;
import org.limes.drivers.Driver;
import org.limes.drivers.Drivers;
import org.limes.drivers.Framing;
import org.limes.gateway.pipeline.Pipeline;
import org.limes.gateway.source.DeviceDrivers;
import org.limes.gateway.source.SourceMetrics;
import org.limes.gateway.tls.SslContextLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code type: tcp} source: a Netty listener whose connections are cut into frames
 * (newline, length-prefixed or ASTERIX blocks) and offered to the pipeline; see
 * {@link TcpInitializer} for the steps of a connection and {@link TcpFrameHandler} for
 * backpressure.
 *
 * <p>Device identity: from the payload, or — for drivers that take a {@code device}
 * option — from the mutual-TLS certificate, else from {@code devices_by_peer}. One driver
 * is created per such device, once, and reused.
 *
 * <p>Threading: {@link #start} binds and returns; connections are served on this source's
 * own event loops. {@link #close} stops accepting, closes the connections and waits for the
 * loops to end.
 */
public final class TcpSource implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TcpSource.class);

    private final TcpSourceConfig config;
    private final EventLoopGroup group;
    private final SourceMetrics metrics;
    private final AtomicInteger held = new AtomicInteger();
    private final ServerBootstrap bootstrap;
    private Channel channel;

    /**
     * @param knownDevice whether a device id is in the inventory (for mutual-TLS identities)
     * @param nanos       monotonic time for the rate limit ({@code System::nanoTime})
     */
    public TcpSource(TcpSourceConfig config, Drivers drivers, Pipeline pipeline, Predicate<String> knownDevice,
            SourceMetrics metrics, Clock clock, LongSupplier nanos) {
        this(config, new DeviceDrivers(drivers, config.driver(), config.options()), null, pipeline, knownDevice,
                metrics, clock, nanos);
    }

    private TcpSource(TcpSourceConfig config, DeviceDrivers byDevice, Supplier<ChannelHandler> session,
            Pipeline pipeline, Predicate<String> knownDevice, SourceMetrics metrics, Clock clock, LongSupplier nanos) {
        this(config, byDevice.plain(), byDevice::forDevice, session, pipeline, knownDevice, metrics, clock, nanos);
    }

    /**
     * A listener with a protocol session step after the framing (SAPIENT's handshake).
     *
     * @param plain     the driver without a device, which sets the framing
     * @param driverFor the driver for the frames of a device (null: the device is in the payload)
     */
    TcpSource(TcpSourceConfig config, Driver plain, Function<String, Driver> driverFor,
            Supplier<ChannelHandler> session, Pipeline pipeline, Predicate<String> knownDevice, SourceMetrics metrics,
            Clock clock, LongSupplier nanos) {
        this.config = config;
        this.metrics = metrics;
        Framing framing = TcpInitializer.framing(config, plain);
        SslContext tls = config.tls() == null ? null : SslContextLoader.server(config.tls());
        Gauge.builder("limes.source.held", held, AtomicInteger::get)
                .description("Frames read and waiting for room in the pipeline (bounded by one read per paused "
                        + "connection)").tag("source", config.name()).strongReference(true).register(metrics.registry());
        this.group = new MultiThreadIoEventLoopGroup(Math.min(2, Runtime.getRuntime().availableProcessors()),
                NioIoHandler.newFactory());
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 128)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childHandler(new TcpInitializer(config, framing, tls, pipeline, driverFor, knownDevice, metrics,
                        clock, nanos, held, session));
        if (config.receiveBufferBytes() != null) {
            b.childOption(ChannelOption.SO_RCVBUF, config.receiveBufferBytes());
        }
        this.bootstrap = b;
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
        LOG.info("source {} listening on tcp://{}:{} ({}{})", config.name(), config.host(), port(), config.driver(),
                config.tls() == null ? "" : config.tls().mutual() ? ", mutual TLS" : ", TLS");
    }

    /** The bound port (the real one when configured with 0). */
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** Open connections. */
    public int connections() {
        return metrics.connections();
    }

    /** Frames read and not yet taken by the pipeline. */
    public int held() {
        return held.get();
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.close().syncUninterruptibly();
        }
        // Frames already read are still being offered to the pipeline (which closes after us): give them a moment.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (held.get() > 0 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        int lost = held.getAndSet(0);
        if (lost > 0) {
            metrics.dropped("shutdown", lost);
            LOG.error("source {} stopped with {} frames read but not yet taken by the pipeline; they are lost "
                    + "(counted in limes.dropped{reason=shutdown})", config.name(), lost);
        }
    }
}
