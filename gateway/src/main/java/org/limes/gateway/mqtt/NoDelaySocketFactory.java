package org.limes.gateway.mqtt;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;

/**
 * Sockets for Paho MQTT clients with {@code TCP_NODELAY} set. Paho creates its socket from
 * the factory and never touches Nagle's algorithm; with Nagle on, a small packet written
 * while an earlier one is unacknowledged waits for that ACK, and the peer's delayed ACK makes
 * that about 40 ms: a PUBACK batch from the source, or an alert to a centre, stalls that long.
 *
 * <p>{@link #plain()} for {@code tcp://}; {@link #over(SSLSocketFactory)} wraps a TLS factory
 * for {@code ssl://} (Paho requires an {@link SSLSocketFactory} there). Stateless apart from
 * the wrapped factory; safe from any thread.
 *
 * <p>A plain socket also reads through a {@value #READ_BUFFER}-byte buffer. Paho reads a
 * packet's fixed header one byte at a time from the socket's stream ({@code DataInputStream}
 * with no buffer under it), so every message cost several {@code read} system calls on the
 * receiver thread, the gateway source's single decoding thread; buffered, one call takes up
 * many packets. (A TLS socket's stream already reads whole records.)
 */
public final class NoDelaySocketFactory extends SocketFactory {

    /** Bytes a plain socket's input stream reads ahead. */
    static final int READ_BUFFER = 16 * 1024;

    private NoDelaySocketFactory() {
    }

    /** Plain TCP sockets with {@code TCP_NODELAY}, reading through a buffer. */
    public static SocketFactory plain() {
        return new NoDelaySocketFactory();
    }

    /** TLS sockets from {@code tls} with {@code TCP_NODELAY}. */
    public static SSLSocketFactory over(SSLSocketFactory tls) {
        return new Tls(tls);
    }

    @Override
    public Socket createSocket() throws IOException {
        return noDelay(new BufferedSocket());
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port), null);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return connected(new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port), null);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return connected(new InetSocketAddress(address, port), new InetSocketAddress(localAddress, localPort));
    }

    private static Socket connected(InetSocketAddress remote, InetSocketAddress local) throws IOException {
        Socket s = noDelay(new BufferedSocket());
        try {
            if (local != null) {
                s.bind(local);
            }
            s.connect(remote);
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** A plain socket whose one input stream reads ahead through a buffer. */
    private static final class BufferedSocket extends Socket {
        private InputStream in;

        @Override
        public synchronized InputStream getInputStream() throws IOException {
            // One stream for the socket's life: a second buffer would take bytes the first one holds.
            if (in == null) {
                in = new BufferedInputStream(super.getInputStream(), READ_BUFFER);
            }
            return in;
        }
    }

    static <S extends Socket> S noDelay(S socket) throws IOException {
        socket.setTcpNoDelay(true);
        return socket;
    }

    /** The TLS variant: every socket, layered or not, gets {@code TCP_NODELAY}. */
    private static final class Tls extends SSLSocketFactory {
        private final SSLSocketFactory delegate;

        Tls(SSLSocketFactory delegate) {
            this.delegate = delegate;
        }

        @Override
        public String[] getDefaultCipherSuites() {
            return delegate.getDefaultCipherSuites();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return delegate.getSupportedCipherSuites();
        }

        @Override
        public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
            s.setTcpNoDelay(true);
            return delegate.createSocket(s, host, port, autoClose);
        }

        @Override
        public Socket createSocket() throws IOException {
            return noDelay(delegate.createSocket());
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return noDelay(delegate.createSocket(host, port));
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return noDelay(delegate.createSocket(host, port, localHost, localPort));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return noDelay(delegate.createSocket(host, port));
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            return noDelay(delegate.createSocket(address, port, localAddress, localPort));
        }
    }
}
