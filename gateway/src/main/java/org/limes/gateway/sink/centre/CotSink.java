package org.limes.gateway.sink.centre;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.limes.gateway.outbox.DestinationQueue;
import org.limes.gateway.outbox.OutboxRecord;
import org.limes.gateway.sink.Backoff;
import org.limes.gateway.sink.Delivery;
import org.limes.gateway.sink.DeliveryFailed;
import org.limes.gateway.sink.SinkDrainer;
import org.limes.gateway.sink.SinkMetrics;
import org.limes.gateway.sink.Undeliverable;
import org.limes.gateway.sink.centre.format.AlertFormat;
import org.limes.gateway.tls.SslContextLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams one centre's alerts from its own outbox as Cursor on Target events over one TCP
 * (or TLS) connection to a TAK-style server, in outbox order.
 *
 * <p>CoT has no acknowledgement. The best evidence available is that the bytes were
 * written and flushed into a connection that then stayed up. So a written event is
 * acknowledged in the outbox only {@value #CONFIRM_MS} ms (on the injected clock) after its
 * write, if no error was seen on the connection meanwhile (a failed write, or the server
 * closing it); when one is seen, the connection is replaced and every event not yet
 * acknowledged is sent again. Re-sending is harmless: a CoT event with the same uid replaces
 * the object it describes.
 *
 * <p>Each batch the {@link SinkDrainer} offers starts with the events already written and not
 * yet confirmed: those are not written again on the same connection, only the new ones are,
 * and {@link #deliver} returns the confirmed prefix — so events stream without waiting for
 * the confirmation of those before them, up to {@value #IN_FLIGHT} unconfirmed.
 *
 * <p>What remains is honest at-most-once: bytes the kernel accepted and the server never
 * read, on a connection whose failure shows only after the confirmation delay (a peer that
 * vanished without a reset, detected by TCP retransmission timeouts minutes later), are
 * lost. Centres that need proof of receipt should be fed by {@code mqtt} (PUBACK) or
 * {@code webhook} (2xx) as well.
 *
 * <p>A record that can never be written as CoT (unreadable, or refused by the format) is set
 * aside in the centre's dead-letter file once the events before it are confirmed.
 *
 * <p>Threading: {@link #deliver} on the drainer's one thread, the only consumer of its
 * outbox and the only user of the socket.
 */
public final class CotSink implements Delivery, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CotSink.class);
    static final long CONFIRM_MS = 5_000;
    /** Events written and not yet confirmed at most: the batch the drainer offers. */
    static final int IN_FLIGHT = 1024;
    /** How long a call with nothing new to write watches the connection before it returns. */
    private static final long WATCH_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final CotCentreConfig config;
    private final DestinationQueue outbox;
    private final CentreEncoder encoder;
    private final Clock clock;
    private final long confirmMs;
    private final SSLSocketFactory tls;
    /** Written on this connection, not yet acknowledged: sequence number and write time (clock ms), in order. */
    private final Deque<long[]> unconfirmed = new ArrayDeque<>();
    private final byte[] drain = new byte[4096];
    private final SinkDrainer drainer;
    private Socket socket;
    private OutputStream out;

    public CotSink(CotCentreConfig config, String gateway, DestinationQueue outbox, SinkMetrics metrics, Clock clock) {
        this(config, gateway, outbox, metrics, clock, CONFIRM_MS);
    }

    CotSink(CotCentreConfig config, String gateway, DestinationQueue outbox, SinkMetrics metrics, Clock clock,
            long confirmMs) {
        this.config = config;
        this.outbox = outbox;
        this.clock = clock;
        this.confirmMs = confirmMs;
        this.encoder = new CentreEncoder(config.name(), AlertFormat.create("cot", gateway, null, config.cot()));
        this.tls = config.tls() == null ? null : SslContextLoader.load(config.tls()).getSocketFactory();
        this.drainer = new SinkDrainer(outbox, this, metrics, clock, new Backoff(250, 30_000), IN_FLIGHT, 4 << 20,
                15_000);
    }

    public void start() {
        drainer.start();
    }

    /** Connects at start, as the stream did before the sinks shared one drainer. */
    @Override
    public void open() throws DeliveryFailed {
        connect();
    }

    /**
     * Writes the events of the batch not yet written on this connection and returns how many
     * from its start are confirmed. An event that can never be written as CoT is reported for
     * setting aside once every event before it is confirmed.
     */
    @Override
    public int deliver(List<OutboxRecord> batch) throws DeliveryFailed {
        connect();
        try {
            int written = writtenPrefix(batch);
            int fresh = 0;
            Undeliverable undeliverable = null;
            for (int i = written; i < batch.size(); i++) {
                OutboxRecord r = batch.get(i);
                try {
                    out.write(encoder.encode(r));
                } catch (Undeliverable u) {
                    undeliverable = u;
                    break;
                }
                unconfirmed.addLast(new long[] {r.seq(), Long.MIN_VALUE});
                fresh++;
            }
            if (fresh > 0) {
                out.flush();
                long now = clock.millis();
                unconfirmed.forEach(u -> u[1] = u[1] == Long.MIN_VALUE ? now : u[1]);
            } else if (written > 0) {
                watch();
            }
            checkPeer();
            int confirmed = confirm();
            int stop = written + fresh;
            if (undeliverable != null && confirmed == stop) {
                throw DeliveryFailed.setAside(stop, null, undeliverable);
            }
            return confirmed;
        } catch (IOException e) {
            int lost = unconfirmed.size();
            disconnect();
            throw DeliveryFailed.retry(0, "unavailable", "CoT stream to " + config.host() + ":" + config.port()
                    + " failed (" + e + "); reconnecting, " + lost + " unconfirmed events will be sent again", e);
        }
    }

    /**
     * How many records at the start of the batch were written on this connection already;
     * anything else unconfirmed is forgotten (it is not in the batch: set aside or acknowledged).
     */
    private int writtenPrefix(List<OutboxRecord> batch) {
        int n = 0;
        for (long[] u : unconfirmed) {
            if (n >= batch.size() || batch.get(n).seq() != u[0]) {
                break;
            }
            n++;
        }
        while (unconfirmed.size() > n) {
            unconfirmed.pollLast();
        }
        return n;
    }

    /** Nothing new to write: watches the connection for a while, or until the oldest event is due. */
    private void watch() throws IOException {
        long until = System.nanoTime() + WATCH_NANOS;
        while (drainer.running() && System.nanoTime() < until) {
            checkPeer();
            if (!unconfirmed.isEmpty() && clock.millis() - unconfirmed.peekFirst()[1] >= confirmMs) {
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    /** Takes off the events written at least the confirmation delay ago on a connection still up. */
    private int confirm() {
        long now = clock.millis();
        int n = 0;
        while (!unconfirmed.isEmpty() && now - unconfirmed.peekFirst()[1] >= confirmMs) {
            unconfirmed.pollFirst();
            n++;
        }
        return n;
    }

    /**
     * Reads and discards what the server sent (a 1 ms read timeout is set on the socket); the
     * end of the stream means the server closed the connection.
     */
    private void checkPeer() throws IOException {
        InputStream in = socket.getInputStream();
        for (int i = 0; i < 16; i++) {
            int n;
            try {
                n = in.read(drain);
            } catch (SocketTimeoutException e) {
                return;
            }
            if (n < 0) {
                throw new IOException("the server closed the connection");
            }
        }
    }

    private void connect() throws DeliveryFailed {
        if (socket != null) {
            return;
        }
        Socket s = null;
        try {
            s = CentreSockets.open(config.host(), config.port(), config.connectTimeoutMs(), tls);
            s.setSoTimeout(1);
            socket = s;
            out = new BufferedOutputStream(s.getOutputStream(), 64 * 1024);
            LOG.info("centre {}: CoT stream connected to {}:{}{}", config.name(), config.host(), config.port(),
                    tls == null ? "" : " (TLS)");
        } catch (IOException e) {
            if (s != null) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // Already failing; the connect error is what is reported.
                }
            }
            throw DeliveryFailed.retry(0, "connect", "cannot connect to " + config.host() + ":" + config.port()
                    + ": " + e.getMessage() + "; alerts wait in the outbox", e);
        }
    }

    private void disconnect() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                LOG.debug("centre {}: closing the CoT socket: {}", config.name(), e.getMessage());
            }
        }
        socket = null;
        out = null;
        unconfirmed.clear();
    }

    @Override
    public void close() {
        drainer.close();
        disconnect();
    }
}
