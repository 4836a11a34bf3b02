package org.limes.gateway.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/**
 * A real TCP listener on an ephemeral loopback port for the peers sinks talk to in tests (a
 * TAK server, a SAPIENT fusion node): each accepted connection is served on its own thread by
 * a {@link Connection}; while refusing, each new connection is closed at once, unread, and
 * {@link #refuse} drops the open ones, as a peer going away does.
 *
 * <p>Thread-safe: one acceptor thread and one thread per connection.
 */
public final class LoopbackListener implements AutoCloseable {

    /** Serves one connection until it ends or {@code refusing} turns true; the listener closes the socket after. */
    @FunctionalInterface
    public interface Connection {
        void serve(Socket socket, BooleanSupplier refusing) throws IOException;
    }

    private final ServerSocket server;
    private final Thread acceptor;
    private final Connection connection;
    private final String name;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private volatile boolean refusing;

    private LoopbackListener(String name, Connection connection) throws IOException {
        this.name = name;
        this.connection = connection;
        this.server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptAll, name);
        acceptor.setDaemon(true);
    }

    /** Listens on an ephemeral loopback port; {@code name} names its threads. */
    public static LoopbackListener start(String name, Connection connection) throws IOException {
        LoopbackListener listener = new LoopbackListener(name, connection);
        listener.acceptor.start();
        return listener;
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Refuses new connections and drops the open ones. */
    public void refuse() {
        refusing = true;
        for (Socket s : accepted) {
            close(s);
        }
    }

    /** Accepts connections again. */
    public void accept() {
        refusing = false;
    }

    private void acceptAll() {
        while (!server.isClosed()) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                return;
            }
            accepted.add(s);
            if (refusing) {
                close(s);
                continue;
            }
            Thread reader = new Thread(() -> serve(s), name + "-connection");
            reader.setDaemon(true);
            reader.start();
        }
    }

    private void serve(Socket s) {
        try {
            connection.serve(s, () -> refusing);
        } catch (IOException | RuntimeException e) {
            // The peer, refuse() or close() ended the connection.
        }
        close(s);
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // Closing is the point.
        }
    }

    @Override
    public void close() throws Exception {
        server.close();
        for (Socket s : accepted) {
            s.close();
        }
        acceptor.join(5_000);
    }
}
