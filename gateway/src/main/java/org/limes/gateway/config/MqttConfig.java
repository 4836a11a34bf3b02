package org.limes.gateway.config;

/**
 * {@code mqtt:} — the broker devices publish to and, by default, centres are reached on.
 *
 * @param broker {@code embedded} (default: start HiveMQ CE in-process) or a URI such as
 *               {@code tcp://broker:1883} / {@code ssl://broker:8883}
 * @param host   embedded: bind address (default 127.0.0.1)
 * @param port   embedded: port (default 1883; 0 = any free port)
 */
public record MqttConfig(String broker, String host, Integer port) {

    public static final String EMBEDDED = "embedded";

    public MqttConfig {
        broker = broker == null ? EMBEDDED : Require.nonBlank("broker", broker);
        if (!EMBEDDED.equals(broker) && !broker.matches("(tcp|ssl|ws|wss)://[^\\s/]+(:\\d+)?/?")) {
            throw new IllegalArgumentException("broker must be 'embedded' or a URI like tcp://host:1883, got '"
                    + broker + "'");
        }
        host = host == null ? "127.0.0.1" : host;
        port = Require.port("port", port, 1883, true);
    }

    public static MqttConfig defaults() {
        return new MqttConfig(null, null, null);
    }

    public boolean embedded() {
        return EMBEDDED.equals(broker);
    }
}
