package org.limes.simulator.transport.tcp;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.limes.simulator.transport.FrameSender;
import org.limes.simulator.transport.TargetConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Frames written to one TCP connection, as a radar or counter writes to its gateway port:
 * with {@code framing: newline} each frame is followed by {@code \n} (unless it already ends
 * with one), with {@code framing: raw} the bytes go as they are (ASTERIX data blocks carry
 * their own length).
 *
 * <p>A frame counts as delivered once written to the socket; TCP carries no application
 * acknowledgement. When a write fails the connection is closed, that frame fails, and the
 * next frame opens a new connection (as a device reconnects); frames are never re-sent.
 *
 * <p>Threading as {@link FrameSender}: writes are blocking; the kernel's socket buffer
 * bounds what is outstanding, so a gateway that stops reading stops the sender.
 */
public final class TcpFrameSender implements FrameSender {

    private static final Logger log = LoggerFactory.getLogger(TcpFrameSender.class);
    private static final int CONNECT_TIMEOUT_MS = 5_000;

    private final TargetConfig target;
    private final boolean newline;
    private Socket socket;
    private OutputStream out;
    private boolean closed;

    private TcpFrameSender(TargetConfig target) {
        this.target = target;
        this.newline = "newline".equals(target.framing());
    }

    /** Connects to the target. */
    public static TcpFrameSender open(TargetConfig target) throws IOException {
        TcpFrameSender sender = new TcpFrameSender(target);
        sender.connect();
        return sender;
    }

    @Override
    public synchronized CompletableFuture<Void> send(String device, String kind, byte[] frame) {
        if (closed) {
            return CompletableFuture.failedFuture(new IOException("sender closed"));
        }
        try {
            if (socket == null) {
                connect();
                log.info("reconnected to {}", target.uri());
            }
            out.write(frame);
            if (newline && (frame.length == 0 || frame[frame.length - 1] != '\n')) {
                out.write('\n');
            }
            out.flush();
            return CompletableFuture.completedFuture(null);
        } catch (IOException e) {
            disconnect();
            return CompletableFuture.failedFuture(new IOException("write to " + target.uri() + " failed: "
                    + e.getMessage(), e));
        }
    }

    @Override
    public boolean awaitIdle(Duration timeout) {
        return true;
    }

    @Override
    public synchronized void close() {
        closed = true;
        disconnect();
    }

    private void connect() throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(target.host(), target.port()), CONNECT_TIMEOUT_MS);
        } catch (IOException e) {
            s.close();
            throw new IOException("cannot connect to " + target.uri() + ": " + e.getMessage(), e);
        }
        socket = s;
        out = s.getOutputStream();
    }

    private void disconnect() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                log.debug("closing the connection to {} failed: {}", target.uri(), e.getMessage());
            }
            socket = null;
            out = null;
        }
    }
}
