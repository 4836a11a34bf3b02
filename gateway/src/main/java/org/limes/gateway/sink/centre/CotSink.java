package org.limes.gateway.sink.centre;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.limes.gateway.outbox.DestinationQueue;
import org.limes.gateway.outbox.OutboxRecord;
import org.limes.gateway.sink.Backoff;
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
 * acknowledged in the outbox only {@value #CONFIRM_MS} ms after its write, if no error was
 * seen on the connection meanwhile (a failed write, or the server closing it); when one is
 * seen, the connection is replaced and every event not yet acknowledged is sent again.
 * Re-sending is harmless: a CoT event with the same uid replaces the object it describes.
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
 * <p>Threading: one thread of its own, the only consumer of its outbox and the only user
 * of the socket.
 */
public final class CotSink implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CotSink.class);
    static final long CONFIRM_MS = 5_000;
    private static final int WINDOW = 64;

    private final CotCentreConfig config;
    private final DestinationQueue outbox;
    private final SinkMetrics metrics;
    private final CentreEncoder encoder;
    private final Clock clock;
    private final long confirmNanos;
    private final SSLSocketFactory tls;
    private final Backoff backoff = new Backoff(250, 30_000);
    /** Written, not yet acknowledged: sequence number and write time (nanos), in order. */
    private final Deque<long[]> unconfirmed = new ArrayDeque<>();
    private final byte[] drain = new byte[4096];
    private final Thread thread;
    private volatile boolean running = true;
    private Socket socket;
    /** An event that can never be written, set aside once the events before it are confirmed. */
    private OutboxRecord setAside;
    private Undeliverable setAsideFailure;
    private OutputStream out;

    public CotSink(CotCentreConfig config, String gateway, DestinationQueue outbox, SinkMetrics metrics, Clock clock) {
        this(config, gateway, outbox, metrics, clock, CONFIRM_MS);
    }

    CotSink(CotCentreConfig config, String gateway, DestinationQueue outbox, SinkMetrics metrics, Clock clock,
            long confirmMs) {
        this.config = config;
        this.outbox = outbox;
        this.metrics = metrics;
        this.clock = clock;
        this.confirmNanos = TimeUnit.MILLISECONDS.toNanos(confirmMs);
        this.encoder = new CentreEncoder(config.name(), AlertFormat.create("cot", gateway, null, config.cot()),
                metrics);
        this.tls = config.tls() == null ? null : SslContextLoader.load(config.tls()).getSocketFactory();
        this.thread = new Thread(this::loop, "limes-sink-" + config.name());
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    private void loop() {
        while (running) {
            try {
                if (!connected()) {
                    pause(backoff.nextDelayMs());
                    continue;
                }
                if (setAside != null) {
                    // Set aside only once every event before it is confirmed: that acknowledges them.
                    checkPeer();
                    confirm();
                    if (unconfirmed.isEmpty()) {
                        outbox.setAside(setAside, setAsideFailure.reason(), setAsideFailure.getMessage());
                        setAside = null;
                        outbox.rewind();
                    } else {
                        pause(50);
                    }
                    continue;
                }
                List<OutboxRecord> batch = outbox.poll(WINDOW, 4 << 20, 100, TimeUnit.MILLISECONDS);
                long start = System.nanoTime();
                int written = 0;
                for (OutboxRecord r : batch) {
                    byte[] event;
                    try {
                        event = encoder.encode(r);
                    } catch (Undeliverable u) {
                        setAside = r;
                        setAsideFailure = u;
                        break;
                    }
                    out.write(event);
                    written++;
                    unconfirmed.addLast(new long[] {r.seq(), 0});
                }
                if (written > 0) {
                    out.flush();
                    long now = System.nanoTime();
                    unconfirmed.forEach(u -> u[1] = u[1] == 0 ? now : u[1]);
                    metrics.written(now - start, written, clock.millis());
                }
                checkPeer();
                confirm();
                backoff.reset();
            } catch (InterruptedException e) {
                return;
            } catch (IOException e) {
                metrics.failed(0, "unavailable");
                LOG.warn("centre {}: CoT stream to {}:{} failed ({}); reconnecting, {} unconfirmed events will be "
                        + "sent again", config.name(), config.host(), config.port(), e.toString(), unconfirmed.size());
                disconnect();
                unconfirmed.clear();
                setAside = null;
                outbox.rewind();
                pause(backoff.nextDelayMs());
            }
        }
    }

    /** Acknowledges the events written at least the confirmation delay ago on a connection still up. */
    private void confirm() {
        long now = System.nanoTime();
        long upTo = -1;
        while (!unconfirmed.isEmpty() && now - unconfirmed.peekFirst()[1] >= confirmNanos) {
            upTo = unconfirmed.pollFirst()[0];
        }
        if (upTo >= 0) {
            outbox.acknowledge(upTo + 1);
        }
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

    private boolean connected() {
        if (socket != null) {
            return true;
        }
        Socket s = null;
        try {
            s = new Socket();
            s.connect(new InetSocketAddress(config.host(), config.port()), config.connectTimeoutMs());
            s.setTcpNoDelay(true);
            s.setKeepAlive(true);
            if (tls != null) {
                SSLSocket ssl = (SSLSocket) tls.createSocket(s, config.host(), config.port(), true);
                SSLParameters p = ssl.getSSLParameters();
                p.setEndpointIdentificationAlgorithm("HTTPS");
                ssl.setSSLParameters(p);
                ssl.startHandshake();
                s = ssl;
            }
            s.setSoTimeout(1);
            socket = s;
            out = new BufferedOutputStream(s.getOutputStream(), 64 * 1024);
            LOG.info("centre {}: CoT stream connected to {}:{}{}", config.name(), config.host(), config.port(),
                    tls == null ? "" : " (TLS)");
            return true;
        } catch (IOException e) {
            metrics.failed(0, "connect");
            LOG.warn("centre {}: cannot connect to {}:{}: {}; alerts wait in its outbox ({} queued)", config.name(),
                    config.host(), config.port(), e.getMessage(), outbox.depth());
            if (s != null) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // Already failing; the connect error is what is reported.
                }
            }
            return false;
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
    }

    private void pause(long ms) {
        Backoff.pause(ms, () -> running);
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(TimeUnit.SECONDS.toMillis(15));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        disconnect();
    }
}
