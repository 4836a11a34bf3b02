package org.limes.gateway.source.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Map;
import org.limes.drivers.DecodeException;
import org.limes.drivers.sapient.SapientMessages;
import org.limes.drivers.sapient.proto.AlertAck;
import org.limes.drivers.sapient.proto.RegistrationAck;
import org.limes.drivers.sapient.proto.SapientMessage;
import org.limes.gateway.ratelimit.LogLimiter;
import org.limes.gateway.source.SourceMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SAPIENT session of one connection, between the framing and the frames handler:
 *
 * <pre>
 * registration from a node in nodes (or any, with unknown_nodes: accept)
 *        → RegistrationAck{acceptance: true}; the connection is that node's from now on; passed on
 * registration from an unknown node, or from a second node on a registered connection
 *        → RegistrationAck{acceptance: false, reason}; dropped (unknown_node / node_mismatch)
 * status, detection or alert before a registration    → dropped (unregistered_node)
 * status, detection or alert of another node          → dropped (node_mismatch)
 * alert of the registered node                        → AlertAck{accepted}; passed on
 * anything protobuf cannot read                       → passed on: the driver reports it, counted as malformed
 * </pre>
 *
 * Drops are counted in {@code limes.dropped{component=source-<name>,reason}} and logged at most
 * once a minute per peer and reason; node ids in logs are the configured ones or "unknown" (a
 * device's text is never logged). The accepted node's device goes on the channel as
 * {@link #NODE_DEVICE}, which {@link TcpFrameHandler} reads to pick that node's driver.
 *
 * <p>Threading: one instance per channel, called only on its event loop.
 */
final class SapientSessionHandler extends ChannelInboundHandlerAdapter {

    /** The device of the node registered on a channel. */
    static final AttributeKey<String> NODE_DEVICE = AttributeKey.valueOf("limes.sapientNodeDevice");

    private static final Logger LOG = LoggerFactory.getLogger(SapientSessionHandler.class);

    private final String source;
    private final String fusionNodeId;
    private final Map<String, SapientSourceConfig.Node> nodes;
    private final boolean acceptUnknown;
    private final SourceMetrics metrics;
    private final LogLimiter logs;
    private final Clock clock;
    private String registered;

    SapientSessionHandler(String source, String fusionNodeId, Map<String, SapientSourceConfig.Node> nodes,
            boolean acceptUnknown, SourceMetrics metrics, LogLimiter logs, Clock clock) {
        this.source = source;
        this.fusionNodeId = fusionNodeId;
        this.nodes = nodes;
        this.acceptUnknown = acceptUnknown;
        this.metrics = metrics;
        this.logs = logs;
        this.clock = clock;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf buf = (ByteBuf) msg;
        SapientMessage m;
        try {
            m = SapientMessages.parse(ByteBufUtil.getBytes(buf));
        } catch (DecodeException e) {
            ctx.fireChannelRead(buf);
            return;
        }
        String node = SapientMessages.nodeId(m);
        switch (m.getContentCase()) {
            case REGISTRATION -> {
                SapientSourceConfig.Node known = nodes.get(node);
                String device = known != null ? known.device() : acceptUnknown ? node : null;
                if (device == null) {
                    refuse(ctx, buf, node, "unknown_node", "node is not in this fusion node's inventory");
                } else if (registered != null && !registered.equals(node)) {
                    refuse(ctx, buf, node, "node_mismatch", "this connection is registered as another node");
                } else {
                    registered = node;
                    ctx.channel().attr(NODE_DEVICE).set(device);
                    reply(ctx, node, SapientMessage.newBuilder().setRegistrationAck(
                            RegistrationAck.newBuilder().setAcceptance(true)));
                    ctx.fireChannelRead(buf);
                }
            }
            case REGISTRATION_ACK, ALERT_ACK -> ctx.fireChannelRead(buf);
            default -> {
                if (registered == null) {
                    drop(ctx, buf, "unregistered_node");
                } else if (!registered.equals(node)) {
                    drop(ctx, buf, "node_mismatch");
                } else {
                    if (m.hasAlert()) {
                        reply(ctx, node, SapientMessage.newBuilder().setAlertAck(AlertAck.newBuilder()
                                .setAlertId(m.getAlert().getAlertId())
                                .setAlertAckStatus(AlertAck.AlertAckStatus.ALERT_ACK_STATUS_ACCEPTED)));
                    }
                    ctx.fireChannelRead(buf);
                }
            }
        }
    }

    private void refuse(ChannelHandlerContext ctx, ByteBuf buf, String node, String reason, String why) {
        reply(ctx, node, SapientMessage.newBuilder().setRegistrationAck(
                RegistrationAck.newBuilder().setAcceptance(false).addAckResponseReason(why)));
        drop(ctx, buf, reason);
    }

    private void drop(ChannelHandlerContext ctx, ByteBuf buf, String reason) {
        buf.release();
        metrics.dropped(reason);
        String peer = ctx.channel().remoteAddress() instanceof InetSocketAddress a
                ? a.getAddress().getHostAddress() : String.valueOf(ctx.channel().remoteAddress());
        if (logs.allow(source, peer + "/" + reason, System.nanoTime())) {
            LOG.warn("source {}: dropped a SAPIENT message from {} ({}{}); counted in limes.dropped{{reason={}}}, "
                    + "logged once a minute per peer", source, peer, reason,
                    registered == null ? "" : ", connection registered as node " + registered, reason);
        }
    }

    private void reply(ChannelHandlerContext ctx, String node, SapientMessage.Builder content) {
        SapientMessage m = content.setTimestamp(com.google.protobuf.Timestamp.newBuilder()
                        .setSeconds(clock.instant().getEpochSecond()).setNanos(clock.instant().getNano()))
                .setNodeId(fusionNodeId).setDestinationId(node).build();
        ctx.writeAndFlush(Unpooled.wrappedBuffer(SapientMessages.frame(m)));
    }
}
