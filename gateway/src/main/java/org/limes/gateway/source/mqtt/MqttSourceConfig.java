package org.limes.gateway.source.mqtt;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.limes.gateway.config.CheckContext;
import org.limes.gateway.config.Require;
import org.limes.gateway.source.SourceConfig;
import org.limes.gateway.tls.TlsConfig;

/**
 * A {@code type: mqtt} source: a persistent MQTT 5 session subscribed to topic filters,
 * each mapped to a driver.
 *
 * @param name                 source name, used in metrics and logs
 * @param broker               {@code embedded} or a URI {@code tcp://host:1883}, {@code ssl://…};
 *                             default: {@code mqtt.broker}
 * @param clientId             stable client id, so the broker keeps the session (default
 *                             {@code limes-GATEWAY-source-NAME} inside a gateway's configuration, see
 *                             {@link #inGateway}; {@code limes-NAME} standalone)
 * @param topics               filter → driver routes
 * @param maxInflight          receive maximum announced to the broker: messages delivered and not yet
 *                             acknowledged (default 1000)
 * @param sessionExpirySeconds how long the broker keeps the session while disconnected (default 86400)
 * @param tls                  CA, client certificate and key, for an {@code ssl://} broker
 * @param username             MQTT user name of the gateway
 * @param passwordFile         file holding the password (with {@code username})
 * @param passwordEnv          environment variable holding the password (with {@code username})
 * @param identityFrom         where the broker-authenticated device id of a message is:
 *                             {@code topic_level:<n>} (0-based level of the topic, which the broker's
 *                             ACL ties to the publishing client's user name) or {@code username}
 *                             (the MQTT 5 user property {@code username}, which the broker must set
 *                             from the authenticated session, overwriting any the device sent);
 *                             absent: messages carry no authenticated identity
 * @param ingest               with the embedded broker only: {@code in_broker} (default) takes each publish
 *                             inside the broker ({@link BrokerIngestSource}), {@code client} subscribes
 *                             through a loopback MQTT client ({@link MqttSource}) as before; external
 *                             brokers always use the client
 * @param routeToSubscribers   in-broker ingest only: also route the devices' publishes to the broker's
 *                             subscribers, once stored (default true, as a subscribing source leaves
 *                             them; false: they only reach the pipeline)
 */
public record MqttSourceConfig(String name, String broker, String clientId, List<TopicRoute> topics,
        Integer maxInflight, Integer sessionExpirySeconds, TlsConfig tls, String username, String passwordFile,
        String passwordEnv, String identityFrom, String ingest, Boolean routeToSubscribers)
        implements SourceConfig {

    /** {@link #ingest}: inside the embedded broker. */
    public static final String INGEST_IN_BROKER = "in_broker";
    /** {@link #ingest}: through an MQTT client subscription. */
    public static final String INGEST_CLIENT = "client";

    /** The user property that {@code identity_from: username} reads. */
    public static final String USERNAME_PROPERTY = "username";

    public MqttSourceConfig {
        if (tls != null) {
            tls.checkClient();
        }
        if (username != null) {
            Require.nonBlank("username", username);
        }
        if (passwordFile != null && passwordEnv != null) {
            throw new IllegalArgumentException("password_file and password_env are exclusive: give one");
        }
        if (username == null && (passwordFile != null || passwordEnv != null)) {
            throw new IllegalArgumentException("username is required with password_file or password_env");
        }
        if (identityFrom != null) {
            identityLevel(identityFrom);
        }
        if (ingest == null) {
            ingest = INGEST_IN_BROKER;
        } else if (!INGEST_IN_BROKER.equals(ingest) && !INGEST_CLIENT.equals(ingest)) {
            throw new IllegalArgumentException("ingest must be '" + INGEST_IN_BROKER + "' or '" + INGEST_CLIENT
                    + "', got '" + ingest + "'");
        }
        routeToSubscribers = routeToSubscribers == null || routeToSubscribers;
        Require.identifier("name", name);
        if (clientId != null) {
            Require.identifier("client_id", clientId);
        }
        Require.present("topics", topics);
        if (topics.isEmpty()) {
            throw new IllegalArgumentException("topics must list at least one filter");
        }
        topics = List.copyOf(topics);
        maxInflight = (int) Require.range("max_inflight", maxInflight, 1000, 1, 65535);
        sessionExpirySeconds = (int) Require.range("session_expiry_seconds", sessionExpirySeconds, 86400, 1,
                4_294_967L);
    }

    /** The client id: as configured, else as {@link #inGateway} made it, else {@code limes-NAME}. */
    @Override
    public String clientId() {
        return clientId != null ? clientId : "limes-" + name;
    }

    /**
     * This source as part of gateway {@code gateway}: a defaulted client id becomes
     * {@code limes-GATEWAY-source-NAME}, so two crossings whose sources share a name never take
     * over each other's session on one broker. A client id the configuration gives is kept.
     */
    public MqttSourceConfig inGateway(String gateway) {
        if (clientId != null) {
            return this;
        }
        return new MqttSourceConfig(name, broker, "limes-" + gateway + "-source-" + name, topics, maxInflight,
                sessionExpirySeconds, tls, username, passwordFile, passwordEnv, identityFrom, ingest,
                routeToSubscribers);
    }

    /** Whether this source takes its publishes inside the broker when that broker is the embedded one. */
    public boolean inBroker() {
        return INGEST_IN_BROKER.equals(ingest);
    }

    /**
     * The topic level {@code identity_from} names, -1 for {@code username}.
     *
     * @throws IllegalArgumentException when it is neither
     */
    static int identityLevel(String identityFrom) {
        if (USERNAME_PROPERTY.equals(identityFrom)) {
            return -1;
        }
        if (identityFrom.matches("topic_level:\\d{1,3}")) {
            return Integer.parseInt(identityFrom.substring("topic_level:".length()));
        }
        throw new IllegalArgumentException("identity_from must be 'username' or 'topic_level:<n>', got '"
                + identityFrom + "'");
    }

    /**
     * Every topic's driver exists and takes its options; {@code tls} only with a TLS broker
     * (its own, else {@code mqtt.broker}).
     */
    @Override
    public void check(CheckContext ctx) {
        checkDrivers(ctx);
        ctx.mqtt().checkTlsBroker(ctx, broker, tls, "source");
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
