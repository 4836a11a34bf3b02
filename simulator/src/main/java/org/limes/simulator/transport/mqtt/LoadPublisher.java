package org.limes.simulator.transport.mqtt;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.limes.simulator.transport.mqtt.MqttWire.ConnAck;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lean MQTT 5 publisher for load: one connection, pre-encoded PUBLISH packets
 * ({@link PublishPacket}) copied into a batch buffer and written many per flush, up to
 * {@code window} QoS 1 messages in flight, counting PUBACKs. It exists because a general client
 * (Paho: a token, a future and several thread hand-offs per message) costs more CPU per message
 * than the broker it is meant to saturate.
 *
 * <p>Window: at most {@code min(maxWindow, the broker's Receive Maximum)} messages are unacknowledged
 * (QoS 1: until the PUBACK; QoS 0: until the write that carried them completed), so the memory it
 * holds is bounded by the window times the packet size; {@link #publish} blocks while the window is
 * full. Packet identifiers cycle through 1..65,535, skipping any still in flight. A PUBACK with a
 * reason code of 0x80 or more counts as failed (the first one is logged); a PUBACK for an id not in
 * flight is counted ({@link #unexpectedAcks}) and logged once. A lost connection fails everything
 * in flight and every later publish; there is no reconnect (a load run that lost its connection is
 * not a measurement).
 *
 * <p>Batching: a publish is written when the batch reaches {@code batchBytes}, before the caller
 * would block on a full window, and on {@link #flush}; a paced caller flushes before it waits.
 *
 * <p>Threading: {@link #publish} and {@link #flush} from one thread at a time (they serialise on
 * the batch); the counters and {@link #awaitAllAcknowledged} from any thread; acknowledgements are
 * handled on the connection's event loop ({@link LoadClients}).
 */
public final class LoadPublisher implements AutoCloseable {

    /** Default batch size: packets are written to the socket in chunks of about this many bytes. */
    public static final int DEFAULT_BATCH_BYTES = 64 * 1024;

    private static final Logger log = LoggerFactory.getLogger(LoadPublisher.class);

    private final String brokerUri;
    private final String clientId;
    private final int batchBytes;
    private final Handler handler;
    private Channel channel;
    private int window;
    private volatile Semaphore permits;
    /** 1 at index id while QoS 1 packet {@code id} awaits its PUBACK. */
    private final AtomicIntegerArray pending = new AtomicIntegerArray(MqttWire.MAX_PACKET_ID + 1);
    private final Object batchLock = new Object();
    private final Object idle = new Object();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong unexpectedAcks = new AtomicLong();
    private final AtomicBoolean refusalLogged = new AtomicBoolean();
    private final AtomicBoolean unexpectedLogged = new AtomicBoolean();
    private int maximumQos;
    private ByteBuf batch;      // guarded by batchLock
    private int batchQos0;      // QoS 0 packets in batch, guarded by batchLock
    private int nextId = 1;     // guarded by batchLock
    private volatile String broken;
    private volatile boolean closed;

    private LoadPublisher(String brokerUri, String clientId, int batchBytes) {
        this.brokerUri = brokerUri;
        this.clientId = clientId;
        this.batchBytes = batchBytes;
        this.handler = new Handler(clientId);
    }

    /**
     * Connects and waits for the CONNACK.
     *
     * @param maxWindow  most messages in flight, 1..65,535; the broker's Receive Maximum lowers it
     * @param batchBytes bytes gathered before a write, 256..16 MiB
     * @throws IOException when the broker is unreachable, refuses the CONNECT (its reason code is in
     *                     the message) or does not answer within {@code timeout}
     */
    public static LoadPublisher connect(LoadClients clients, String brokerUri, String clientId, int maxWindow,
            int batchBytes, Duration timeout) throws IOException {
        if (maxWindow < 1 || maxWindow > MqttWire.MAX_PACKET_ID) {
            throw new IllegalArgumentException("window must be 1..65535, got " + maxWindow);
        }
        if (batchBytes < 256 || batchBytes > 16 * 1024 * 1024) {
            throw new IllegalArgumentException("batch must be 256 B..16 MiB, got " + batchBytes);
        }
        LoadPublisher p = new LoadPublisher(brokerUri, clientId, batchBytes);
        p.channel = clients.open(brokerUri, p.handler, timeout);
        ConnAck ack;
        try {
            ack = p.handler.awaitConnAck(brokerUri, timeout);
        } catch (IOException e) {
            p.channel.close();
            throw e;
        }
        p.window = Math.min(maxWindow, ack.receiveMaximum());
        p.permits = new Semaphore(p.window);
        p.maximumQos = ack.maximumQos();
        return p;
    }

    /** Encodes and publishes one message, not retained; see {@link #publish(PublishPacket)}. */
    public boolean publish(String topic, byte[] payload, int qos) throws InterruptedException {
        return publish(MqttWire.encodePublish(topic, payload, qos));
    }

    /**
     * Queues one pre-encoded PUBLISH (QoS 0 or 1) in the batch, blocking while the window is full.
     *
     * @return false when the connection is lost (the message counts as failed)
     * @throws InterruptedException when interrupted waiting for the window (nothing was sent)
     */
    public boolean publish(PublishPacket packet) throws InterruptedException {
        int qos = packet.qos();
        if (qos > 1) {
            throw new IllegalArgumentException("the load publisher sends QoS 0 and 1 only, got " + qos);
        }
        if (qos > maximumQos) {
            throw new IllegalArgumentException("broker " + brokerUri + " accepts QoS up to " + maximumQos
                    + ", got " + qos);
        }
        if (closed) {
            throw new IllegalStateException("publisher " + clientId + " closed");
        }
        if (!permits.tryAcquire()) {
            flush(); // the window is full: what is batched must go out for acknowledgements to come back
            permits.acquire();
        }
        synchronized (batchLock) {
            sent.incrementAndGet();
            if (broken != null) {
                permits.release();
                failed.incrementAndGet();
                return false;
            }
            byte[] bytes = packet.bytes();
            if (batch != null && batch.writableBytes() < bytes.length) {
                sendBatch();
            }
            if (batch == null) {
                batch = channel.alloc().buffer(Math.max(batchBytes, bytes.length));
            }
            int at = batch.writerIndex();
            batch.writeBytes(bytes);
            if (qos == 1) {
                int id = nextFreeId();
                pending.set(id, 1);
                batch.setShort(at + packet.packetIdOffset(), id);
            } else {
                batchQos0++;
            }
            if (!batch.isWritable()) {
                sendBatch();
            }
        }
        return true;
    }

    /** Writes what is batched. */
    public void flush() {
        synchronized (batchLock) {
            if (batch != null) {
                sendBatch();
            }
        }
    }

    private int nextFreeId() {
        // A permit is held, so fewer than 65,535 ids are in flight: a free one exists.
        int id = nextId;
        while (pending.get(id) != 0) {
            id = id == MqttWire.MAX_PACKET_ID ? 1 : id + 1;
        }
        nextId = id == MqttWire.MAX_PACKET_ID ? 1 : id + 1;
        return id;
    }

    private void sendBatch() {
        ByteBuf b = batch;
        int qos0 = batchQos0;
        batch = null;
        batchQos0 = 0;
        channel.writeAndFlush(b).addListener(f -> {
            if (f.isSuccess()) {
                if (qos0 > 0) {
                    acknowledged.addAndGet(qos0);
                    permits.release(qos0);
                    signalIfIdle();
                }
            } else {
                if (qos0 > 0) {
                    failed.addAndGet(qos0);
                    permits.release(qos0);
                }
                connectionLost("write failed: " + f.cause());
            }
        });
    }

    /**
     * Waits until every message published so far was acknowledged or failed, writing the batch first.
     *
     * @return true when nothing is in flight any more, false when the timeout ran out first
     */
    public boolean awaitAllAcknowledged(Duration timeout) throws InterruptedException {
        flush();
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (idle) {
            while (inFlight() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                // bounded wait: a count that reached zero between the check and the wait is seen within 50 ms
                TimeUnit.NANOSECONDS.timedWait(idle, Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
            }
            return true;
        }
    }

    private void signalIfIdle() {
        if (inFlight() == 0) {
            synchronized (idle) {
                idle.notifyAll();
            }
        }
    }

    /** Messages published so far (acknowledged, failed or in flight). */
    public long sent() {
        return sent.get();
    }

    /** Messages the broker acknowledged (QoS 1) or that were written (QoS 0). */
    public long acknowledged() {
        return acknowledged.get();
    }

    /** Messages refused by the broker or lost with the connection. */
    public long failed() {
        return failed.get();
    }

    /** PUBACKs for a packet identifier that was not in flight. */
    public long unexpectedAcks() {
        return unexpectedAcks.get();
    }

    public long inFlight() {
        return sent.get() - acknowledged.get() - failed.get();
    }

    /** The in-flight window: the configured maximum, lowered to the broker's Receive Maximum. */
    public int window() {
        return window;
    }

    public boolean isConnected() {
        return broken == null && channel.isActive();
    }

    /** Why the connection was lost, or null while it is up. */
    public String failure() {
        return broken;
    }

    /** Writes what is batched, sends DISCONNECT and closes the connection, waiting up to 3 s. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        flush();
        handler.closing();
        if (channel.isActive()) {
            ByteBuf d = channel.alloc().buffer(2);
            MqttWire.writeDisconnect(d);
            channel.writeAndFlush(d);
        }
        channel.close().awaitUninterruptibly(3, TimeUnit.SECONDS);
    }

    /** Fails everything in flight; later publishes fail at once. */
    private void connectionLost(String reason) {
        if (broken == null && reason != null) {
            broken = reason;
            if (!closed && permits != null) {
                log.warn("load publisher {} lost its connection to {}: {}", clientId, brokerUri, reason);
            }
        }
        if (broken == null) {
            broken = "closed";
        }
        int lost = 0;
        for (int id = 1; id <= MqttWire.MAX_PACKET_ID; id++) {
            if (pending.get(id) != 0 && pending.getAndSet(id, 0) != 0) {
                lost++;
            }
        }
        if (lost > 0) {
            failed.addAndGet(lost);
            permits.release(lost);
        }
        synchronized (idle) {
            idle.notifyAll();
        }
    }

    private final class Handler extends MqttClientHandler {
        private int acks;
        private int refused;

        Handler(String clientId) {
            super(clientId, MqttWire.MAX_PACKET_ID);
        }

        @Override
        void packet(ChannelHandlerContext ctx, int type, int flags, ByteBuf body, int remaining) {
            if (type != MqttWire.PUBACK) {
                throw new MqttWire.MqttProtocolException("unexpected packet type " + type + " for a publisher");
            }
            int v = MqttWire.readPubAck(body, remaining);
            int id = v >>> 16;
            int reason = v & 0xFF;
            if (pending.get(id) == 0 || pending.getAndSet(id, 0) == 0) {
                unexpectedAcks.incrementAndGet();
                if (unexpectedLogged.compareAndSet(false, true)) {
                    log.warn("load publisher {}: PUBACK for packet id {} not in flight (counted, logged once)",
                            clientId, id);
                }
                return;
            }
            if (reason < 0x80) {
                acks++;
            } else {
                refused++;
                if (refusalLogged.compareAndSet(false, true)) {
                    log.warn("load publisher {}: broker {} refused a publish with {} (counted as failed, logged once)",
                            clientId, brokerUri, MqttWire.reason(reason));
                }
            }
        }

        @Override
        void readBatchDone(ChannelHandlerContext ctx) {
            int a = acks;
            int r = refused;
            acks = 0;
            refused = 0;
            if (a > 0) {
                acknowledged.addAndGet(a);
            }
            if (r > 0) {
                failed.addAndGet(r);
            }
            if (a + r > 0) {
                permits.release(a + r);
                signalIfIdle();
            }
        }

        @Override
        void closed(String reason) {
            readBatchDone(null);
            connectionLost(reason);
        }
    }
}
