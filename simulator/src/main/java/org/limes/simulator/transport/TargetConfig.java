package org.limes.simulator.transport;

import java.net.URI;
import java.util.Locale;
import java.util.Set;

/**
 * Where a scenario's frames go: one entry of a scenario's {@code targets:} map, or a
 * {@code --target URI} on the command line.
 *
 * <pre>
 * type  uri                                        other keys
 * ----  -----------------------------------------  ---------------------------------------------
 * mqtt  tcp://127.0.0.1:1883 (the broker)          topic (default crossing/{site}/{kind}/{device}), qos 0..2 (1)
 * tcp   tcp://127.0.0.1:5020                       framing: newline (default) | raw (ASTERIX blocks)
 * udp   udp://127.0.0.1:5021                       one frame per datagram
 * http  http://127.0.0.1:8088/ingest/counter-json  content_type (default: multipart/form-data for a
 *                                                  body that starts with --, else application/json)
 * </pre>
 *
 * <p>In a topic, {@code {site}}, {@code {kind}} and {@code {device}} are replaced per frame.
 *
 * @param type         mqtt, tcp, udp or http
 * @param uri          the destination
 * @param topic        MQTT topic template
 * @param qos          MQTT QoS
 * @param framing      TCP framing
 * @param contentType  HTTP Content-Type, or null to choose per body
 */
public record TargetConfig(String type, String uri, String topic, Integer qos, String framing, String contentType) {

    /** The transport types, a closed set. */
    public static final Set<String> TYPES = Set.of("mqtt", "tcp", "udp", "http");

    /** The MQTT topic when none is given. */
    public static final String DEFAULT_TOPIC = "crossing/{site}/{kind}/{device}";

    public TargetConfig {
        if (type == null || !TYPES.contains(type)) {
            throw new IllegalArgumentException("type must be one of [http, mqtt, tcp, udp], got "
                    + (type == null ? "nothing" : "'" + type + "'"));
        }
        if (uri == null || uri.isBlank()) {
            throw new IllegalArgumentException("uri is required, e.g. " + example(type));
        }
        URI parsed;
        try {
            parsed = URI.create(uri);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("uri must be a URI like " + example(type) + ", got '" + uri + "'");
        }
        if (parsed.getHost() == null || parsed.getPort() < 1 || parsed.getPort() > 65535) {
            throw new IllegalArgumentException("uri must name a host and a port 1..65535, like " + example(type)
                    + ", got '" + uri + "'");
        }
        topic = topic == null ? DEFAULT_TOPIC : topic;
        if (!"mqtt".equals(type) && !DEFAULT_TOPIC.equals(topic)) {
            throw new IllegalArgumentException("topic applies only to type mqtt");
        }
        qos = qos == null ? 1 : qos;
        if (qos < 0 || qos > 2) {
            throw new IllegalArgumentException("qos must be 0, 1 or 2, got " + qos);
        }
        framing = framing == null ? "newline" : framing;
        if (!Set.of("newline", "raw").contains(framing)) {
            throw new IllegalArgumentException("framing must be newline or raw, got '" + framing + "'");
        }
    }

    /** A target from a command-line URI: the scheme picks the type ({@code mqtt://} is the broker over TCP). */
    public static TargetConfig parse(String uri) {
        int colon = uri.indexOf("://");
        if (colon < 0) {
            throw new IllegalArgumentException("target must be mqtt://, tcp://, udp:// or http:// host:port, got '"
                    + uri + "'");
        }
        String scheme = uri.substring(0, colon).toLowerCase(Locale.ROOT);
        return switch (scheme) {
            case "mqtt" -> new TargetConfig("mqtt", "tcp" + uri.substring(colon), null, null, null, null);
            case "tcp", "udp", "http" -> new TargetConfig(scheme, uri, null, null, null, null);
            default -> throw new IllegalArgumentException("target scheme must be mqtt, tcp, udp or http, got '"
                    + scheme + "'");
        };
    }

    /** This target with another URI (tests and {@code --target NAME=URI} point a scenario elsewhere). */
    public TargetConfig withUri(String newUri) {
        return new TargetConfig(type, newUri, topic, qos, framing, contentType);
    }

    /** The host of the URI. */
    public String host() {
        return URI.create(uri).getHost();
    }

    /** The port of the URI. */
    public int port() {
        return URI.create(uri).getPort();
    }

    private static String example(String type) {
        return switch (type) {
            case "mqtt" -> "tcp://127.0.0.1:1883";
            case "http" -> "http://127.0.0.1:8088/ingest/counter-json";
            default -> type + "://127.0.0.1:5020";
        };
    }
}
