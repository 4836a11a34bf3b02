package org.limes.simulator.transport.udp;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.limes.simulator.transport.FrameSender;
import org.limes.simulator.transport.TargetConfig;

/**
 * Frames sent as UDP datagrams, one frame per datagram, as radars and counters broadcast
 * on a crossing's network. Delivered means handed to the kernel: UDP has no
 * acknowledgement, so a datagram lost on the way is not seen here.
 *
 * <p>Threading as {@link FrameSender}; sends never block for long.
 */
public final class UdpFrameSender implements FrameSender {

    /** The largest payload of one IPv4 UDP datagram. */
    public static final int MAX_DATAGRAM = 65_507;

    private final DatagramSocket socket;
    private final InetSocketAddress destination;

    private UdpFrameSender(DatagramSocket socket, InetSocketAddress destination) {
        this.socket = socket;
        this.destination = destination;
    }

    /** Opens a socket for the target. */
    public static UdpFrameSender open(TargetConfig target) throws IOException {
        InetSocketAddress destination = new InetSocketAddress(target.host(), target.port());
        if (destination.isUnresolved()) {
            throw new IOException("cannot resolve " + target.uri());
        }
        return new UdpFrameSender(new DatagramSocket(), destination);
    }

    @Override
    public CompletableFuture<Void> send(String device, String kind, byte[] frame) {
        if (frame.length > MAX_DATAGRAM) {
            return CompletableFuture.failedFuture(new IOException("frame of " + frame.length
                    + " bytes does not fit a datagram (" + MAX_DATAGRAM + ")"));
        }
        try {
            socket.send(new DatagramPacket(frame, frame.length, destination));
            return CompletableFuture.completedFuture(null);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(new IOException("send to " + destination + " failed: "
                    + e.getMessage(), e));
        }
    }

    @Override
    public boolean awaitIdle(Duration timeout) {
        return true;
    }

    @Override
    public void close() {
        socket.close();
    }
}
