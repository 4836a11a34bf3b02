package org.limes.gateway.source.tcp;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.nio.ByteOrder;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.limes.drivers.Driver;
import org.limes.drivers.Framing;
import org.limes.gateway.pipeline.Pipeline;
import org.limes.gateway.ratelimit.TokenBucket;
import org.limes.gateway.source.CertificateIdentityHandler;
import org.limes.gateway.source.ChannelErrorHandler;
import org.limes.gateway.source.ConnectionLimitHandler;
import org.limes.gateway.source.SourceMetrics;

/**
 * One TCP connection, as a pipeline of small steps:
 *
 * <pre>
 * limit        ConnectionLimitHandler      refuse over max_connections / per peer (shared)
 * tls          SslHandler                  optional; with client_ca_file, mutual
 * identity     CertificateIdentityHandler  mutual TLS only: the certificate must name an inventory device
 * idle         ReadTimeoutHandler          close after idle_timeout_ms without a byte
 * gate         ReadGateHandler             no reads while paused for backpressure
 * framing      Line / LengthField / AsterixBlock decoder, failing fast at max_frame_bytes
 * session      SapientSessionHandler       type sapient only: registration handshake, alert acks
 * frames       TcpFrameHandler             Frame → pipeline.offer, pause when full or over rate
 * errors       ChannelErrorHandler         count, log at a rate limit, close this channel only
 * </pre>
 *
 * <p>Threading: {@link #initChannel} runs once per accepted connection on its event loop.
 */
final class TcpInitializer extends ChannelInitializer<SocketChannel> {

    private final TcpSourceConfig config;
    private final Framing framing;
    private final SslContext tls;
    private final Pipeline pipeline;
    private final Function<String, Driver> driverFor;
    private final Predicate<String> knownDevice;
    private final SourceMetrics metrics;
    private final Clock clock;
    private final LongSupplier nanos;
    private final AtomicInteger held;
    private final ConnectionLimitHandler limit;
    private final ChannelErrorHandler errors;
    private final Supplier<ChannelHandler> session;

    TcpInitializer(TcpSourceConfig config, Framing framing, SslContext tls, Pipeline pipeline,
            Function<String, Driver> driverFor, Predicate<String> knownDevice, SourceMetrics metrics, Clock clock,
            LongSupplier nanos, AtomicInteger held) {
        this(config, framing, tls, pipeline, driverFor, knownDevice, metrics, clock, nanos, held, null);
    }

    /** @param session a protocol session step after the framing, one per connection; null for none */
    TcpInitializer(TcpSourceConfig config, Framing framing, SslContext tls, Pipeline pipeline,
            Function<String, Driver> driverFor, Predicate<String> knownDevice, SourceMetrics metrics, Clock clock,
            LongSupplier nanos, AtomicInteger held, Supplier<ChannelHandler> session) {
        this.session = session;
        this.config = config;
        this.framing = framing;
        this.tls = tls;
        this.pipeline = pipeline;
        this.driverFor = driverFor;
        this.knownDevice = knownDevice;
        this.metrics = metrics;
        this.clock = clock;
        this.nanos = nanos;
        this.held = held;
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
        ReadGateHandler gate = new ReadGateHandler();
        p.addLast("idle", new ReadTimeoutHandler(config.idleTimeoutMs(), TimeUnit.MILLISECONDS))
                .addLast("gate", gate)
                .addLast("framing", frameDecoder(framing, config));
        if (session != null) {
            p.addLast("session", session.get());
        }
        p.addLast("frames", new TcpFrameHandler(config.name(), pipeline, driverFor, config.peerDevices(),
                        metrics, clock, new TokenBucket(config.maxFramesPerSecond(), nanos), gate, held))
                .addLast("errors", errors);
    }

    /** The decoder that cuts this listener's stream into frames, failing fast at the size limit. */
    static ChannelHandler frameDecoder(Framing framing, TcpSourceConfig config) {
        int max = config.maxFrameBytes();
        return switch (framing) {
            case NEWLINE -> new LineBasedFrameDecoder(max, true, true);
            case LENGTH_PREFIXED -> new LengthFieldBasedFrameDecoder(
                    "little".equals(config.byteOrder()) ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN,
                    max + config.lengthFieldBytes(), 0, config.lengthFieldBytes(), 0, config.lengthFieldBytes(), true);
            case LENGTH_PREFIXED_U32LE -> new LengthFieldBasedFrameDecoder(ByteOrder.LITTLE_ENDIAN, max + 4, 0, 4, 0, 4,
                    true);
            case ASTERIX_BLOCK -> new AsterixBlockDecoder(max);
            case DOCUMENT -> throw new IllegalArgumentException("a TCP stream cannot carry DOCUMENT frames");
        };
    }

    /** The framing named in the config, or the driver's own. */
    static Framing framing(TcpSourceConfig config, Driver driver) {
        if (config.framing() == null) {
            return driver.framing();
        }
        return switch (config.framing()) {
            case "newline" -> Framing.NEWLINE;
            case "length_prefixed" -> Framing.LENGTH_PREFIXED;
            default -> Framing.ASTERIX_BLOCK;
        };
    }
}
