package org.limes.gateway.sink.centre;

import org.limes.gateway.config.CheckContext;
import org.limes.gateway.config.MqttConfig;
import org.limes.gateway.config.Require;
import org.limes.gateway.pipeline.Routing;
import org.limes.gateway.privacy.PseudonymiseConfig;
import org.limes.gateway.sink.centre.format.CapFormatConfig;
import org.limes.gateway.sink.centre.format.CotFormatConfig;
import org.limes.gateway.tls.TlsConfig;

/**
 * A {@code type: mqtt} centre: alerts published to a topic on the centre's broker.
 *
 * @param name         centre name, e.g. tripoli
 * @param type         {@code mqtt} (the default type)
 * @param format       {@code json} (default), {@code cap} or {@code cot}
 * @param broker       {@code embedded} or a URI ({@code tcp://…}, {@code ssl://…}); default {@code mqtt.broker}
 * @param topic        topic alerts are published to (default {@code limes/alerts/NAME})
 * @param qos          1 (default) or 2; 0 is refused, it has no acknowledgement
 * @param clientId     stable client id (default {@code limes-GATEWAY-centre-NAME} inside a gateway's
 *                     configuration, see {@link #inGateway}; {@code limes-centre-NAME} standalone)
 * @param tls          CA, client certificate and key, for an {@code ssl://} broker
 * @param username     MQTT user name
 * @param passwordFile file holding the password (with {@code username})
 * @param passwordEnv  environment variable holding the password (with {@code username})
 * @param cap          CAP settings, with {@code format: cap}
 * @param cot          Cursor on Target settings, with {@code format: cot}
 * @param routing what this centre receives (default: every alert)
 * @param pseudonymisePlates {@code key_file} / {@code key_env}: this centre gets keyed hashes of plates; absent: plain plates
 */
public record MqttCentreConfig(String name, String type, String format, String broker, String topic, Integer qos,
        String clientId, TlsConfig tls, String username, String passwordFile, String passwordEnv,
        CapFormatConfig cap, CotFormatConfig cot, Routing routing, PseudonymiseConfig pseudonymisePlates)
        implements CentreConfig {

    public MqttCentreConfig {
        if (tls != null) {
            tls.checkClient();
        }
        routing = routing == null ? Routing.ALL : routing;
        if (type != null && !"mqtt".equals(type)) {
            throw new IllegalArgumentException("type must be one of " + new java.util.TreeSet<>(TYPES) + ", got '"
                    + type + "'");
        }
        type = "mqtt";
        format = CentreConfig.checkCommon(name, format, "json", FORMATS, cap, cot);
        topic = topic == null ? "limes/alerts/" + name : Require.nonBlank("topic", topic);
        if (topic.contains("+") || topic.contains("#")) {
            throw new IllegalArgumentException("topic must not contain wildcards, got '" + topic + "'");
        }
        qos = (int) Require.range("qos", qos, 1, 1, 2);
        if (clientId != null) {
            Require.identifier("client_id", clientId);
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
        cap = "cap".equals(format) && cap == null ? CapFormatConfig.defaults() : cap;
        cot = "cot".equals(format) && cot == null ? CotFormatConfig.defaults() : cot;
    }

    /**
     * Its own broker, if it names one, is {@code embedded} or a broker URI; {@code tls} only
     * with a TLS broker (its own, else {@code mqtt.broker}).
     */
    @Override
    public void check(CheckContext ctx) {
        String problem = broker == null ? null : MqttConfig.brokerProblem(broker);
        if (problem != null) {
            throw ctx.fail("broker", problem);
        }
        ctx.mqtt().checkTlsBroker(ctx, broker, tls, "centre");
    }

    /** The client id: as configured, else as {@link #inGateway} made it, else {@code limes-centre-NAME}. */
    @Override
    public String clientId() {
        return clientId != null ? clientId : "limes-centre-" + name;
    }

    /**
     * This centre as part of gateway {@code gateway}: a defaulted client id becomes
     * {@code limes-GATEWAY-centre-NAME}. Client ids are the broker's session keys, and many
     * crossings publish to one centre's broker: without the gateway's name two crossings with a
     * centre of the same name take over each other's session in a loop. A client id the
     * configuration gives is kept as given.
     */
    public MqttCentreConfig inGateway(String gateway) {
        if (clientId != null) {
            return this;
        }
        return new MqttCentreConfig(name, type, format, broker, topic, qos, "limes-" + gateway + "-centre-" + name,
                tls, username, passwordFile, passwordEnv, cap, cot, routing, pseudonymisePlates);
    }
}
