package org.limes.gateway.cluster;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.limes.drivers.sapient.SapientDriver;
import org.limes.gateway.source.SourceConfig;
import org.limes.gateway.source.http.HttpSourceConfig;
import org.limes.gateway.source.mqtt.MqttSourceConfig;
import org.limes.gateway.source.tcp.SapientSourceConfig;
import org.limes.gateway.source.tcp.TcpSourceConfig;
import org.limes.gateway.source.udp.UdpSourceConfig;

/**
 * Cluster mode: a digest of what decides how the rules' owner decodes a frame record — exactly
 * what {@link SourceDrivers} reads of the sources: each source's name and type, and its
 * drivers with their options (MQTT: the {@code topics[]} filters in order; HTTP: {@code drivers[]};
 * SAPIENT: each node's device and options; TCP/UDP: {@code driver}, {@code options} and the
 * devices {@code devices_by_peer} names). Listening addresses, client ids, TLS and secrets are
 * left out: they may differ between instances (and a secret must not leave the box, even
 * hashed). Sources are taken in name order and options in key order, so the order they are
 * written in does not matter; topic filters are taken in order (the first match wins).
 *
 * <p>The value: the first 16 hex digits of the SHA-256 of that canonical form. Every frame record
 * carries its instance's digest (header {@value #HEADER}); the rules' owner counts records whose
 * digest differs from its own ({@code limes.errors{component=cluster,stage=processing,
 * error_type=config_drift}}) and logs it once a minute per instance. Stateless.
 */
public final class ConfigDigest {

    /** The frame record header carrying the digest of the instance that produced it. */
    public static final String HEADER = "limes-config";

    private ConfigDigest() {
    }

    /** The digest of {@code sources}' decoding configuration. */
    public static String of(List<SourceConfig> sources) {
        List<SourceConfig> sorted = new ArrayList<>(sources);
        sorted.sort(Comparator.comparing(SourceConfig::name));
        StringBuilder b = new StringBuilder(256);
        for (SourceConfig s : sorted) {
            field(b, "source");
            field(b, s.name());
            if (s instanceof MqttSourceConfig m) {
                field(b, "mqtt");
                for (MqttSourceConfig.TopicRoute t : m.topics()) {
                    field(b, t.filter());
                    route(b, t.driver(), t.options());
                }
            } else if (s instanceof HttpSourceConfig h) {
                field(b, "http");
                List<HttpSourceConfig.DriverRoute> routes = new ArrayList<>(h.drivers());
                routes.sort(Comparator.comparing(HttpSourceConfig.DriverRoute::driver));
                for (HttpSourceConfig.DriverRoute r : routes) {
                    route(b, r.driver(), r.options());
                }
            } else if (s instanceof SapientSourceConfig sp) {
                field(b, "sapient");
                List<SapientSourceConfig.Node> nodes = new ArrayList<>(sp.byNode().values());
                nodes.sort(Comparator.comparing(n -> String.valueOf(n.device())));
                for (SapientSourceConfig.Node n : nodes) {
                    field(b, n.device());
                    route(b, SapientDriver.NAME, n.options());
                }
            } else if (s instanceof TcpSourceConfig t) {
                field(b, "tcp");
                listener(b, t.driver(), t.options(), t.peerDevices().devices());
            } else if (s instanceof UdpSourceConfig u) {
                field(b, "udp");
                listener(b, u.driver(), u.options(), u.peerDevices().devices());
            } else {
                field(b, s.getClass().getSimpleName());
            }
        }
        try {
            byte[] sha = MessageDigest.getInstance("SHA-256").digest(b.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    private static void listener(StringBuilder b, String driver, Map<String, String> options, List<String> devices) {
        route(b, driver, options);
        List<String> sorted = new ArrayList<>(devices);
        sorted.sort(null);
        field(b, "devices");
        for (String d : sorted) {
            field(b, d);
        }
    }

    private static void route(StringBuilder b, String driver, Map<String, String> options) {
        field(b, "driver");
        field(b, driver);
        for (Map.Entry<String, String> e : new TreeMap<>(options == null ? Map.<String, String>of() : options)
                .entrySet()) {
            field(b, e.getKey());
            field(b, e.getValue());
        }
    }

    /** Length-prefixed, so no choice of names or values can make two forms alike. */
    private static void field(StringBuilder b, String value) {
        String v = value == null ? "" : value;
        b.append(v.length()).append(':').append(v).append(value == null ? '!' : ';');
    }
}
