package org.limes.simulator.transport.mqtt;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.limes.simulator.transport.mqtt.MqttWire.ConnAck;
import org.limes.simulator.transport.mqtt.MqttWire.MqttProtocolException;

/**
 * The part of an MQTT 5 client connection both load clients share: sends CONNECT when the socket
 * is up, splits the inbound bytes into packets in place (no object per packet), handles CONNACK,
 * PINGRESP and a broker's DISCONNECT, pings when nothing was written for a while, and hands every
 * other packet to {@link #packet}.
 *
 * <p>Threading: everything but {@link #awaitConnAck} runs on the connection's event loop.
 */
abstract class MqttClientHandler extends ByteToMessageDecoder {

    static final String NAME = "mqtt";
    static final String IDLE = "keep-alive";
    /** Largest inbound packet accepted; a bigger one is a protocol error that closes the connection. */
    static final int MAX_INBOUND_PACKET = 1024 * 1024;

    private final String clientId;
    private final int receiveMaximum;
    private final CompletableFuture<ConnAck> connAck = new CompletableFuture<>();
    /** Why the connection ended, when the broker or the network ended it. */
    private volatile String failure;
    private volatile boolean closing;

    MqttClientHandler(String clientId, int receiveMaximum) {
        this.clientId = clientId;
        this.receiveMaximum = receiveMaximum;
    }

    /** Handles one packet other than CONNACK, PINGRESP and DISCONNECT; {@code body} is positioned after the fixed header. */
    abstract void packet(ChannelHandlerContext ctx, int type, int flags, ByteBuf body, int remaining);

    /** Called once per read batch after its packets, on the event loop. */
    void readBatchDone(ChannelHandlerContext ctx) {
    }

    /** Called once when the connection is gone, whoever closed it. */
    abstract void closed(String reason);

    /** Marks a close this side asked for, so it is not reported as a failure. */
    void closing() {
        closing = true;
    }

    String failure() {
        return failure;
    }

    /** Waits for the CONNACK; a refusal, a timeout or a closed connection is an {@link IOException} naming the broker. */
    ConnAck awaitConnAck(String brokerUri, Duration timeout) throws IOException {
        ConnAck ack;
        try {
            ack = connAck.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IOException("broker " + brokerUri + " sent no CONNACK to " + clientId + " within " + timeout);
        } catch (ExecutionException e) {
            throw new IOException("broker " + brokerUri + " closed the connection of " + clientId
                    + " before its CONNACK: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for the CONNACK of " + brokerUri, e);
        }
        if (!ack.accepted()) {
            throw new IOException("broker " + brokerUri + " refused CONNECT of " + clientId + ": "
                    + MqttWire.reason(ack.reasonCode()) + (ack.reasonString() == null ? "" : " " + ack.reasonString()));
        }
        return ack;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        ByteBuf out = ctx.alloc().buffer(64);
        MqttWire.writeConnect(out, clientId, LoadClients.KEEP_ALIVE_SECONDS, receiveMaximum);
        ctx.writeAndFlush(out);
        super.channelActive(ctx);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (true) {
            int start = in.readerIndex();
            int length = MqttWire.packetLength(in);
            if (length < 0) {
                return;
            }
            if (length > MAX_INBOUND_PACKET) {
                throw new MqttProtocolException("inbound packet of " + length + " bytes, more than "
                        + MAX_INBOUND_PACKET);
            }
            if (in.readableBytes() < length) {
                return;
            }
            int header = in.getUnsignedByte(start);
            int headerBytes = length - remainingOf(in, start);
            int remaining = length - headerBytes;
            in.readerIndex(start + headerBytes);
            int end = start + length;
            int limit = in.writerIndex();
            in.writerIndex(end); // a packet's parser cannot read into the next one
            try {
                dispatch(ctx, header >>> 4, header & 0x0F, in, remaining);
            } finally {
                in.writerIndex(limit);
            }
            in.readerIndex(end);
        }
    }

    private static int remainingOf(ByteBuf in, int start) {
        return (int) MqttWire.peekVarInt(in, start + 1);
    }

    private void dispatch(ChannelHandlerContext ctx, int type, int flags, ByteBuf body, int remaining) {
        switch (type) {
            case MqttWire.CONNACK -> {
                ConnAck ack = MqttWire.readConnAck(body);
                if (ack.accepted() && ack.serverKeepAlive() >= 0) {
                    // The broker overrides the keep alive: ping at a third of its value, or never at 0.
                    if (ack.serverKeepAlive() == 0) {
                        ctx.pipeline().remove(IDLE);
                    } else {
                        ctx.pipeline().replace(IDLE, IDLE,
                                new IdleStateHandler(0, Math.max(1, ack.serverKeepAlive() / 3), 0, TimeUnit.SECONDS));
                    }
                }
                connAck.complete(ack);
            }
            case MqttWire.PINGRESP -> {
            }
            case MqttWire.DISCONNECT -> {
                failure = "broker sent DISCONNECT " + MqttWire.reason(MqttWire.readDisconnectReason(body, remaining));
                ctx.close();
            }
            default -> packet(ctx, type, flags, body, remaining);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        super.channelReadComplete(ctx);
        readBatchDone(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            ByteBuf ping = ctx.alloc().buffer(2);
            MqttWire.writePingReq(ping);
            ctx.writeAndFlush(ping);
        } else {
            super.userEventTriggered(ctx, evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable root = cause.getCause() instanceof MqttProtocolException ? cause.getCause() : cause;
        if (failure == null) {
            failure = root instanceof MqttProtocolException ? "protocol error: " + root.getMessage()
                    : String.valueOf(root.getMessage());
        }
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        String reason = closing && failure == null ? null : failure == null ? "connection closed by the broker" : failure;
        failure = reason;
        connAck.completeExceptionally(new IOException(reason == null ? "connection closed" : reason));
        try {
            super.channelInactive(ctx);
        } finally {
            closed(reason);
        }
    }
}
