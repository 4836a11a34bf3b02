package org.limes.simulator.transport.mqtt;

import java.util.Objects;

/**
 * A PUBLISH packet encoded once by {@link MqttWire#encodePublish} and sent many times by
 * {@link LoadPublisher}, which copies {@link #bytes} into its batch and sets the packet
 * identifier in the copy.
 *
 * <p>Immutable by contract: {@link #bytes} must not be modified once built; safe to share
 * between threads.
 *
 * @param bytes          the whole packet, fixed header included, packet identifier 0
 * @param qos            0, 1 or 2
 * @param packetIdOffset where the two-byte packet identifier sits in {@code bytes}; -1 at QoS 0
 */
public record PublishPacket(byte[] bytes, int qos, int packetIdOffset) {

    public PublishPacket {
        Objects.requireNonNull(bytes, "bytes");
        if (qos < 0 || qos > 2) {
            throw new IllegalArgumentException("qos must be 0, 1 or 2, got " + qos);
        }
        if (qos == 0 ? packetIdOffset != -1 : packetIdOffset < 3 || packetIdOffset + 2 > bytes.length) {
            throw new IllegalArgumentException("packet identifier offset " + packetIdOffset + " does not fit QoS "
                    + qos + " in " + bytes.length + " bytes");
        }
    }

    /** Bytes on the wire. */
    public int size() {
        return bytes.length;
    }
}
