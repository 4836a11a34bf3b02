package org.limes.gateway;

import java.nio.file.Path;
import java.util.Deque;
import org.limes.gateway.config.MqttConfig;
import org.limes.gateway.embedded.EmbeddedBroker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's MQTT broker: the embedded HiveMQ CE, started here, or the one {@code mqtt.broker}
 * names. Sources and MQTT centres that name no broker (or {@code embedded}) use it.
 *
 * @param uri      where it listens
 * @param embedded whether it is the embedded one (a centre may name {@code embedded} only then)
 */
record Broker(String uri, boolean embedded) {

    private static final Logger LOG = LoggerFactory.getLogger(Broker.class);

    /** Starts the embedded broker (closed through {@code closeables}), or names the external one. */
    static Broker start(MqttConfig mqtt, Path data, Deque<AutoCloseable> closeables) {
        if (!mqtt.embedded()) {
            return new Broker(mqtt.broker(), false);
        }
        EmbeddedBroker broker = EmbeddedBroker.startHeld(data.resolve("broker"), mqtt.host(), mqtt.port());
        closeables.push(broker);
        LOG.info("embedded MQTT broker (HiveMQ CE) listening on {}", broker.uri());
        return new Broker(broker.uri(), true);
    }
}
