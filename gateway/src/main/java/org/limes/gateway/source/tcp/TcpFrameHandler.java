package org.limes.gateway.source.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.limes.drivers.Driver;
import org.limes.drivers.Frame;
import org.limes.gateway.pipeline.Pipeline;
import org.limes.gateway.ratelimit.TokenBucket;
import org.limes.gateway.source.CertificateIdentityHandler;
import org.limes.gateway.source.PeerDevices;
import org.limes.gateway.source.SourceMetrics;

/**
 * Turns each decoded frame of a connection into a {@link Frame} and offers it to the
 * pipeline, without ever blocking the event loop.
 *
 * <p>Backpressure: when the pipeline's shard queue is full, or the connection is over its
 * frames-per-second budget, the connection is paused — {@code autoRead} off and the
 * {@link ReadGateHandler} closed — and the frames already read wait here, in order, while
 * a task on the channel's own event loop offers them again (after 1 ms, doubling to
 * 50 ms; or when the next token is due). When they are all taken, reading resumes. What
 * waits here is bounded by one socket read (at most 64 KiB of frames) plus the frame a
 * decoder was completing; nothing else is buffered. Frames already read are delivered even
 * if the connection closes meanwhile.
 *
 * <p>TCP has no application acknowledgement yet: a frame is durable some milliseconds
 * after it is taken, and a gateway crash in between loses it (the device does not know).
 *
 * <p>Threading: one instance per channel, called only on its event loop.
 */
final class TcpFrameHandler extends ChannelInboundHandlerAdapter {

    private static final Runnable NO_ACK = () -> { };
    private static final long FIRST_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long MAX_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final String source;
    private final Pipeline pipeline;
    private final Function<String, Driver> driverFor;
    private final PeerDevices peerDevices;
    private final SourceMetrics metrics;
    private final Clock clock;
    private final TokenBucket bucket;
    private final ReadGateHandler gate;
    private final AtomicInteger held;
    private final ArrayDeque<Frame> pending = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private Driver driver;
    private String origin;
    private String identity;
    private boolean paused;
    private boolean scheduled;
    private long retryNanos = FIRST_RETRY_NANOS;

    /**
     * @param driverFor the driver for a device id (null: the device is in the payload)
     * @param held      frames held by every connection of the source, for the gauge and the shutdown count
     */
    TcpFrameHandler(String source, Pipeline pipeline, Function<String, Driver> driverFor, PeerDevices peerDevices,
            SourceMetrics metrics, Clock clock, TokenBucket bucket, ReadGateHandler gate, AtomicInteger held) {
        this.source = source;
        this.pipeline = pipeline;
        this.driverFor = driverFor;
        this.peerDevices = peerDevices;
        this.metrics = metrics;
        this.clock = clock;
        this.bucket = bucket;
        this.gate = gate;
        this.held = held;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf buf = (ByteBuf) msg;
        byte[] payload;
        try {
            payload = ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
        if (driver == null) {
            identify();
        }
        metrics.received(payload.length);
        pending.add(new Frame(payload, source, origin, clock.instant(), identity));
        held.incrementAndGet();
        if (!scheduled) {
            drain();
        }
    }

    private void identify() {
        String device = ctx.channel().attr(CertificateIdentityHandler.DEVICE).get();
        // Only a certificate authenticates; a peer address (devices_by_peer) attributes but proves nothing.
        identity = device;
        if (device == null) {
            device = ctx.channel().attr(SapientSessionHandler.NODE_DEVICE).get();
        }
        String ip = ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a.getAddress().getHostAddress()
                : String.valueOf(ctx.channel().remoteAddress());
        if (device == null && ctx.channel().remoteAddress() instanceof InetSocketAddress a) {
            device = peerDevices.deviceAt(a.getAddress());
        }
        driver = driverFor.apply(device);
        origin = device == null ? ip : device + "@" + ip;
    }

    /** Offers the waiting frames in order; pauses and schedules itself when it cannot go on. */
    private void drain() {
        scheduled = false;
        while (!pending.isEmpty()) {
            long wait = bucket.nanosUntilToken();
            if (wait > 0) {
                pause(wait);
                return;
            }
            if (!pipeline.offer(pending.peek(), driver, NO_ACK).taken()) {
                pause(retryNanos);
                retryNanos = Math.min(MAX_RETRY_NANOS, retryNanos * 2);
                return;
            }
            bucket.tryTake();
            pending.poll();
            held.decrementAndGet();
            retryNanos = FIRST_RETRY_NANOS;
        }
        if (paused) {
            paused = false;
            gate.open();
            ctx.channel().config().setAutoRead(true);
        }
    }

    private void pause(long retryAfterNanos) {
        if (!paused) {
            paused = true;
            metrics.paused();
            gate.close();
            ctx.channel().config().setAutoRead(false);
        }
        scheduled = true;
        ctx.executor().schedule(this::drain, retryAfterNanos, TimeUnit.NANOSECONDS);
    }

}
