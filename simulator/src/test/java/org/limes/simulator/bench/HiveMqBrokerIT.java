package org.limes.simulator.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.simulator.transport.mqtt.MqttPublisher;
import org.limes.simulator.transport.mqtt.QuietMqttCallback;

/**
 * The bench's HiveMQ lets a subscriber that acknowledges in batches (as the gateway does after
 * each group commit) hold more than HiveMQ's default window of 50 unacknowledged messages.
 */
class HiveMqBrokerIT {

    @TempDir
    Path dir;

    @Test
    void aBatchAcknowledgingSubscriberHoldsMoreThanFiftyMessages() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ScheduledExecutorService acker = Executors.newSingleThreadScheduledExecutor();
        try (HiveMqBroker broker = HiveMqBroker.start(dir, port)) {
            MqttAsyncClient holder = new MqttAsyncClient(broker.uri(), "it-holder", new MemoryPersistence());
            Counting counting = new Counting(new AtomicInteger(), new ConcurrentLinkedQueue<>(), new AtomicInteger());
            holder.setManualAcks(true);
            holder.setCallback(counting);
            MqttConnectionOptions options = new MqttConnectionOptions();
            options.setReceiveMaximum(1000);
            holder.connect(options).waitForCompletion(10_000);
            holder.subscribe(new MqttSubscription("it/#", 1)).waitForCompletion(10_000);
            acker.scheduleAtFixedRate(() -> counting.ackAll(holder), 100, 100, TimeUnit.MILLISECONDS);
            try (MqttPublisher publisher = MqttPublisher.connect(broker.uri(), "it-pub", Duration.ofSeconds(10))) {
                for (int i = 0; i < 3000; i++) {
                    publisher.publish("it/" + (i % 8), ("m" + i).getBytes(StandardCharsets.UTF_8), 1);
                }
                assertThat(publisher.awaitAllAcknowledged(Duration.ofSeconds(20))).isTrue();
            }

            await().atMost(Duration.ofSeconds(20)).until(() -> counting.arrived().get() == 3000);
            assertThat(counting.maxHeld().get()).isGreaterThan(50).isLessThanOrEqualTo(1000);
            holder.disconnect().waitForCompletion(5_000);
            holder.close(true);
        } finally {
            acker.shutdownNow();
        }
    }

    @Test
    void aPublishStaysInFlightUntilItsCallbacksHaveRun() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (HiveMqBroker broker = HiveMqBroker.start(dir, port);
                MqttPublisher publisher = MqttPublisher.connect(broker.uri(), "it-order", Duration.ofSeconds(10))) {
            // A callback attached after the PUBACK has already come runs at once on this thread:
            // then there is nothing in flight to observe, so that attempt is let go and another made.
            Thread test = Thread.currentThread();
            boolean observed = false;
            for (int attempt = 0; attempt < 50 && !observed; attempt++) {
                java.util.concurrent.CountDownLatch inCallback = new java.util.concurrent.CountDownLatch(1);
                java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
                AtomicInteger counted = new AtomicInteger();
                java.util.concurrent.atomic.AtomicBoolean inline = new java.util.concurrent.atomic.AtomicBoolean();
                publisher.publish("it/order", "m".getBytes(StandardCharsets.UTF_8), 1).whenComplete((ok, error) -> {
                    if (Thread.currentThread() == test) {
                        inline.set(true);
                        return;
                    }
                    inCallback.countDown();
                    try {
                        release.await(20, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    counted.incrementAndGet();
                });
                if (inline.get()) {
                    assertThat(publisher.awaitAllAcknowledged(Duration.ofSeconds(20))).isTrue();
                    continue;
                }
                assertThat(inCallback.await(20, TimeUnit.SECONDS)).isTrue();
                // The acknowledgement arrived, but its callback has not finished: still in flight.
                assertThat(publisher.awaitAllAcknowledged(Duration.ofMillis(300))).isFalse();
                release.countDown();
                assertThat(publisher.awaitAllAcknowledged(Duration.ofSeconds(20))).isTrue();
                assertThat(counted.get()).as("the callback's effect is visible once idle").isEqualTo(1);
                observed = true;
            }
            assertThat(observed).as("a publish still pending when its callback was attached").isTrue();
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
