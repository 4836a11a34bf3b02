package org.limes.gateway.sink.centre;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.limes.gateway.embedded.EmbeddedBroker;
import org.limes.gateway.outbox.DestinationQueue;
import org.limes.gateway.sink.SinkMetrics;

/**
 * The MQTT centre sink against the sink contract, with the embedded HiveMQ as the centre's
 * broker: it refuses by being stopped and accepts by being started again on the same port. A
 * subscriber on the centre's topic records each alert the broker passed on.
 */
class CentreSinkContractIT extends CentreContractTest {

    private static final String TOPIC = "limes/alerts/tripoli";

    private EmbeddedBroker broker;
    private int port;
    private MqttClient subscriber;

    @BeforeEach
    void startBroker() throws MqttException {
        broker = EmbeddedBroker.start(dir.resolve("broker"), "127.0.0.1", 0);
        port = broker.port();
        subscribe();
    }

    @AfterEach
    void stopBroker() throws MqttException {
        unsubscribe();
        if (broker != null) {
            broker.close();
        }
    }

    private void subscribe() throws MqttException {
        subscriber = new MqttClient("tcp://127.0.0.1:" + port, "contract-centre", new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        subscriber.connect(o);
        subscriber.subscribe(new MqttSubscription[] {new MqttSubscription(TOPIC, 1)},
                new org.eclipse.paho.mqttv5.client.IMqttMessageListener[] {(topic, message) ->
                        took(new String(message.getPayload(), StandardCharsets.UTF_8))});
    }

    private void unsubscribe() throws MqttException {
        if (subscriber != null) {
            if (subscriber.isConnected()) {
                subscriber.disconnect();
            }
            subscriber.close();
            subscriber = null;
        }
    }

    @Override
    protected String destination() {
        return "tripoli";
    }

    @Override
    protected AutoCloseable startSink(DestinationQueue queue, SinkMetrics metrics, Clock clock) {
        MqttCentreConfig config = new MqttCentreConfig("tripoli", "mqtt", null, null, TOPIC, 1, null, null, null,
                null, null, null, null, null, null);
        CentreSink sink = new CentreSink(config, "tcp://127.0.0.1:" + port, "ras-ajdir-gw", queue, metrics, clock);
        sink.start();
        return sink;
    }





    @Override
    protected void refuse() throws MqttException {
        unsubscribe();
        broker.close();
        broker = null;
    }

    @Override
    protected void accept() throws MqttException {
        broker = EmbeddedBroker.start(dir.resolve("broker"), "127.0.0.1", port);
        subscribe();
    }
}
