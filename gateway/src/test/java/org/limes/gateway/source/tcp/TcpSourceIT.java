package org.limes.gateway.source.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.gateway.source.PipelineFixture;
import org.limes.gateway.source.SourceMetrics;
import org.limes.gateway.source.TestPki;
import org.limes.gateway.tls.TlsConfig;

/** A TCP listener on a real socket, an ephemeral port, in front of a real pipeline and outbox. */
class TcpSourceIT {

    @TempDir
    Path dir;

    private PipelineFixture fixture;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void pipeline() throws Exception {
        fixture = new PipelineFixture(dir, 256);
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        fixture.close();
    }

    private TcpSource start(Integer maxFrame, Integer maxConnections, Integer perPeer, Integer idleMs,
            Integer receiveBuffer, TlsConfig tls) {
        TcpSourceConfig config = new TcpSourceConfig("tcp-in", "127.0.0.1", 0, "counter-json", null, null, null, null,
                maxFrame, maxConnections, perPeer, idleMs, 100_000, null, receiveBuffer, tls);
        TcpSource source = new TcpSource(config, fixture.drivers, fixture.pipeline, fixture.inventory::knows,
                new SourceMetrics(fixture.registry, "tcp-in"), Clock.systemUTC(), System::nanoTime);
        source.start();
        open.add(0, source);
        return source;
    }

    private Socket connect(TcpSource source) throws IOException {
        Socket s = new Socket("127.0.0.1", source.port());
        s.setTcpNoDelay(true);
        open.add(0, s);
        return s;
    }

    private static byte[] line(String s) {
        return (s + "\n").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aBurstWithSplitMalformedAndOversizedFramesStoresEveryGoodFrame() throws Exception {
        TcpSource source = start(1024, null, null, null, null, null);
        try (Socket s = connect(source)) {
            OutputStream out = s.getOutputStream();
            StringBuilder burst = new StringBuilder();
            for (int i = 0; i < 500; i++) {
                burst.append(PipelineFixture.counterJson("cnt-01", i)).append('\n');
            }
            out.write(burst.toString().getBytes(StandardCharsets.UTF_8));
            byte[] split = line(PipelineFixture.counterJson("cnt-02", 1));
            out.write(split, 0, 17);
            out.flush();
            out.write(split, 17, split.length - 17);
            out.write(line("{\"device\":\"cnt-03\",\"time\": not json"));
            out.write(line("x".repeat(5_000)));
            out.write(line(PipelineFixture.counterJson("cnt-03", 2)));
            out.flush();

            await().atMost(Duration.ofSeconds(10)).until(() -> fixture.stored() == 502);
        }
        assertThat(fixture.storedLines()).anySatisfy(l -> assertThat(l).contains("device=cnt-02"))
                .anySatisfy(l -> assertThat(l).contains("device=cnt-03"));
        assertThat(fixture.count("limes.errors", "component", "driver-counter-json")).isEqualTo(1);
        assertThat(fixture.count("limes.dropped", "reason", "frame_too_long")).isEqualTo(1);
        assertThat(fixture.count("limes.frames.received", "source", "tcp-in")).isEqualTo(503);
        assertThat(fixture.registry.get("limes.source.connections").gauge().value()).isLessThanOrEqualTo(1);
    }

    @Test
    void aStalledPipelineStopsReadingWithBoundedMemoryThenEverythingArrives() throws Exception {
        TcpSource source = start(null, null, null, null, 65_536, null);
        fixture.stall();
        int frames = 20_000;
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < frames; i++) {
            all.append(PipelineFixture.counterJson("cnt-0" + (1 + i % 4), i)).append('\n');
        }
        byte[] bytes = all.toString().getBytes(StandardCharsets.UTF_8);
        Socket s = new Socket();
        s.setSendBufferSize(65_536);
        s.connect(new java.net.InetSocketAddress("127.0.0.1", source.port()));
        open.add(0, s);
        CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
            try {
                s.getOutputStream().write(bytes);
                s.getOutputStream().flush();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });

        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.count("limes.source.paused") >= 1);
        // While stalled the listener reads nothing more: the sender stays blocked, and what was read is bounded
        // by the pipeline queue plus one socket read per paused connection.
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3)).until(() -> !sender.isDone()
                && fixture.count("limes.bytes.received", "source", "tcp-in") < bytes.length / 4.0
                && source.held() <= 64 * 1024 / 150 + 1);
        long stalledAt = System.nanoTime();
        double readWhileStalled = fixture.count("limes.bytes.received", "source", "tcp-in");
        assertThat(readWhileStalled).isLessThan(bytes.length / 4.0);

        fixture.release();
        sender.get(30, java.util.concurrent.TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(30)).until(() -> fixture.stored() == frames);
        System.out.printf("backpressure: %d frames (%d bytes) delivered %d ms after release; %.0f bytes read while "
                + "stalled%n", frames, bytes.length, (System.nanoTime() - stalledAt) / 1_000_000, readWhileStalled);
        assertThat(source.held()).isZero();
        assertThat(fixture.count("limes.frames.received", "source", "tcp-in")).isEqualTo(frames);
    }

    @Test
    void aConnectionFloodIsRefusedBeyondTheLimitAndCostsOnlyTheExtraConnections() throws Exception {
        TcpSource source = start(null, 3, 3, null, null, null);
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            sockets.add(connect(source));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> fixture.count("limes.dropped", "reason",
                "max_connections") == 2);
        assertThat(source.connections()).isEqualTo(3);
        int refused = 0;
        for (Socket s : sockets) {
            s.setSoTimeout(200);
            try {
                if (s.getInputStream().read() == -1) {
                    refused++;
                }
            } catch (java.net.SocketTimeoutException stillOpen) {
                s.getOutputStream().write(line(PipelineFixture.counterJson("cnt-01", sockets.indexOf(s))));
            } catch (IOException reset) {
                refused++;
            }
        }
        assertThat(refused).isEqualTo(2);
        await().atMost(Duration.ofSeconds(5)).until(() -> fixture.stored() == 3);
    }

    @Test
    void aSilentOrHalfOpenConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        TcpSource source = start(null, null, null, 1_000, null, null);
        Socket s = connect(source);
        s.getOutputStream().write("{\"device\":\"cnt-01\",".getBytes(StandardCharsets.UTF_8));
        s.setSoTimeout(10_000);
        long started = System.nanoTime();
        assertThat(s.getInputStream().read()).isEqualTo(-1);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        await().atMost(Duration.ofSeconds(2)).until(() -> fixture.count("limes.errors", "error_type",
                "idle_timeout") == 1 && source.connections() == 0);
    }

    @Test
    void mutualTlsAdmitsOnlyCertificatesNamingAnInventoryDevice() throws Exception {
        TestPki pki = new TestPki(dir);
        Path[] server = pki.server();
        TcpSource source = start(null, null, null, null, null,
                TlsConfig.server(server[0].toString(), server[1].toString(), pki.caFile().toString(), null));

        try (SSLSocket device = tls(pki.client("cnt-01"), source)) {
            device.getOutputStream().write(line(PipelineFixture.counterJson("cnt-01", 1)));
            device.getOutputStream().flush();
            await().atMost(Duration.ofSeconds(10)).until(() -> fixture.stored() == 1);
            // The same authenticated device reporting as another one: dropped, the connection stays.
            device.getOutputStream().write(line(PipelineFixture.counterJson("cnt-02", 2)));
            device.getOutputStream().write(line(PipelineFixture.counterJson("cnt-01", 3)));
            device.getOutputStream().flush();
            await().atMost(Duration.ofSeconds(10)).until(() -> fixture.stored() == 2);
            assertThat(fixture.count("limes.dropped", "reason", "identity_mismatch")).isEqualTo(1);
        }

        try (SSLSocket intruder = tls(pki.client("intruder"), source)) {
            intruder.getOutputStream().write(line(PipelineFixture.counterJson("cnt-02", 2)));
            assertThat(readOrReset(intruder)).isEqualTo(-1);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> fixture.count("limes.dropped", "reason",
                "unknown_certificate") == 1);

        assertThatThrownBy(() -> {
            try (SSLSocket anonymous = tls(pki.client(null), source)) {
                anonymous.getOutputStream().write(line(PipelineFixture.counterJson("cnt-03", 3)));
                if (anonymous.getInputStream().read() == -1) {
                    throw new IOException("closed by the listener");
                }
            }
        }).isInstanceOf(IOException.class);
        await().atMost(Duration.ofSeconds(5)).until(() -> fixture.count("limes.errors", "error_type", "tls") >= 1);

        TestPki otherCa = new TestPki(Files.createDirectories(dir.resolve("other-ca")));
        assertThatThrownBy(() -> {
            try (SSLSocket forged = tls(otherCa.client("cnt-01", pki), source)) {
                forged.getOutputStream().write(line(PipelineFixture.counterJson("cnt-01", 4)));
                if (forged.getInputStream().read() == -1) {
                    throw new IOException("closed by the listener");
                }
            }
        }).as("a certificate naming an inventory device, signed by another CA").isInstanceOf(IOException.class);
        await().atMost(Duration.ofSeconds(5)).until(() -> fixture.count("limes.errors", "error_type", "tls") >= 2);
        assertThat(fixture.stored()).isEqualTo(2);
    }

    @Test
    void plainTlsAcceptsADeviceWithoutACertificate() throws Exception {
        TestPki pki = new TestPki(dir);
        Path[] server = pki.server();
        TcpSource source = start(null, null, null, null, null,
                TlsConfig.server(server[0].toString(), server[1].toString(), null, null));
        try (SSLSocket device = tls(pki.client(null), source)) {
            device.getOutputStream().write(line(PipelineFixture.counterJson("cnt-04", 1)));
            device.getOutputStream().flush();
            await().atMost(Duration.ofSeconds(10)).until(() -> fixture.stored() == 1);
        }
    }

    private SSLSocket tls(SSLContext ctx, TcpSource source) throws IOException {
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", source.port());
        s.setSoTimeout(10_000);
        s.startHandshake();
        return s;
    }

    private static int readOrReset(Socket s) {
        try {
            InputStream in = s.getInputStream();
            return in.read();
        } catch (IOException e) {
            return -1;
        }
    }
}
