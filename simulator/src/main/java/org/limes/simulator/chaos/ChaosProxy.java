package org.limes.simulator.chaos;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.traffic.GlobalTrafficShapingHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP proxy placed between the gateway and a destination (a centre's broker, the store,
 * a webhook) that damages the link on command or on a {@link ChaosSchedule}: to rehearse
 * a centre outage and watch the outbox hold and then deliver everything.
 *
 * <pre>
 *   gateway ──► [listen] ChaosProxy [phase: pass | cut | delay | throttle | reset] ──► destination
 * </pre>
 *
 * <p>Each accepted connection gets its own connection to the destination; bytes are
 * relayed one read at a time in each direction (the next read only after the previous
 * chunk was written), so a slow side slows the other instead of filling memory. In
 * {@code cut} every connection is closed and new ones are accepted and closed at once
 * (the peer sees a refused session, as when a centre's firewall drops the link);
 * {@code reset} aborts every connection with a RST; {@code delay} holds each chunk;
 * {@code throttle} shapes both directions through one {@link GlobalTrafficShapingHandler}.
 *
 * <p>Threading: Netty event loops do the relaying; {@link #apply}, {@link #play} and
 * {@link #close} may be called from any thread.
 */
public final class ChaosProxy implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ChaosProxy.class);
    private static final int CONNECT_TIMEOUT_MS = 5_000;

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final GlobalTrafficShapingHandler shaper = new GlobalTrafficShapingHandler(group, 0, 0, 100);
    private final InetSocketAddress destination;
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong bytesRelayed = new AtomicLong();
    private final Channel server;
    private volatile ChaosPhase phase = ChaosPhase.of("pass", null);
    private volatile Consumer<ChaosPhase> onPhase = p -> { };
    private ScheduledFuture<?> scheduled;

    private ChaosProxy(String listenHost, int listenPort, InetSocketAddress destination) throws InterruptedException {
        this.destination = destination;
        ServerBootstrap b = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(shaper, new FrontendHandler());
                    }
                });
        this.server = b.bind(listenHost, listenPort).sync().channel();
    }

    /**
     * Starts listening on {@code listenHost:listenPort} (0 = any free port), relaying to
     * {@code destinationHost:destinationPort}, in {@code pass}.
     */
    public static ChaosProxy start(String listenHost, int listenPort, String destinationHost, int destinationPort)
            throws InterruptedException {
        return new ChaosProxy(listenHost, listenPort, new InetSocketAddress(destinationHost, destinationPort));
    }

    /** The port the proxy listens on. */
    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** The phase in force. */
    public ChaosPhase phase() {
        return phase;
    }

    /** Connections accepted and relayed so far. */
    public long accepted() {
        return accepted.get();
    }

    /** Connections closed on arrival because the link was cut. */
    public long refused() {
        return refused.get();
    }

    /** Bytes relayed, both directions. */
    public long bytesRelayed() {
        return bytesRelayed.get();
    }

    /** Called with every phase as it starts (from an event loop or the caller of {@link #apply}). */
    public void onPhase(Consumer<ChaosPhase> listener) {
        this.onPhase = listener;
    }

    /** Switches to {@code next} now; its duration is ignored (a schedule handles durations). */
    public void apply(ChaosPhase next) {
        log.info("chaos: {} (connections open: {})", next, channels.size());
        phase = "reset".equals(next.mode()) ? ChaosPhase.of("pass", null) : next;
        shaper.configure("throttle".equals(next.mode()) ? next.bytesPerSec() : 0,
                "throttle".equals(next.mode()) ? next.bytesPerSec() : 0);
        if ("cut".equals(next.mode())) {
            channels.close();
        } else if ("reset".equals(next.mode())) {
            // SO_LINGER 0 turns a close into a RST. Set it on every channel before closing any: closing
            // one side of a relay closes its partner too, which must be a RST as well, not a FIN.
            List<Channel> open = new ArrayList<>(channels);
            for (Channel c : open) {
                try {
                    c.config().setOption(ChannelOption.SO_LINGER, 0);
                } catch (io.netty.channel.ChannelException alreadyClosed) {
                    // The peer closed it first: nothing left to reset.
                    log.debug("chaos: {} closed before its reset", c);
                }
            }
            open.forEach(Channel::close);
        }
        onPhase.accept(next);
    }

    /** Plays {@code schedule} from now, replacing any schedule playing. */
    public synchronized void play(ChaosSchedule schedule) {
        if (scheduled != null) {
            scheduled.cancel(false);
        }
        step(schedule, 0);
    }

    /** The total length of one pass through a schedule, or null when its last phase is open-ended. */
    public static Duration length(ChaosSchedule schedule) {
        Duration total = Duration.ZERO;
        for (ChaosPhase p : schedule.phases()) {
            if (p.duration() == null && !"reset".equals(p.mode())) {
                return null;
            }
            total = total.plus(p.duration() == null ? Duration.ZERO : p.duration());
        }
        return total;
    }

    private synchronized void step(ChaosSchedule schedule, int index) {
        if (index >= schedule.phases().size()) {
            if (!schedule.repeats()) {
                return;
            }
            index = 0;
        }
        ChaosPhase p = schedule.phases().get(index);
        apply(p);
        long millis = p.duration() == null ? ("reset".equals(p.mode()) ? 0 : -1) : p.duration().toMillis();
        if (millis >= 0) {
            int next = index + 1;
            scheduled = group.next().schedule(() -> step(schedule, next), millis, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (scheduled != null) {
                scheduled.cancel(false);
            }
        }
        server.close().awaitUninterruptibly();
        channels.close().awaitUninterruptibly();
        shaper.release();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    /** The gateway's side: opens the destination side, then relays. */
    private final class FrontendHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            Channel inbound = ctx.channel();
            if ("cut".equals(phase.mode())) {
                refused.incrementAndGet();
                inbound.close();
                return;
            }
            accepted.incrementAndGet();
            channels.add(inbound);
            Bootstrap b = new Bootstrap().group(inbound.eventLoop()).channel(NioSocketChannel.class)
                    .option(ChannelOption.AUTO_READ, false)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MS)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new RelayHandler(inbound));
                        }
                    });
            b.connect(destination).addListener((ChannelFutureListener) f -> {
                if (f.isSuccess()) {
                    channels.add(f.channel());
                    inbound.pipeline().addLast(new RelayHandler(f.channel()));
                    inbound.read();
                    f.channel().read();
                } else {
                    log.warn("chaos: cannot reach {}: {}", destination, f.cause().getMessage());
                    inbound.close();
                }
            });
        }
    }

    /** Relays what one side reads to the other side, one chunk at a time, per the phase. */
    private final class RelayHandler extends ChannelInboundHandlerAdapter {
        private final Channel peer;

        RelayHandler(Channel peer) {
            this.peer = peer;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ChaosPhase now = phase;
            if (msg instanceof io.netty.buffer.ByteBuf buf) {
                bytesRelayed.addAndGet(buf.readableBytes());
            }
            Runnable write = () -> peer.writeAndFlush(msg).addListener((ChannelFutureListener) f -> {
                if (f.isSuccess()) {
                    ctx.channel().read();
                } else {
                    f.channel().close();
                    ctx.channel().close();
                }
            });
            if ("delay".equals(now.mode())) {
                ctx.channel().eventLoop().schedule(write, now.delayMs(), TimeUnit.MILLISECONDS);
            } else {
                write.run();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (peer.isActive()) {
                peer.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("chaos: connection error: {}", cause.getMessage());
            ctx.close();
        }
    }
}
