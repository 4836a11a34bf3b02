package org.limes.gateway.mqtt;

import java.io.IOException;
import java.net.InetAddress;
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
 */
public final class NoDelaySocketFactory extends SocketFactory {

    private final SocketFactory delegate;

    private NoDelaySocketFactory(SocketFactory delegate) {
        this.delegate = delegate;
    }

    /** Plain TCP sockets with {@code TCP_NODELAY}. */
    public static SocketFactory plain() {
        return new NoDelaySocketFactory(SocketFactory.getDefault());
    }

    /** TLS sockets from {@code tls} with {@code TCP_NODELAY}. */
    public static SSLSocketFactory over(SSLSocketFactory tls) {
        return new Tls(tls);
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
