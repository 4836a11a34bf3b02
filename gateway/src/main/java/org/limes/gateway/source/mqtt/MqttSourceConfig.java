package org.limes.gateway.source.mqtt;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.limes.gateway.config.Require;
import org.limes.gateway.source.SourceConfig;

/**
 * A {@code type: mqtt} source: a persistent MQTT 5 session subscribed to topic filters,
 * each mapped to a driver.
 *
 * @param name                 source name, used in metrics and logs
 * @param broker               {@code embedded} or a URI {@code tcp://host:1883}, {@code ssl://…};
 *                             default: {@code mqtt.broker}
 * @param clientId             stable client id, so the broker keeps the session (default limes-NAME)
 * @param topics               filter → driver routes
 * @param maxInflight          receive maximum announced to the broker: messages delivered and not yet
 *                             acknowledged (default 1000)
 * @param sessionExpirySeconds how long the broker keeps the session while disconnected (default 86400)
 */
public record MqttSourceConfig(String name, String broker, String clientId, List<TopicRoute> topics,
        Integer maxInflight, Integer sessionExpirySeconds) implements SourceConfig {

    public MqttSourceConfig {
        Require.identifier("name", name);
        clientId = clientId == null ? "limes-" + name : Require.identifier("client_id", clientId);
        Require.present("topics", topics);
        if (topics.isEmpty()) {
            throw new IllegalArgumentException("topics must list at least one filter");
        }
        topics = List.copyOf(topics);
        maxInflight = (int) Require.range("max_inflight", maxInflight, 1000, 1, 65535);
        sessionExpirySeconds = (int) Require.range("session_expiry_seconds", sessionExpirySeconds, 86400, 1,
                4_294_967L);
    }

    @Override
    public List<DriverUse> driverUses() {
        List<DriverUse> uses = new ArrayList<>();
        for (int t = 0; t < topics.size(); t++) {
            uses.add(new DriverUse("topics[" + t + "]", topics.get(t).driver(), topics.get(t).options()));
        }
        return uses;
    }

    /**
     * One subscription.
     *
     * @param filter  MQTT topic filter, e.g. {@code crossing/+/counter/+}
     * @param driver  driver name, e.g. {@code counter-json}
     * @param options driver options, optional
     */
    public record TopicRoute(String filter, String driver, Map<String, String> options) {
        public TopicRoute {
            Require.nonBlank("filter", filter);
            Require.nonBlank("driver", driver);
            options = options == null ? Map.of() : Map.copyOf(options);
        }
    }
}
