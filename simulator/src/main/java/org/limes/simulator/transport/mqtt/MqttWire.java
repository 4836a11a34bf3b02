package org.limes.simulator.transport.mqtt;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * The few MQTT 5.0 packets the bench's load clients ({@link LoadPublisher}, {@link LoadSubscriber})
 * exchange with a broker, encoded and decoded by hand from the OASIS MQTT Version 5.0 standard,
 * chapters 1.5 (data representation), 2 (packet format) and 3 (the packets).
 *
 * <p>Every packet starts with a fixed header: one byte, packet type in the high nibble and flags
 * in the low one, then the remaining length as a variable byte integer (7 bits per byte, least
 * significant group first, the high bit set on every byte but the last; at most 4 bytes).
 * Worked example, a QoS 1 PUBLISH of {@code "hi"} to {@code a/b} with packet id 7 and no
 * properties:
 * <pre>
 *   32        PUBLISH (3), flags 0b0010: DUP 0, QoS 1, RETAIN 0
 *   0a        remaining length 10
 *   00 03 61 2f 62   topic name "a/b" (two-byte length, UTF-8)
 *   00 07     packet identifier 7
 *   00        property length 0
 *   68 69     payload "hi"
 * </pre>
 *
 * <p>Stateless; every method is safe from any thread.
 */
public final class MqttWire {

    /** Packet types (fixed header, high nibble). */
    public static final int CONNECT = 1;
    public static final int CONNACK = 2;
    public static final int PUBLISH = 3;
    public static final int PUBACK = 4;
    public static final int SUBSCRIBE = 8;
    public static final int SUBACK = 9;
    public static final int PINGREQ = 12;
    public static final int PINGRESP = 13;
    public static final int DISCONNECT = 14;

    /** The largest remaining length a variable byte integer of 4 bytes holds (MQTT 5 §1.5.5). */
    public static final int MAX_REMAINING_LENGTH = 268_435_455;
    /** The largest receive maximum and packet identifier (two-byte integers, zero excluded). */
    public static final int MAX_PACKET_ID = 65_535;

    /** Property identifiers the clients read (MQTT 5 §2.2.2.2). */
    static final int PROP_SERVER_KEEP_ALIVE = 0x13;
    static final int PROP_REASON_STRING = 0x1F;
    static final int PROP_RECEIVE_MAXIMUM = 0x21;
    static final int PROP_MAXIMUM_QOS = 0x24;

    private MqttWire() {
    }

    /** Bytes the variable byte integer {@code value} takes. */
    public static int varIntSize(int value) {
        checkRemainingLength(value);
        return value < 128 ? 1 : value < 16_384 ? 2 : value < 2_097_152 ? 3 : 4;
    }

    /** Writes {@code value} as a variable byte integer (MQTT 5 §1.5.5). */
    public static void writeVarInt(ByteBuf out, int value) {
        checkRemainingLength(value);
        int v = value;
        do {
            int b = v & 0x7F;
            v >>>= 7;
            out.writeByte(v > 0 ? b | 0x80 : b);
        } while (v > 0);
    }

    private static int putVarInt(byte[] out, int at, int value) {
        int v = value;
        int i = at;
        do {
            int b = v & 0x7F;
            v >>>= 7;
            out[i++] = (byte) (v > 0 ? b | 0x80 : b);
        } while (v > 0);
        return i;
    }

    /**
     * Reads a variable byte integer at {@code in}'s reader index without moving it.
     *
     * @return the value in the low 32 bits and its size in bytes in the high 32 bits; -1 when
     *         {@code in} ends before the integer does
     * @throws MqttProtocolException when the integer runs over 4 bytes
     */
    public static long peekVarInt(ByteBuf in, int from) {
        int value = 0;
        for (int i = 0; i < 4; i++) {
            if (from + i >= in.writerIndex()) {
                return -1;
            }
            int b = in.getUnsignedByte(from + i);
            value |= (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) {
                return ((long) (i + 1) << 32) | value;
            }
        }
        throw new MqttProtocolException("variable byte integer longer than 4 bytes at offset " + from);
    }

    /** Reads a variable byte integer, moving the reader index past it. */
    public static int readVarInt(ByteBuf in) {
        long v = peekVarInt(in, in.readerIndex());
        if (v < 0) {
            throw new MqttProtocolException("packet ends inside a variable byte integer");
        }
        in.skipBytes((int) (v >>> 32));
        return (int) v;
    }

    /**
     * Bytes of the whole packet starting at {@code in}'s reader index (fixed header included), or
     * -1 when the fixed header is not complete yet.
     */
    public static int packetLength(ByteBuf in) {
        if (in.readableBytes() < 2) {
            return -1;
        }
        long v = peekVarInt(in, in.readerIndex() + 1);
        return v < 0 ? -1 : 1 + (int) (v >>> 32) + (int) v;
    }

    private static void checkRemainingLength(int value) {
        if (value < 0 || value > MAX_REMAINING_LENGTH) {
            throw new IllegalArgumentException("remaining length must be 0.." + MAX_REMAINING_LENGTH + ", got "
                    + value);
        }
    }

    /**
     * CONNECT (§3.1): protocol "MQTT" level 5, Clean Start, no will, no user name or password,
     * with a Receive Maximum property when {@code receiveMaximum} is below 65,535 (absent means
     * 65,535, §3.1.2.11.3).
     */
    public static void writeConnect(ByteBuf out, String clientId, int keepAliveSeconds, int receiveMaximum) {
        if (keepAliveSeconds < 0 || keepAliveSeconds > 65_535) {
            throw new IllegalArgumentException("keep alive must be 0..65535 s, got " + keepAliveSeconds);
        }
        if (receiveMaximum < 1 || receiveMaximum > MAX_PACKET_ID) {
            throw new IllegalArgumentException("receive maximum must be 1..65535, got " + receiveMaximum);
        }
        byte[] id = utf8(clientId, "client id");
        int properties = receiveMaximum < MAX_PACKET_ID ? 3 : 0;
        int remaining = 6 + 1 + 1 + 2 + varIntSize(properties) + properties + 2 + id.length;
        out.writeByte(CONNECT << 4);
        writeVarInt(out, remaining);
        out.writeShort(4).writeBytes(new byte[] {'M', 'Q', 'T', 'T'});
        out.writeByte(5);           // protocol level
        out.writeByte(0x02);        // connect flags: Clean Start
        out.writeShort(keepAliveSeconds);
        writeVarInt(out, properties);
        if (properties > 0) {
            out.writeByte(PROP_RECEIVE_MAXIMUM).writeShort(receiveMaximum);
        }
        out.writeShort(id.length).writeBytes(id);
    }

    /** SUBSCRIBE (§3.8) to one filter at {@code qos}, no properties, default subscription options. */
    public static void writeSubscribe(ByteBuf out, int packetId, String filter, int qos) {
        checkPacketId(packetId);
        checkQos(qos);
        byte[] f = utf8(filter, "topic filter");
        out.writeByte(SUBSCRIBE << 4 | 0x02); // reserved flags 0010
        writeVarInt(out, 2 + 1 + 2 + f.length + 1);
        out.writeShort(packetId);
        out.writeByte(0);                     // property length
        out.writeShort(f.length).writeBytes(f);
        out.writeByte(qos);                   // subscription options: maximum QoS, nothing else
    }

    /** PUBACK (§3.4) with reason Success, in its short form: the reason code may be omitted (§3.4.2.1). */
    public static void writePubAck(ByteBuf out, int packetId) {
        out.writeByte(PUBACK << 4).writeByte(2).writeShort(packetId);
    }

    /** PINGREQ (§3.12). */
    public static void writePingReq(ByteBuf out) {
        out.writeByte(PINGREQ << 4).writeByte(0);
    }

    /** DISCONNECT (§3.14) with reason Normal disconnection, in its short form (§3.14.2.1). */
    public static void writeDisconnect(ByteBuf out) {
        out.writeByte(DISCONNECT << 4).writeByte(0);
    }

    /**
     * Encodes a PUBLISH once, for sending many times: not DUP, not retained, no properties. At
     * QoS 1 or 2 the packet identifier is left 0 at {@link PublishPacket#packetIdOffset()}, for
     * the sender to set.
     */
    public static PublishPacket encodePublish(String topic, byte[] payload, int qos) {
        checkQos(qos);
        byte[] t = utf8(topic, "topic");
        if (t.length == 0) {
            throw new IllegalArgumentException("topic must not be empty");
        }
        int remaining = 2 + t.length + (qos > 0 ? 2 : 0) + 1 + payload.length;
        byte[] packet = new byte[1 + varIntSize(remaining) + remaining];
        packet[0] = (byte) (PUBLISH << 4 | qos << 1);
        int i = putVarInt(packet, 1, remaining);
        packet[i++] = (byte) (t.length >>> 8);
        packet[i++] = (byte) t.length;
        System.arraycopy(t, 0, packet, i, t.length);
        i += t.length;
        int idOffset = -1;
        if (qos > 0) {
            idOffset = i;
            i += 2;
        }
        packet[i++] = 0; // property length
        System.arraycopy(payload, 0, packet, i, payload.length);
        return new PublishPacket(packet, qos, idOffset);
    }

    /** What a CONNACK said (§3.2). */
    public record ConnAck(boolean sessionPresent, int reasonCode, int receiveMaximum, int serverKeepAlive,
            int maximumQos, String reasonString) {

        public boolean accepted() {
            return reasonCode < 0x80;
        }
    }

    /**
     * Reads a CONNACK's variable header from {@code body} (the bytes after the fixed header).
     * Properties absent take the standard's defaults: receive maximum 65,535, maximum QoS 2;
     * {@code serverKeepAlive} is -1 when the broker keeps the client's.
     */
    public static ConnAck readConnAck(ByteBuf body) {
        if (body.readableBytes() < 2) {
            throw new MqttProtocolException("CONNACK shorter than 2 bytes");
        }
        boolean session = (body.readUnsignedByte() & 0x01) != 0;
        int reason = body.readUnsignedByte();
        int receiveMaximum = MAX_PACKET_ID;
        int keepAlive = -1;
        int maximumQos = 2;
        String reasonString = null;
        if (body.isReadable()) { // an MQTT 3.1.1 broker's refusal has no properties
            int length = readVarInt(body);
            int end = body.readerIndex() + length;
            if (end > body.writerIndex()) {
                throw new MqttProtocolException("CONNACK properties run past the packet");
            }
            while (body.readerIndex() < end) {
                int id = readVarInt(body);
                switch (id) {
                    case PROP_RECEIVE_MAXIMUM -> receiveMaximum = body.readUnsignedShort();
                    case PROP_SERVER_KEEP_ALIVE -> keepAlive = body.readUnsignedShort();
                    case PROP_MAXIMUM_QOS -> maximumQos = body.readUnsignedByte();
                    case PROP_REASON_STRING -> reasonString = readString(body);
                    default -> skipProperty(body, id);
                }
            }
            if (receiveMaximum == 0) {
                throw new MqttProtocolException("CONNACK with receive maximum 0");
            }
        }
        return new ConnAck(session, reason, receiveMaximum, keepAlive, maximumQos, reasonString);
    }

    /**
     * Reads a SUBACK (§3.9) for one filter from {@code body}.
     *
     * @return the packet identifier in the high 16 bits, the reason code in the low 8
     */
    public static int readSubAck(ByteBuf body) {
        int packetId = body.readUnsignedShort();
        int length = readVarInt(body);
        body.skipBytes(length);
        if (!body.isReadable()) {
            throw new MqttProtocolException("SUBACK without a reason code");
        }
        return packetId << 16 | body.readUnsignedByte();
    }

    /**
     * Reads a PUBACK (§3.4) from {@code body} of {@code remaining} bytes: a reason code may be
     * omitted (Success) and so may the properties.
     *
     * @return the packet identifier in the high 16 bits, the reason code in the low 8
     */
    public static int readPubAck(ByteBuf body, int remaining) {
        if (remaining < 2) {
            throw new MqttProtocolException("PUBACK shorter than 2 bytes");
        }
        int packetId = body.getUnsignedShort(body.readerIndex());
        int reason = remaining > 2 ? body.getUnsignedByte(body.readerIndex() + 2) : 0;
        return packetId << 16 | reason;
    }

    /**
     * The packet identifier of a PUBLISH at QoS 1 or 2 (§3.3.2.2), read from {@code body} (the bytes
     * after the fixed header) without moving its reader index.
     */
    public static int publishPacketId(ByteBuf body) {
        int topicLength = body.getUnsignedShort(body.readerIndex());
        return body.getUnsignedShort(body.readerIndex() + 2 + topicLength);
    }

    /** The DISCONNECT reason code (§3.14.2.1): 0 when the short form omits it. */
    public static int readDisconnectReason(ByteBuf body, int remaining) {
        return remaining > 0 ? body.getUnsignedByte(body.readerIndex()) : 0;
    }

    /** A reason code with its name from the standard (§2.4), for error messages. */
    public static String reason(int code) {
        String name = switch (code) {
            case 0x00 -> "Success";
            case 0x01 -> "Granted QoS 1 / unacceptable protocol version (MQTT 3.1.1)";
            case 0x02 -> "Granted QoS 2 / identifier rejected (MQTT 3.1.1)";
            case 0x03 -> "Server unavailable (MQTT 3.1.1)";
            case 0x04 -> "Bad user name or password (MQTT 3.1.1)";
            case 0x05 -> "Not authorized (MQTT 3.1.1)";
            case 0x10 -> "No matching subscribers";
            case 0x80 -> "Unspecified error";
            case 0x81 -> "Malformed Packet";
            case 0x82 -> "Protocol Error";
            case 0x83 -> "Implementation specific error";
            case 0x84 -> "Unsupported Protocol Version";
            case 0x85 -> "Client Identifier not valid";
            case 0x86 -> "Bad User Name or Password";
            case 0x87 -> "Not authorized";
            case 0x88 -> "Server unavailable";
            case 0x89 -> "Server busy";
            case 0x8A -> "Banned";
            case 0x8B -> "Server shutting down";
            case 0x8D -> "Keep Alive timeout";
            case 0x8E -> "Session taken over";
            case 0x8F -> "Topic Filter invalid";
            case 0x90 -> "Topic Name invalid";
            case 0x91 -> "Packet Identifier in use";
            case 0x93 -> "Receive Maximum exceeded";
            case 0x95 -> "Packet too large";
            case 0x97 -> "Quota exceeded";
            case 0x99 -> "Payload format invalid";
            case 0x9B -> "QoS not supported";
            case 0x9E -> "Shared Subscriptions not supported";
            case 0xA2 -> "Wildcard Subscriptions not supported";
            default -> "reason";
        };
        return String.format("0x%02X (%s)", code, name);
    }

    private static String readString(ByteBuf in) {
        int length = in.readUnsignedShort();
        String s = in.toString(in.readerIndex(), length, StandardCharsets.UTF_8);
        in.skipBytes(length);
        return s;
    }

    /** Skips one property's value by the type the standard gives its identifier (§2.2.2.2). */
    private static void skipProperty(ByteBuf in, int id) {
        switch (id) {
            case 0x01, 0x17, 0x19, 0x24, 0x25, 0x28, 0x29, 0x2A -> in.skipBytes(1);            // byte
            case 0x13, 0x21, 0x22, 0x23 -> in.skipBytes(2);                                    // two-byte integer
            case 0x02, 0x11, 0x18, 0x27 -> in.skipBytes(4);                                    // four-byte integer
            case 0x0B -> readVarInt(in);                                                       // variable byte integer
            case 0x03, 0x08, 0x09, 0x12, 0x15, 0x16, 0x1A, 0x1C, 0x1F -> in.skipBytes(in.readUnsignedShort());
            case 0x26 -> {                                                                     // UTF-8 string pair
                in.skipBytes(in.readUnsignedShort());
                in.skipBytes(in.readUnsignedShort());
            }
            default -> throw new MqttProtocolException("unknown property identifier 0x" + Integer.toHexString(id));
        }
    }

    private static byte[] utf8(String s, String what) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > 65_535) {
            throw new IllegalArgumentException(what + " longer than 65,535 bytes in UTF-8");
        }
        return b;
    }

    private static void checkQos(int qos) {
        if (qos < 0 || qos > 2) {
            throw new IllegalArgumentException("qos must be 0, 1 or 2, got " + qos);
        }
    }

    private static void checkPacketId(int packetId) {
        if (packetId < 1 || packetId > MAX_PACKET_ID) {
            throw new IllegalArgumentException("packet identifier must be 1..65535, got " + packetId);
        }
    }

    /** A packet that breaks the standard: the connection cannot go on. */
    public static final class MqttProtocolException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public MqttProtocolException(String message) {
            super(message);
        }
    }
}
