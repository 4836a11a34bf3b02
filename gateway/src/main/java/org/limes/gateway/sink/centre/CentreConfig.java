package org.limes.gateway.sink.centre;

import java.util.Set;
import org.limes.gateway.config.Require;
import org.limes.gateway.pipeline.Routing;

/**
 * One entry of {@code centres:} — a border-security centre that receives every alert,
 * fed from its own outbox.
 *
 * @param name     centre name, e.g. tripoli; names its outbox and metrics
 * @param type     {@code mqtt} (the only kind so far)
 * @param broker   {@code embedded} or a URI; default: {@code mqtt.broker}
 * @param topic    topic alerts are published to (default {@code limes/alerts/NAME})
 * @param format   {@code json}
 * @param clientId stable client id (default limes-centre-NAME)
 * @param routing  what this centre receives (default: every alert)
 */
public record CentreConfig(String name, String type, String broker, String topic, String format, String clientId,
        Routing routing) {

    public CentreConfig {
        Require.identifier("name", name);
        type = Require.oneOf("type", type, "mqtt", Set.of("mqtt"));
        topic = topic == null ? "limes/alerts/" + name : Require.nonBlank("topic", topic);
        if (topic.contains("+") || topic.contains("#")) {
            throw new IllegalArgumentException("topic must not contain wildcards, got '" + topic + "'");
        }
        format = Require.oneOf("format", format, "json", Set.of("json"));
        clientId = clientId == null ? "limes-centre-" + name : Require.identifier("client_id", clientId);
        routing = routing == null ? Routing.ALL : routing;
    }
}
