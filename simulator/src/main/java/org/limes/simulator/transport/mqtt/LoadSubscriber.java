package org.limes.simulator.transport.mqtt;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lean MQTT 5 subscriber that only counts: it reads PUBLISH packets where they lie in the
 * receive buffer (the topic and payload are never copied or decoded), and answers the QoS 1 ones
 * with PUBACKs gathered into one write per read batch. It lets the broker keep up to 65,535
 * messages unacknowledged towards it (Receive Maximum absent, §3.1.2.11.3), so the broker's own
 * in-flight limit, not this client, paces delivery. Several subscribers on one
 * {@code $share/<group>/<filter>} split a stream.
 *
 * <p>Bounded: an inbound packet over 1 MiB closes the connection as a protocol error; the PUBACKs
 * of one read batch are written when they reach 64 KiB and at the batch's end. A lost connection is
 * logged once and ends counting; there is no reconnect.
 *
 * <p>Threading: counting runs on the connection's event loop ({@link LoadClients}); the accessors
 * are safe from any thread.
 */
public final class LoadSubscriber implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LoadSubscriber.class);
    private static final int SUBSCRIBE_ID = 1;
    private static final int ACK_FLUSH_BYTES = 64 * 1024;

    private final String brokerUri;
    private final String clientId;
    private final Handler handler;
    private final CompletableFuture<Integer> subAck = new CompletableFuture<>();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private volatile long lastArrivalNanos;
    private Channel channel;

    private LoadSubscriber(String brokerUri, String clientId) {
        this.brokerUri = brokerUri;
        this.clientId = clientId;
        this.handler = new Handler(clientId);
    }

    /**
     * Connects as {@code clientId} and subscribes to {@code filter} at {@code qos} (0 or 1); returns
     * once the SUBACK granted it.
     *
     * @throws IOException when the broker is unreachable, refuses the CONNECT or the subscription
     *                     (the reason code is in the message), or does not answer within {@code timeout}
     */
    public static LoadSubscriber subscribe(LoadClients clients, String brokerUri, String clientId, String filter,
            int qos, Duration timeout) throws IOException {
        if (qos < 0 || qos > 1) {
            throw new IllegalArgumentException("the load subscriber takes QoS 0 and 1 only, got " + qos);
        }
        LoadSubscriber s = new LoadSubscriber(brokerUri, clientId);
        s.channel = clients.open(brokerUri, s.handler, timeout);
        try {
            s.handler.awaitConnAck(brokerUri, timeout);
            ByteBuf out = s.channel.alloc().buffer(16 + filter.length() * 3);
            MqttWire.writeSubscribe(out, SUBSCRIBE_ID, filter, qos);
            s.channel.writeAndFlush(out);
            int v = s.subAck.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            int reason = v & 0xFF;
            if ((v >>> 16) != SUBSCRIBE_ID) {
                throw new IOException("broker " + brokerUri + " answered SUBSCRIBE id " + SUBSCRIBE_ID
                        + " with a SUBACK for id " + (v >>> 16));
            }
            if (reason >= 0x80) {
                throw new IOException("broker " + brokerUri + " refused the subscription of " + clientId + " to "
                        + filter + ": " + MqttWire.reason(reason));
            }
            return s;
        } catch (TimeoutException e) {
            s.close();
            throw new IOException("broker " + brokerUri + " sent no SUBACK to " + clientId + " for " + filter
                    + " within " + timeout);
        } catch (ExecutionException e) {
            s.close();
            throw new IOException("broker " + brokerUri + " closed the connection of " + clientId
                    + " before its SUBACK for " + filter + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            s.close();
            throw new IOException("interrupted subscribing to " + brokerUri, e);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** PUBLISH packets received so far. */
    public long received() {
        return received.get();
    }

    /** Of those, packets the broker flagged DUP (a redelivery). */
    public long duplicates() {
        return duplicates.get();
    }

    /** {@link System#nanoTime} at the end of the read batch that held the last PUBLISH; 0 before any. */
    public long lastArrivalNanos() {
        return lastArrivalNanos;
    }

    public boolean isConnected() {
        return channel.isActive();
    }

    /** Why the connection was lost, or null. */
    public String failure() {
        return handler.failure();
    }

    /** Sends DISCONNECT and closes the connection, waiting up to 3 s. */
    @Override
    public void close() {
        handler.closing();
        if (channel.isActive()) {
            ByteBuf d = channel.alloc().buffer(2);
            MqttWire.writeDisconnect(d);
            channel.writeAndFlush(d);
        }
        channel.close().awaitUninterruptibly(3, TimeUnit.SECONDS);
    }

    private final class Handler extends MqttClientHandler {
        private ByteBuf acks;
        private int count;
        private int dups;

        Handler(String clientId) {
            super(clientId, MqttWire.MAX_PACKET_ID);
        }

        @Override
        void packet(ChannelHandlerContext ctx, int type, int flags, ByteBuf body, int remaining) {
            switch (type) {
                case MqttWire.PUBLISH -> {
                    count++;
                    if ((flags & 0x08) != 0) {
                        dups++;
                    }
                    int qos = (flags >>> 1) & 0x03;
                    if (qos == 1) {
                        if (acks == null) {
                            acks = ctx.alloc().buffer(ACK_FLUSH_BYTES);
                        }
                        MqttWire.writePubAck(acks, MqttWire.publishPacketId(body));
                        if (acks.readableBytes() >= ACK_FLUSH_BYTES - 4) {
                            ctx.write(acks);
                            acks = null;
                        }
                    } else if (qos != 0) {
                        throw new MqttWire.MqttProtocolException("PUBLISH at QoS " + qos + " on a QoS 0/1 subscription");
                    }
                }
                case MqttWire.SUBACK -> subAck.complete(MqttWire.readSubAck(body));
                default -> throw new MqttWire.MqttProtocolException("unexpected packet type " + type
                        + " for a subscriber");
            }
        }

        @Override
        void readBatchDone(ChannelHandlerContext ctx) {
            if (count > 0) {
                lastArrivalNanos = System.nanoTime();
                received.addAndGet(count);
                count = 0;
            }
            if (dups > 0) {
                duplicates.addAndGet(dups);
                dups = 0;
            }
            if (acks != null) {
                ctx.write(acks);
                acks = null;
                ctx.flush();
            }
        }

        @Override
        void closed(String reason) {
            if (acks != null) {
                acks.release();
                acks = null;
            }
            if (count > 0) {
                received.addAndGet(count);
                count = 0;
            }
            subAck.completeExceptionally(new IOException(reason == null ? "connection closed" : reason));
            if (reason != null && subAck.isDone() && !subAck.isCompletedExceptionally()) {
                log.warn("load subscriber {} lost its connection to {}: {}", clientId, brokerUri, reason);
            }
        }
    }
}
