package org.limes.simulator.transport.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.simulator.bench.BenchBroker;
import org.limes.simulator.bench.BenchLoad;
import org.limes.simulator.bench.HiveMqBroker;
import org.limes.simulator.bench.MosquittoBroker;

/**
 * The bench's load clients against real brokers (HiveMQ CE as the gateway embeds it, and
 * Mosquitto when installed): every message published is acknowledged and counted exactly once
 * by the shared-subscription counters; the window follows the broker's Receive Maximum; a
 * refused CONNECT or SUBSCRIBE is a clear error.
 */
class LoadClientsIT {

    private static final Path MOSQUITTO = Path.of("/usr/sbin/mosquitto");
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private LoadClients clients;

    @BeforeEach
    void loops() {
        clients = new LoadClients(1);
    }

    @AfterEach
    void stop() {
        clients.close();
    }

    @Test
    void hiveMqAcknowledgesAndDeliversEveryMessageExactlyOnce() throws Exception {
        try (HiveMqBroker broker = HiveMqBroker.start(dir.resolve("hivemq"), freePort())) {
            List<LoadPublisher> publishers = deliverExactly(broker, 20_000, 3, 2, 1);
            // HiveMQ as embedded grants a Receive Maximum of 100: the window follows it
            assertThat(publishers).allSatisfy(p -> assertThat(p.window()).isEqualTo(100));
        }
    }

    @Test
    void mosquittoAcknowledgesAndDeliversEveryMessageExactlyOnce() throws Exception {
        assumeThat(Files.isExecutable(MOSQUITTO)).as("mosquitto installed at " + MOSQUITTO).isTrue();
        try (MosquittoBroker broker = MosquittoBroker.start(MOSQUITTO, dir.resolve("mosquitto"), freePort())) {
            List<LoadPublisher> publishers = deliverExactly(broker, 30_000, 3, 2, 1);
            assertThat(publishers).allSatisfy(p -> assertThat(p.window()).isBetween(1, 65_535));
        }
    }

    @Test
    void qos0IsCountedWhenWrittenAndDelivered() throws Exception {
        try (HiveMqBroker broker = HiveMqBroker.start(dir.resolve("hivemq"), freePort())) {
            deliverExactly(broker, 3_000, 2, 1, 0);
        }
    }

    @Test
    void aSmallWindowIsKeptAndStillDeliversEverything() throws Exception {
        try (HiveMqBroker broker = HiveMqBroker.start(dir.resolve("hivemq"), freePort());
                LoadSubscriber sub = LoadSubscriber.subscribe(clients, broker.uri(), "it-sub", "it/#", 1, TIMEOUT);
                LoadPublisher pub = LoadPublisher.connect(clients, broker.uri(), "it-pub", 3, 256, TIMEOUT)) {
            assertThat(pub.window()).isEqualTo(3);
            for (int i = 0; i < 2_000; i++) {
                assertThat(pub.publish("it/" + (i % 5), ("m" + i).getBytes(), 1)).isTrue();
                assertThat(pub.inFlight()).isLessThanOrEqualTo(3);
            }
            assertThat(pub.awaitAllAcknowledged(TIMEOUT)).isTrue();
            assertThat(pub.acknowledged()).isEqualTo(2_000);
            await().atMost(TIMEOUT).until(() -> sub.received() >= 2_000);
            assertThat(sub.received()).isEqualTo(2_000);
        }
    }

    @Test
    void aRefusedConnectNamesTheReason() throws Exception {
        try (HiveMqBroker broker = HiveMqBroker.start(dir.resolve("hivemq"), freePort())) {
            // The embedded broker takes client identifiers of up to 256 characters
            String tooLong = "c".repeat(300);
            assertThatThrownBy(() -> LoadPublisher.connect(clients, broker.uri(), tooLong, 100, 65_536, TIMEOUT))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("broker " + broker.uri())
                    .hasMessageContaining("CONNECT")
                    .hasMessageContaining("0x85");
        }
    }

    @Test
    void aRefusedSubscriptionNamesTheFilterAndReason() throws Exception {
        try (HiveMqBroker broker = HiveMqBroker.start(dir.resolve("hivemq"), freePort())) {
            assertThatThrownBy(() -> LoadSubscriber.subscribe(clients, broker.uri(), "it-bad", "a/#/b", 1, TIMEOUT))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("a/#/b")
                    .hasMessageContaining("0x8F");
        }
    }

    @Test
    void anUnreachableBrokerIsAClearError() throws Exception {
        int port = freePort();
        assertThatThrownBy(() -> LoadPublisher.connect(clients, "tcp://127.0.0.1:" + port, "p", 10, 65_536, TIMEOUT))
                .isInstanceOf(IOException.class).hasMessageContaining("cannot connect to broker tcp://127.0.0.1:" + port);
        assertThatThrownBy(() -> LoadPublisher.connect(clients, "mqtt://x", "p", 10, 65_536, TIMEOUT))
                .isInstanceOf(IOException.class).hasMessageContaining("tcp://host:port");
    }

    /** Publishes {@code n} bench messages over {@code pubs} connections to {@code subs} shared counters. */
    private List<LoadPublisher> deliverExactly(BenchBroker broker, int n, int pubs, int subs, int qos)
            throws Exception {
        BenchLoad load = new BenchLoad(n, 500, 1, Instant.parse("2026-12-05T06:00:00Z"));
        List<LoadSubscriber> counters = new ArrayList<>();
        List<LoadPublisher> publishers = new ArrayList<>();
        try {
            for (int i = 0; i < subs; i++) {
                counters.add(LoadSubscriber.subscribe(clients, broker.uri(), "it-counter-" + i,
                        "$share/it/" + BenchLoad.TOPIC_FILTER, qos, TIMEOUT));
            }
            for (int i = 0; i < pubs; i++) {
                publishers.add(LoadPublisher.connect(clients, broker.uri(), "it-load-" + i, 65_535,
                        LoadPublisher.DEFAULT_BATCH_BYTES, TIMEOUT));
            }
            PublishPacket[] packets = load.packets(qos);
            List<Thread> threads = new ArrayList<>();
            for (int k = 0; k < pubs; k++) {
                LoadPublisher p = publishers.get(k);
                int first = k;
                Thread t = new Thread(() -> {
                    try {
                        for (int i = first; i < packets.length; i += pubs) {
                            p.publish(packets[i]);
                        }
                        p.flush();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                t.start();
                threads.add(t);
            }
            for (Thread t : threads) {
                t.join(60_000);
            }
            long acknowledged = 0;
            for (LoadPublisher p : publishers) {
                assertThat(p.awaitAllAcknowledged(Duration.ofSeconds(30))).isTrue();
                assertThat(p.failed()).isZero();
                assertThat(p.unexpectedAcks()).isZero();
                acknowledged += p.acknowledged();
            }
            assertThat(acknowledged).isEqualTo(n);
            await().atMost(Duration.ofSeconds(30)).until(() -> sum(counters) >= n);
            // Nothing more arrives: counted exactly once, none duplicated
            for (LoadPublisher p : publishers) {
                p.close();
            }
            assertThat(sum(counters)).isEqualTo(n);
            assertThat(counters).allSatisfy(c -> {
                assertThat(c.duplicates()).isZero();
                assertThat(c.failure()).isNull();
            });
            return publishers;
        } finally {
            for (LoadPublisher p : publishers) {
                p.close();
            }
            for (LoadSubscriber c : counters) {
                c.close();
            }
        }
    }

    private static long sum(List<LoadSubscriber> counters) {
        long s = 0;
        for (LoadSubscriber c : counters) {
            s += c.received();
        }
        return s;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
