package org.limes.simulator.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.simulator.transport.mqtt.MqttPublisher;

/** The bench's HiveMQ: a subscriber that holds its acknowledgements gets its whole receive maximum, not 50. */
class HiveMqBrokerIT {

    @TempDir
    Path dir;

    @Test
    void sendsUpToTheSubscribersReceiveMaximumUnacknowledged() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (HiveMqBroker broker = HiveMqBroker.start(dir, port)) {
            MqttAsyncClient holder = new MqttAsyncClient(broker.uri(), "it-holder", new MemoryPersistence());
            AtomicInteger arrived = new AtomicInteger();
            holder.setManualAcks(true);
            holder.setCallback(new Counting(arrived));
            MqttConnectionOptions options = new MqttConnectionOptions();
            options.setReceiveMaximum(400);
            holder.connect(options).waitForCompletion(10_000);
            holder.subscribe(new MqttSubscription("it/#", 1)).waitForCompletion(10_000);
            try (MqttPublisher publisher = MqttPublisher.connect(broker.uri(), "it-pub", Duration.ofSeconds(10))) {
                for (int i = 0; i < 600; i++) {
                    publisher.publish("it/" + (i % 8), ("m" + i).getBytes(StandardCharsets.UTF_8), 1);
                }
                assertThat(publisher.awaitAllAcknowledged(Duration.ofSeconds(10))).isTrue();
            }

            await().atMost(Duration.ofSeconds(10)).until(() -> arrived.get() >= 400);
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                    .until(() -> arrived.get() == 400);
            holder.disconnect().waitForCompletion(5_000);
            holder.close(true);
        }
    }

    private record Counting(AtomicInteger arrived) implements MqttCallback {
        @Override
        public void messageArrived(String topic, MqttMessage message) {
            arrived.incrementAndGet();
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
        }

        @Override
        public void connectComplete(boolean reconnect, String serverUri) {
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
        }
    }
}
