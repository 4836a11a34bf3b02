package org.limes.gateway.config;

import java.util.regex.Pattern;
import org.limes.gateway.tls.TlsConfig;

/**
 * {@code mqtt:} — the broker devices publish to and, by default, centres are reached on.
 *
 * @param broker {@code embedded} (default: start HiveMQ CE in-process) or a URI such as
 *               {@code tcp://broker:1883} / {@code ssl://broker:8883}
 * @param host   embedded: bind address (default 127.0.0.1)
 * @param port   embedded: port (default 1883; 0 = any free port)
 *
 * <p>The one place that knows what a broker may be written as ({@link #brokerProblem}) and
 * which schemes are TLS ({@link #tlsScheme}); sources and centres that name their own broker
 * are checked against it ({@link #checkTlsBroker}).
 */
public record MqttConfig(String broker, String host, Integer port) {

    public static final String EMBEDDED = "embedded";

    private static final Pattern BROKER_URI = Pattern.compile("(tcp|ssl|ws|wss)://[^\\s/]+(:\\d+)?/?");

    public MqttConfig {
        broker = broker == null ? EMBEDDED : Require.nonBlank("broker", broker);
        String problem = brokerProblem(broker);
        if (problem != null) {
            throw new IllegalArgumentException("broker " + problem);
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

    /**
     * What is wrong with a broker as written in a configuration, to follow its key
     * ({@code must be 'embedded' or a URI like tcp://host:1883, got 'x'}), or null when it is
     * {@code embedded} or a {@code tcp}, {@code ssl}, {@code ws} or {@code wss} URI.
     */
    public static String brokerProblem(String broker) {
        if (EMBEDDED.equals(broker) || BROKER_URI.matcher(broker).matches()) {
            return null;
        }
        return "must be 'embedded' or a URI like tcp://host:1883, got '" + broker + "'";
    }

    /** True for a broker reached over TLS: {@code ssl://} or {@code wss://}. */
    public static boolean tlsScheme(String brokerUri) {
        return brokerUri.startsWith("ssl://") || brokerUri.startsWith("wss://");
    }

    /** The broker a client connects to: its own when it names one, else this section's. */
    public String brokerFor(String own) {
        return own == null ? broker : own;
    }

    /**
     * Checks a client's {@code tls:} against the broker it connects to (its own, else this
     * section's): TLS settings with a plain broker would be silently unused.
     *
     * @param ctx    at the client's record; the error names its {@code tls}
     * @param own    the client's own broker, or null
     * @param tls    the client's TLS settings, or null (then nothing to check)
     * @param client what the client is, in the message: {@code source} or {@code centre}
     * @throws ConfigException e.g. {@code sources[0].tls needs an ssl:// or wss:// broker, and the source's
     *                         broker is 'tcp://b:1883'}
     */
    public void checkTlsBroker(CheckContext ctx, String own, TlsConfig tls, String client) {
        String uri = brokerFor(own);
        if (tls != null && !tlsScheme(uri)) {
            throw ctx.fail("tls", "needs an ssl:// or wss:// broker, and the " + client + "'s broker is '" + uri + "'");
        }
    }
}
