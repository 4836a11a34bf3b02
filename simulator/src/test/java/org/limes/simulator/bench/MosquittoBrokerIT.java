package org.limes.simulator.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.simulator.transport.mqtt.LoadClients;
import org.limes.simulator.transport.mqtt.LoadPublisher;
import org.limes.simulator.transport.mqtt.LoadSubscriber;

/** The bench's Mosquitto: starts on a free port, delivers a QoS 1 burst whole, and is gone after close. */
class MosquittoBrokerIT {

    private static final Path MOSQUITTO = Path.of("/usr/sbin/mosquitto");

    @TempDir
    Path dir;

    @Test
    void deliversABurstLargerThanMosquittosDefaultQueueAndStopsOnClose() throws Exception {
        assumeThat(Files.isExecutable(MOSQUITTO)).as("mosquitto installed at " + MOSQUITTO).isTrue();
        int port = freePort();
        BenchLoad load = new BenchLoad(5_000, 50, 1, Instant.parse("2026-11-26T06:00:00Z"));

        try (MosquittoBroker broker = MosquittoBroker.start(MOSQUITTO, dir, port)) {
            assertThat(broker.description()).startsWith("mosquitto ");
            try (LoadClients clients = new LoadClients(1);
                    LoadSubscriber counter = LoadSubscriber.subscribe(clients, broker.uri(), "limes-bench-counter",
                            BenchLoad.TOPIC_FILTER, 1, Duration.ofSeconds(10));
                    LoadPublisher publisher = LoadPublisher.connect(clients, broker.uri(), "it-pub", 65_535,
                            LoadPublisher.DEFAULT_BATCH_BYTES, Duration.ofSeconds(10))) {
                for (var packet : load.packets(1)) {
                    publisher.publish(packet);
                }
                publisher.flush();
                await().atMost(Duration.ofSeconds(20)).until(() -> counter.received() >= load.size());
                assertThat(publisher.awaitAllAcknowledged(Duration.ofSeconds(10))).isTrue();
                assertThat(publisher.acknowledged()).isEqualTo(load.size());
                assertThat(counter.received()).isEqualTo(load.size());
            }
        }
        assertThat(ChildProcesses.listening(port)).as("port %d still open after close", port).isFalse();
    }

    @Test
    void aBrokerThatCannotStartIsReportedWithItsLog() throws Exception {
        assumeThat(Files.isExecutable(MOSQUITTO)).as("mosquitto installed at " + MOSQUITTO).isTrue();
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            org.assertj.core.api.Assertions.assertThatThrownBy(
                    () -> MosquittoBroker.start(MOSQUITTO, dir, taken.getLocalPort()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("mosquitto did not start on 127.0.0.1:" + taken.getLocalPort());
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
