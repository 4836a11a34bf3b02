package org.limes.gateway.sink.centre;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/** The TCP connection of a stream centre (CoT, SAPIENT): one way to open it, plain or TLS. */
final class CentreSockets {

    private CentreSockets() {
    }

    /**
     * A connected socket with {@code TCP_NODELAY} and keep-alive; with {@code tls}, handshaken
     * and the server's name verified against {@code host}. Closed again when any step fails.
     */
    static Socket open(String host, int port, int connectTimeoutMs, SSLSocketFactory tls) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(host, port), connectTimeoutMs);
            s.setTcpNoDelay(true);
            s.setKeepAlive(true);
            if (tls != null) {
                SSLSocket ssl = (SSLSocket) tls.createSocket(s, host, port, true);
                SSLParameters p = ssl.getSSLParameters();
                p.setEndpointIdentificationAlgorithm("HTTPS");
                ssl.setSSLParameters(p);
                ssl.startHandshake();
                s = ssl;
            }
            return s;
        } catch (IOException e) {
            try {
                s.close();
            } catch (IOException ignored) {
                // Already failing; the connect error is what is reported.
            }
            throw e;
        }
    }
}
