package org.limes.gateway.source.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.gateway.source.PipelineFixture;
import org.limes.gateway.source.SourceMetrics;

/** A UDP listener on a real socket in front of a real pipeline and outbox. */
class UdpSourceIT {

    @TempDir
    Path dir;

    private PipelineFixture fixture;
    private UdpSource source;
    private DatagramSocket sender;

    @BeforeEach
    void start() throws Exception {
        fixture = new PipelineFixture(dir, 16);
        source = new UdpSource(new UdpSourceConfig("udp-in", "127.0.0.1", 0, "counter-json", null, 1_024, null,
                null, null, null), fixture.drivers, fixture.pipeline, new SourceMetrics(fixture.registry, "udp-in"),
                Clock.systemUTC());
        source.start();
        sender = new DatagramSocket();
    }

    @AfterEach
    void stop() {
        sender.close();
        source.close();
        fixture.close();
    }

    private void send(String text) throws Exception {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        sender.send(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(), source.port()));
    }

    @Test
    void eachDatagramIsAFrameAndMalformedOrOversizedOnesAreCountedBetweenStoredGoodOnes() throws Exception {
        send(PipelineFixture.counterJson("cnt-01", 1));
        send("{\"device\":\"cnt-01\", nope");
        send("x".repeat(2_000));
        send(PipelineFixture.counterJson("cnt-02", 2));
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.stored() == 2
                && fixture.count("limes.dropped", "reason", "frame_too_long") == 1
                && fixture.count("limes.errors", "component", "driver-counter-json") == 1);
        assertThat(fixture.count("limes.frames.received", "source", "udp-in")).isEqualTo(3);
    }

    @Test
    void aFullPipelineDropsDatagramsAndCountsThemBecauseUdpCannotPushBack() throws Exception {
        fixture.stall();
        int sent = 200;
        for (int i = 0; i < sent; i++) {
            send(PipelineFixture.counterJson("cnt-01", i));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.count("limes.dropped", "reason", "backpressure")
                > 0 && fixture.count("limes.frames.received", "source", "udp-in") == sent);
        fixture.release();
        double dropped = fixture.count("limes.dropped", "reason", "backpressure");
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.stored() == sent - (long) dropped);
        assertThat(dropped).isGreaterThanOrEqualTo(sent - 16 - 1 - fixture.stallSlack());
    }
}
