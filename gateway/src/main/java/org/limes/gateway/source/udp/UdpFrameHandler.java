package org.limes.gateway.source.udp;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetAddress;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.limes.drivers.Driver;
import org.limes.drivers.Frame;
import org.limes.gateway.ratelimit.LogLimiter;
import org.limes.gateway.pipeline.Pipeline;
import org.limes.gateway.source.DeviceDrivers;
import org.limes.gateway.source.PeerDevices;
import org.limes.gateway.source.SourceMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One datagram, one frame: offered to the pipeline without waiting. UDP cannot push back,
 * so a datagram the pipeline has no room for is dropped and counted
 * ({@code limes.dropped{reason=backpressure}}); so is one larger than {@code max_frame_bytes}
 * ({@code reason=frame_too_long}). Both are logged at most once a minute per sender. An
 * exception is counted and logged; the socket stays open.
 *
 * <p>Threading: one instance per datagram channel, on its single event loop.
 */
final class UdpFrameHandler extends SimpleChannelInboundHandler<DatagramPacket> {

    private static final Logger LOG = LoggerFactory.getLogger(UdpFrameHandler.class);
    private static final Runnable NO_ACK = () -> { };

    private final String source;
    private final int maxFrameBytes;
    private final Pipeline pipeline;
    private final DeviceDrivers drivers;
    private final PeerDevices peerDevices;
    private final SourceMetrics metrics;
    private final Clock clock;
    private final LogLimiter log = new LogLimiter(TimeUnit.MINUTES.toNanos(1), 10_000);

    UdpFrameHandler(String source, int maxFrameBytes, Pipeline pipeline, DeviceDrivers drivers,
            PeerDevices peerDevices, SourceMetrics metrics, Clock clock) {
        this.source = source;
        this.maxFrameBytes = maxFrameBytes;
        this.pipeline = pipeline;
        this.drivers = drivers;
        this.peerDevices = peerDevices;
        this.metrics = metrics;
        this.clock = clock;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        InetAddress sender = packet.sender().getAddress();
        String ip = sender.getHostAddress();
        int size = packet.content().readableBytes();
        if (size > maxFrameBytes) {
            drop(ip, "frame_too_long", "a datagram over max_frame_bytes " + maxFrameBytes);
            return;
        }
        metrics.received(size);
        String device = peerDevices.deviceAt(sender);
        Driver driver = drivers.forDevice(device);
        Frame frame = new Frame(ByteBufUtil.getBytes(packet.content()), source,
                device == null ? ip : device + "@" + ip, clock.instant());
        if (!pipeline.offer(frame, driver, NO_ACK).taken()) {
            drop(ip, "backpressure", "the pipeline is full and UDP cannot push back");
        }
    }

    private void drop(String ip, String reason, String why) {
        metrics.dropped(reason);
        if (log.allow(ip + "/" + reason, System.nanoTime())) {
            LOG.warn("source {} dropped a datagram from {}: {} (counted in limes.dropped{reason={}}, logged once a "
                    + "minute per sender)", source, ip, why, reason);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        metrics.error("receive");
        if (log.allow("exception", System.nanoTime())) {
            LOG.warn("source {} failed to receive a datagram (counted in limes.errors; the socket stays open): {}",
                    source, cause.toString());
        }
    }
}
