package org.limes.gateway.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.gateway.testing.MqttTestSubscriber;
import org.limes.simulator.transport.mqtt.MqttPublisher;
import org.limes.simulator.transport.mqtt.QuietMqttCallback;

class EmbeddedBrokerIT {

    private static final String HOST = "127.0.0.1";

    @TempDir
    Path dataDir;

    @Test
    void deliversQos1PublishToSubscriberAndFreesPortOnClose() throws Exception {
        int port;
        try (EmbeddedBroker broker = EmbeddedBroker.start(dataDir, HOST, 0)) {
            port = broker.port();
            assertThat(port).isPositive();
            assertThat(broker.uri()).isEqualTo("tcp://" + HOST + ":" + port);
            assertThat(dataDir.resolve("conf/config.xml")).exists();
            assertThat(Files.readString(dataDir.resolve("conf/config.xml")))
                    .contains("<port>" + port + "</port>")
                    .contains("<anonymous-usage-statistics>");
            assertThat(dataDir.resolve("data")).isDirectory();
            assertThat(dataDir.resolve("extensions")).isDirectory();

            List<String> received = new CopyOnWriteArrayList<>();
            MqttClient publisher = new MqttClient(broker.uri(), "limes-it-pub", new MemoryPersistence());
            try (MqttTestSubscriber subscriber = MqttTestSubscriber.start(broker.uri(), "limes-it-sub", cleanStart(),
                    List.of("limes/it/+"),
                    (topic, m) -> received.add(topic + "=" + new String(m.getPayload(), StandardCharsets.UTF_8)))) {
                publisher.connect(cleanStart());
                MqttMessage message = new MqttMessage("hello from lane 3".getBytes(StandardCharsets.UTF_8));
                message.setQos(1);
                publisher.publish("limes/it/lane3", message);

                await().atMost(Duration.ofSeconds(10))
                        .untilAsserted(() -> assertThat(received).containsExactly("limes/it/lane3=hello from lane 3"));
            } finally {
                disconnect(publisher);
            }
        }
        assertThat(portIsFree(port)).as("port %d free after close", port).isTrue();
        // Xodus keeps JVM-wide daemon pools ("Exodus shared ...") for reuse; HiveMQ's own threads must be gone.
        assertThat(Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .filter(t -> !t.isDaemon() || t.getName().toLowerCase(Locale.ROOT).contains("hivemq"))
                .map(Thread::getName))
                .as("HiveMQ or non-daemon threads left after close")
                .containsOnly("main");
    }

    @Test
    void retriesOnAnotherPortWhenTheChosenOneIsTaken() throws Exception {
        try (ServerSocket squatter = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            int taken = squatter.getLocalPort();
            int free = freePort();
            AtomicInteger calls = new AtomicInteger();
            try (EmbeddedBroker broker = EmbeddedBroker.start(dataDir, HOST, 0,
                    () -> calls.getAndIncrement() == 0 ? taken : free)) {
                assertThat(broker.port()).isEqualTo(free);
                assertThat(calls).hasValue(2);
            }
        }
    }

    @Test
    void aBatchAcknowledgingSubscriberHoldsMoreThanHiveMqsDefaultFiftyMessages() throws Exception {
        ScheduledExecutorService acker = Executors.newSingleThreadScheduledExecutor();
        try (EmbeddedBroker broker = EmbeddedBroker.start(dataDir, HOST, 0)) {
            Counting counting = new Counting(new AtomicInteger(), new ConcurrentLinkedQueue<>(), new AtomicInteger());
            MqttAsyncClient holder = new MqttAsyncClient(broker.uri(), "limes-it-holder", new MemoryPersistence());
            try {
                holder.setManualAcks(true);
                holder.setCallback(counting);
                MqttConnectionOptions options = cleanStart();
                options.setReceiveMaximum(1000);
                holder.connect(options).waitForCompletion(10_000);
                holder.subscribe("limes/it/#", 1).waitForCompletion(10_000);
                // Acknowledging every 100 ms, as the MQTT source does after each group commit.
                acker.scheduleAtFixedRate(() -> counting.ackAll(holder), 100, 100, TimeUnit.MILLISECONDS);
                try (MqttPublisher publisher = MqttPublisher.connect(broker.uri(), "limes-it-pub",
                        Duration.ofSeconds(10))) {
                    for (int i = 0; i < 3000; i++) {
                        publisher.publish("limes/it/" + (i % 8), ("m" + i).getBytes(StandardCharsets.UTF_8), 1);
                    }
                    assertThat(publisher.awaitAllAcknowledged(Duration.ofSeconds(20))).isTrue();
                }

                await().atMost(Duration.ofSeconds(20)).until(() -> counting.arrived().get() == 3000);
                assertThat(counting.maxHeld().get()).isGreaterThan(50).isLessThanOrEqualTo(1000);
            } finally {
                acker.shutdownNow();
                if (holder.isConnected()) {
                    holder.disconnect().waitForCompletion(5_000);
                }
                holder.close(true);
            }
        }
    }

    /**
     * #15: a fresh data folder is written with {@link PersistenceBuckets#FRESH} buckets per store,
     * not HiveMQ's 64 (each a RocksDB database or Xodus environment with memory of its own), and
     * the file persistence still keeps what it is for: a persistent session's queued message
     * survives the broker's restart, found again in the bucket it was written to.
     */
    @Test
    void aFreshDataFolderGetsFewBucketsAndAPersistentSessionsQueueSurvivesARestart() throws Exception {
        MqttConnectionOptions persistent = new MqttConnectionOptions();
        persistent.setCleanStart(false);
        persistent.setSessionExpiryInterval(3600L);
        persistent.setAutomaticReconnect(false);
        try (EmbeddedBroker broker = EmbeddedBroker.start(dataDir, HOST, 0)) {
            MqttTestSubscriber.start(broker.uri(), "limes-it-centre", persistent, List.of("limes/it/#"),
                    (topic, m) -> { }).close();
            MqttClient publisher = new MqttClient(broker.uri(), "limes-it-pub", new MemoryPersistence());
            try {
                publisher.connect(cleanStart());
                MqttMessage message = new MqttMessage("queued while away".getBytes(StandardCharsets.UTF_8));
                message.setQos(1);
                publisher.publish("limes/it/lane3", message);
            } finally {
                disconnect(publisher);
            }
        }
        Path queues = dataDir.resolve("data/persistence/client_queue");
        try (var versions = Files.list(queues)) {
            Path version = versions.findFirst().orElseThrow();
            assertThat(version.resolve("client_queue_" + (PersistenceBuckets.FRESH - 1))).isDirectory();
            assertThat(version.resolve("client_queue_" + PersistenceBuckets.FRESH)).doesNotExist();
        }
        assertThat(PersistenceBuckets.of(dataDir.resolve("data")))
                .isEqualTo(new PersistenceBuckets(PersistenceBuckets.FRESH, PersistenceBuckets.FRESH));

        try (EmbeddedBroker broker = EmbeddedBroker.start(dataDir, HOST, 0)) {
            List<String> received = new CopyOnWriteArrayList<>();
            MqttClient centre = new MqttClient(broker.uri(), "limes-it-centre", new MemoryPersistence());
            try {
                centre.setCallback(new Recording(received));
                centre.connect(persistent);
                await().atMost(Duration.ofSeconds(10))
                        .untilAsserted(() -> assertThat(received).containsExactly("limes/it/lane3=queued while away"));
            } finally {
                disconnect(centre);
            }
        }
    }

    private static MqttConnectionOptions cleanStart() {
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(true);
        options.setAutomaticReconnect(false);
        return options;
    }

    private static void disconnect(MqttClient client) throws MqttException {
        if (client.isConnected()) {
            client.disconnect();
        }
        client.close();
    }

    private static boolean portIsFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName(HOST))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        }
    }

    /** Records each arrival as {@code topic=payload}. */
    private record Recording(List<String> received) implements QuietMqttCallback {
        @Override
        public void messageArrived(String topic, MqttMessage message) {
            received.add(topic + "=" + new String(message.getPayload(), StandardCharsets.UTF_8));
        }
    }

    /** Counts arrivals and the most messages held unacknowledged at once. */
    private record Counting(AtomicInteger arrived, ConcurrentLinkedQueue<Integer> held, AtomicInteger maxHeld)
            implements QuietMqttCallback {
        @Override
        public void messageArrived(String topic, MqttMessage message) {
            arrived.incrementAndGet();
            held.add(message.getId());
            maxHeld.accumulateAndGet(held.size(), Math::max);
        }

        void ackAll(MqttAsyncClient client) {
            Integer id;
            while ((id = held.poll()) != null) {
                try {
                    client.messageArrivedComplete(id, 1);
                } catch (MqttException e) {
                    return;
                }
            }
        }
    }
}
