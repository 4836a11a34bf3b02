package org.limes.simulator.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The chaos proxy between a real client socket and a real echo server. */
class ChaosProxyIT {

    private ServerSocket echo;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private Thread acceptor;
    private ChaosProxy proxy;

    @BeforeEach
    void start() throws Exception {
        echo = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        acceptor = new Thread(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket s = echo.accept();
                    accepted.add(s);
                    Thread t = new Thread(() -> {
                        try (s) {
                            s.getInputStream().transferTo(s.getOutputStream());
                        } catch (IOException e) {
                            // the proxy closed or reset this connection: the point of the test
                        }
                    }, "echo-conn");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        }, "echo-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        proxy = ChaosProxy.start("127.0.0.1", 0, "127.0.0.1", echo.getLocalPort());
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        echo.close();
        for (Socket s : accepted) {
            s.close();
        }
        acceptor.join(5_000);
    }

    @Test
    void passRelaysBothWays() throws Exception {
        try (Socket s = connect()) {
            assertThat(roundTrip(s, "hello")).isEqualTo("hello");
            assertThat(roundTrip(s, "again")).isEqualTo("again");
        }
        assertThat(proxy.accepted()).isEqualTo(1);
        assertThat(proxy.bytesRelayed()).isEqualTo(4 * 6);
    }

    @Test
    void cutClosesOpenConnectionsAndRefusesNewOnesUntilPassAgain() throws Exception {
        Socket open = connect();
        assertThat(roundTrip(open, "before")).isEqualTo("before");
        proxy.apply(ChaosPhase.of("cut", null));
        assertThat(readOrEnd(open)).isEqualTo(-1);
        open.close();

        try (Socket refused = connect()) {
            assertThat(readOrEnd(refused)).isEqualTo(-1);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.refused() == 1);

        proxy.apply(ChaosPhase.of("pass", null));
        try (Socket again = connect()) {
            assertThat(roundTrip(again, "after")).isEqualTo("after");
        }
    }

    @Test
    void resetAbortsConnectionsWithARst() throws Exception {
        try (Socket s = connect()) {
            assertThat(roundTrip(s, "x")).isEqualTo("x");
            proxy.apply(ChaosPhase.of("reset", null));
            assertThatThrownBy(() -> {
                s.getInputStream().read();
                s.getOutputStream().write('y');
                s.getInputStream().read();
            }).isInstanceOf(SocketException.class);
        }
        assertThat(proxy.phase().mode()).as("a reset passes afterwards").isEqualTo("pass");
        try (Socket s = connect()) {
            assertThat(roundTrip(s, "z")).isEqualTo("z");
        }
    }

    @Test
    void delayHoldsEveryChunk() throws Exception {
        proxy.apply(ChaosPhase.parse("delay_ms=300"));
        try (Socket s = connect()) {
            long t0 = System.nanoTime();
            assertThat(roundTrip(s, "slow")).isEqualTo("slow");
            // Delayed once on the way there and once on the way back.
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(600));
        }
    }

    @Test
    void throttleLimitsTheRate() throws Exception {
        proxy.apply(ChaosPhase.parse("throttle_bytes_per_s=2000"));
        try (Socket s = connect()) {
            String payload = "a".repeat(3_999);
            long t0 = System.nanoTime();
            assertThat(roundTrip(s, payload)).isEqualTo(payload);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(1_000));
        }
    }

    @Test
    void aSchedulePlaysItsPhasesInOrder() throws Exception {
        List<String> phases = new CopyOnWriteArrayList<>();
        proxy.onPhase(p -> phases.add(p.mode()));
        proxy.play(ChaosSchedule.parse("cut 400ms, delay_ms=10 200ms, pass", false));
        try (Socket refused = connect()) {
            assertThat(readOrEnd(refused)).isEqualTo(-1);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> phases.size() == 3);
        assertThat(phases).containsExactly("cut", "delay", "pass");
        try (Socket s = connect()) {
            assertThat(roundTrip(s, "back")).isEqualTo("back");
        }
    }

    @Test
    void schedulesAndPhasesRejectNonsense() {
        assertThatThrownBy(() -> ChaosSchedule.parse("cut, pass", false))
                .hasMessageContaining("phase 1 (cut) needs a duration");
        assertThatThrownBy(() -> ChaosSchedule.parse("pass 1s, explode 2s", false))
                .hasMessageContaining("phase 2: phase must be pass, cut, delay_ms=N, throttle_bytes_per_s=N or reset");
        assertThatThrownBy(() -> ChaosPhase.parse("delay_ms=0 1s")).hasMessageContaining("delay_ms must be 1..600000");
        assertThat(ChaosProxy.length(ChaosSchedule.parse("pass 1s, reset, cut 2s", false)))
                .isEqualTo(Duration.ofSeconds(3));
    }

    private Socket connect() throws IOException {
        Socket s = new Socket("127.0.0.1", proxy.port());
        s.setSoTimeout(10_000);
        return s;
    }

    private static String roundTrip(Socket s, String text) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write((text + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        InputStream in = s.getInputStream();
        StringBuilder sb = new StringBuilder();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new IOException("connection closed after '" + sb + "'");
            }
            sb.append((char) b);
        }
        return sb.toString();
    }

    private static int readOrEnd(Socket s) throws IOException {
        try {
            return s.getInputStream().read();
        } catch (SocketException e) {
            return -1;
        }
    }
}
