package org.limes.gateway.source;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import org.limes.gateway.ratelimit.LogLimiter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admits at most {@code maxConnections} open connections to one listener, and at most
 * {@code maxPerPeer} from one peer address, so a flood from one host cannot lock out the
 * others. A connection over either limit is counted ({@code limes.dropped{reason=max_connections}}
 * or {@code max_connections_per_peer}), logged at most once a minute per peer, and closed
 * before anything is read from it.
 *
 * <p>Threading: one instance is shared by every channel of a listener (its event loops
 * call it concurrently); admission (check and count) is one synchronized step, and only
 * admitted connections are counted, so concurrent arrivals never refuse one within the
 * limits. The per-peer map only holds peers with an
 * open connection, so it is bounded by {@code maxConnections}.
 */
@ChannelHandler.Sharable
public final class ConnectionLimitHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionLimitHandler.class);
    private static final AttributeKey<Boolean> ADMITTED = AttributeKey.valueOf("limes.admitted");

    private final int maxConnections;
    private final int maxPerPeer;
    private final SourceMetrics metrics;
    private final String source;
    private final ConcurrentMap<InetAddress, Integer> perPeer = new ConcurrentHashMap<>();
    private final LogLimiter log = new LogLimiter(TimeUnit.MINUTES.toNanos(1), 1_000);

    public ConnectionLimitHandler(String source, int maxConnections, int maxPerPeer, SourceMetrics metrics) {
        this.source = source;
        this.maxConnections = maxConnections;
        this.maxPerPeer = maxPerPeer;
        this.metrics = metrics;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        InetAddress peer = address(ctx.channel().remoteAddress());
        int open;
        int fromPeer;
        String reason;
        // Check and count as one step: channels become active on several event loops at once, and a
        // connection within the limits must never be refused because another one was half-counted.
        synchronized (this) {
            open = metrics.connections() + 1;
            fromPeer = peer == null ? 1 : perPeer.getOrDefault(peer, 0) + 1;
            reason = open > maxConnections ? "max_connections"
                    : fromPeer > maxPerPeer ? "max_connections_per_peer" : null;
            if (reason == null) {
                metrics.connectionOpened();
                if (peer != null) {
                    perPeer.put(peer, fromPeer);
                }
                ctx.channel().attr(ADMITTED).set(Boolean.TRUE);
            }
        }
        if (reason != null) {
            metrics.dropped(reason);
            String who = peer == null ? String.valueOf(ctx.channel().remoteAddress()) : peer.getHostAddress();
            if (log.allow(who, System.nanoTime())) {
                LOG.warn("source {} refused a connection from {}: {} reached ({} open, {} from this peer); counted "
                        + "in limes.dropped, logged once a minute per peer", source, who, reason, open - 1,
                        fromPeer - 1);
            }
            ctx.close();
            return;
        }
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().attr(ADMITTED).getAndSet(null) != null) {
            InetAddress peer = address(ctx.channel().remoteAddress());
            synchronized (this) {
                metrics.connectionClosed();
                if (peer != null) {
                    perPeer.computeIfPresent(peer, (k, n) -> n <= 1 ? null : n - 1);
                }
            }
        }
        super.channelInactive(ctx);
    }

    private static InetAddress address(SocketAddress a) {
        return a instanceof InetSocketAddress i ? i.getAddress() : null;
    }
}
