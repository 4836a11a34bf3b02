package org.limes.drivers;

import java.time.Instant;
import java.util.Objects;

/**
 * Bytes as they arrived, and where they came from.
 *
 * <p>A frame is what a source hands to a driver: the payload of one MQTT message, one
 * line or length-prefixed record of a TCP stream, one UDP datagram or one HTTP body.
 * The payload array is owned by the frame once constructed; nobody mutates it.
 *
 * @param payload    the raw bytes, never null (may be empty)
 * @param source     the name of the configured source that produced it, e.g. {@code mqtt}
 * @param origin     the transport address: MQTT topic, peer {@code host:port}, HTTP path
 * @param receivedAt when the gateway received it (the gateway's clock)
 * @param identity   the device the transport authenticated the sender as (a TLS client
 *                   certificate, or a broker identity the MQTT source is configured to trust);
 *                   null when the transport authenticated nobody. The gateway drops every
 *                   reading of the frame that names another device. Drivers ignore it.
 */
public record Frame(byte[] payload, String source, String origin, Instant receivedAt, String identity) {

    /** A frame from a transport that authenticated nobody. */
    public Frame(byte[] payload, String source, String origin, Instant receivedAt) {
        this(payload, source, origin, receivedAt, null);
    }

    public Frame {
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(receivedAt, "receivedAt");
    }

    public int length() {
        return payload.length;
    }
}
