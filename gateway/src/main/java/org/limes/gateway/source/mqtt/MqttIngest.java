package org.limes.gateway.source.mqtt;

/**
 * An MQTT source as the gateway's health sees it: through a client subscription
 * ({@link MqttSource}) or inside the embedded broker ({@link BrokerIngestSource}).
 * {@link #ready} may be called from any thread.
 */
public interface MqttIngest {

    /** True once the source takes messages: connected and subscribed, or attached to the broker. */
    boolean ready();
}
