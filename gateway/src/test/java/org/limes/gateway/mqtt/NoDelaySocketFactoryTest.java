package org.limes.gateway.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import javax.net.SocketFactory;
import org.junit.jupiter.api.Test;

class NoDelaySocketFactoryTest {

    @Test
    void plainSocketsHaveNoDelayAndOneBufferedStreamThatLosesNoBytes() throws Exception {
        SocketFactory factory = NoDelaySocketFactory.plain();
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            try (Socket client = factory.createSocket()) {
                client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()));
                try (Socket peer = server.accept()) {
                    assertThat(client.getTcpNoDelay()).isTrue();
                    OutputStream out = peer.getOutputStream();
                    out.write("abcdef".getBytes(StandardCharsets.US_ASCII));
                    out.flush();

                    InputStream first = client.getInputStream();
                    assertThat((char) first.read()).isEqualTo('a');
                    // Paho may ask again: the same stream, or the bytes read ahead would be lost.
                    InputStream again = client.getInputStream();
                    assertThat(again).isSameAs(first);
                    assertThat(new String(again.readNBytes(5), StandardCharsets.US_ASCII)).isEqualTo("bcdef");

                    out.write(new byte[] {42});
                    out.flush();
                    assertThat(first.read()).isEqualTo(42);
                }
            }
        }
    }

    @Test
    void connectingVariantsConnectWithNoDelay() throws Exception {
        SocketFactory factory = NoDelaySocketFactory.plain();
        try (ServerSocket server = new ServerSocket(0, 2, InetAddress.getLoopbackAddress())) {
            InetAddress loopback = InetAddress.getLoopbackAddress();
            try (Socket byAddress = factory.createSocket(loopback, server.getLocalPort());
                    Socket byName = factory.createSocket(loopback.getHostAddress(), server.getLocalPort());
                    Socket a = server.accept();
                    Socket b = server.accept()) {
                assertThat(byAddress.isConnected()).isTrue();
                assertThat(byName.isConnected()).isTrue();
                assertThat(byAddress.getTcpNoDelay()).isTrue();
                assertThat(byName.getTcpNoDelay()).isTrue();
                assertThat(byAddress.getInputStream()).isSameAs(byAddress.getInputStream());
            }
        }
    }
}
