package org.limes.simulator.transport.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttProperties.IntegerProperty;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttProperties.StringProperty;
import io.netty.handler.codec.mqtt.MqttProperties.UserProperty;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubAckPayload;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.limes.simulator.transport.mqtt.MqttWire.ConnAck;
import org.limes.simulator.transport.mqtt.MqttWire.MqttProtocolException;

/**
 * The load clients' packets against the MQTT 5.0 standard: byte-exact where the standard gives
 * the bytes, and cross-checked with an independent implementation (Netty's {@code codec-mqtt}):
 * what we encode it decodes to the same fields, what it encodes we read the same.
 */
class MqttWireTest {

    @Test
    void variableByteIntegersAreTheStandardsExamples() {
        // MQTT 5 §1.5.5, table 1-1: the boundaries of 1 to 4 bytes
        int[] values = {0, 127, 128, 16_383, 16_384, 2_097_151, 2_097_152, 268_435_455};
        String[] hex = {"00", "7f", "8001", "ff7f", "808001", "ffff7f", "80808001", "ffffff7f"};
        for (int i = 0; i < values.length; i++) {
            ByteBuf b = Unpooled.buffer();
            MqttWire.writeVarInt(b, values[i]);
            assertThat(ByteBufUtil.hexDump(b)).as("%d", values[i]).isEqualTo(hex[i]);
            assertThat(MqttWire.varIntSize(values[i])).isEqualTo(hex[i].length() / 2);
            assertThat(MqttWire.readVarInt(b)).isEqualTo(values[i]);
            assertThat(b.isReadable()).isFalse();
        }
        assertThatThrownBy(() -> MqttWire.writeVarInt(Unpooled.buffer(), 268_435_456))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0..268435455");
        assertThatThrownBy(() -> MqttWire.readVarInt(Unpooled.wrappedBuffer(new byte[] {(byte) 0x80, (byte) 0x80,
                (byte) 0x80, (byte) 0x80, 0x01}))).isInstanceOf(MqttProtocolException.class)
                .hasMessageContaining("longer than 4 bytes");
    }

    @Test
    void packetLengthWaitsForTheWholeFixedHeader() {
        assertThat(MqttWire.packetLength(Unpooled.wrappedBuffer(new byte[] {0x30}))).isEqualTo(-1);
        assertThat(MqttWire.packetLength(Unpooled.wrappedBuffer(new byte[] {0x30, (byte) 0x80}))).isEqualTo(-1);
        // 128 bytes of remaining length: 1 + 2 + 128
        assertThat(MqttWire.packetLength(Unpooled.wrappedBuffer(new byte[] {0x30, (byte) 0x80, 0x01}))).isEqualTo(131);
        assertThat(MqttWire.packetLength(Unpooled.wrappedBuffer(new byte[] {(byte) 0xd0, 0x00}))).isEqualTo(2);
    }

    @Test
    void publishIsTheWorkedExampleAndNettyReadsIt() {
        PublishPacket p = MqttWire.encodePublish("a/b", "hi".getBytes(StandardCharsets.UTF_8), 1);
        assertThat(p.packetIdOffset()).isEqualTo(7);
        byte[] wire = p.bytes().clone();
        wire[p.packetIdOffset() + 1] = 7;
        assertThat(ByteBufUtil.hexDump(wire)).isEqualTo("320a" + "0003612f62" + "0007" + "00" + "6869");

        EmbeddedChannel netty = v5Channel();
        netty.writeInbound(Unpooled.wrappedBuffer(wire));
        MqttPublishMessage m = netty.readInbound();
        assertThat(m.decoderResult().isSuccess()).isTrue();
        assertThat(m.fixedHeader().qosLevel()).isEqualTo(MqttQoS.AT_LEAST_ONCE);
        assertThat(m.fixedHeader().isDup()).isFalse();
        assertThat(m.fixedHeader().isRetain()).isFalse();
        assertThat(m.variableHeader().topicName()).isEqualTo("a/b");
        assertThat(m.variableHeader().packetId()).isEqualTo(7);
        assertThat(m.variableHeader().properties().isEmpty()).isTrue();
        assertThat(m.payload().toString(StandardCharsets.UTF_8)).isEqualTo("hi");
        m.release();
    }

    @Test
    void qos0PublishHasNoPacketIdAndLongPayloadsTakeLongerLengths() {
        byte[] payload = new byte[300];
        payload[299] = 'z';
        PublishPacket p = MqttWire.encodePublish("crossing/x/counter/ümlaut", payload, 0);
        assertThat(p.packetIdOffset()).isEqualTo(-1);
        assertThat(p.bytes()[0]).isEqualTo((byte) 0x30);
        int topicBytes = "crossing/x/counter/ümlaut".getBytes(StandardCharsets.UTF_8).length;
        int remaining = 2 + topicBytes + 1 + 300;
        assertThat(p.size()).isEqualTo(1 + 2 + remaining);

        EmbeddedChannel netty = v5Channel();
        netty.writeInbound(Unpooled.wrappedBuffer(p.bytes()));
        MqttPublishMessage m = netty.readInbound();
        assertThat(m.decoderResult().isSuccess()).isTrue();
        assertThat(m.fixedHeader().qosLevel()).isEqualTo(MqttQoS.AT_MOST_ONCE);
        assertThat(m.variableHeader().topicName()).isEqualTo("crossing/x/counter/ümlaut");
        assertThat(m.payload().readableBytes()).isEqualTo(300);
        assertThat(m.payload().getByte(299)).isEqualTo((byte) 'z');
        m.release();
        assertThatThrownBy(() -> MqttWire.encodePublish("", payload, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MqttWire.encodePublish("t", payload, 3)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void connectIsVersion5WithCleanStartAndNettyReadsIt() {
        ByteBuf b = Unpooled.buffer();
        MqttWire.writeConnect(b, "pub-1", 60, 100);
        // §3.1: 10 MQTT, remaining 21; "MQTT" level 5, flags 0x02, keep alive 60, properties: receive maximum 100
        assertThat(ByteBufUtil.hexDump(b)).isEqualTo("1015" + "00044d515454" + "05" + "02" + "003c"
                + "03" + "210064" + "0005" + "7075622d31");

        EmbeddedChannel netty = new EmbeddedChannel(new MqttDecoder(), MqttEncoder.INSTANCE);
        netty.writeInbound(b);
        MqttConnectMessage m = netty.readInbound();
        assertThat(m.decoderResult().isSuccess()).isTrue();
        assertThat(m.variableHeader().name()).isEqualTo("MQTT");
        assertThat(m.variableHeader().version()).isEqualTo(5);
        assertThat(m.variableHeader().isCleanSession()).isTrue();
        assertThat(m.variableHeader().hasUserName()).isFalse();
        assertThat(m.variableHeader().isWillFlag()).isFalse();
        assertThat(m.variableHeader().keepAliveTimeSeconds()).isEqualTo(60);
        assertThat(m.variableHeader().properties().getProperty(MqttPropertyType.RECEIVE_MAXIMUM.value()).value())
                .isEqualTo(100);
        assertThat(m.payload().clientIdentifier()).isEqualTo("pub-1");

        ByteBuf unlimited = Unpooled.buffer();
        MqttWire.writeConnect(unlimited, "s", 0, 65_535);
        netty.writeInbound(unlimited);
        MqttConnectMessage m2 = netty.readInbound();
        assertThat(m2.variableHeader().properties().isEmpty()).as("65,535 is the default: no property").isTrue();
    }

    @Test
    void subscribeCarriesOneFilterAndItsQosAndNettyReadsIt() {
        ByteBuf b = Unpooled.buffer();
        MqttWire.writeSubscribe(b, 1, "$share/g/crossing/+/counter/+", 1);
        assertThat((int) b.getUnsignedByte(0)).as("SUBSCRIBE with reserved flags 0010").isEqualTo(0x82);
        EmbeddedChannel netty = v5Channel();
        netty.writeInbound(b);
        MqttSubscribeMessage m = netty.readInbound();
        assertThat(m.decoderResult().isSuccess()).isTrue();
        assertThat(m.idAndPropertiesVariableHeader().messageId()).isEqualTo(1);
        assertThat(m.payload().topicSubscriptions()).hasSize(1);
        assertThat(m.payload().topicSubscriptions().get(0).topicFilter()).isEqualTo("$share/g/crossing/+/counter/+");
        assertThat(m.payload().topicSubscriptions().get(0).qualityOfService()).isEqualTo(MqttQoS.AT_LEAST_ONCE);
    }

    @Test
    void shortPacketsAreTheStandardsBytes() {
        ByteBuf b = Unpooled.buffer();
        MqttWire.writePubAck(b, 0x1234);
        MqttWire.writePingReq(b);
        MqttWire.writeDisconnect(b);
        assertThat(ByteBufUtil.hexDump(b)).isEqualTo("40021234" + "c000" + "e000");
        EmbeddedChannel netty = v5Channel();
        netty.writeInbound(b);
        MqttMessage ack = netty.readInbound();
        assertThat(ack.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBACK);
        MqttPubReplyMessageVariableHeader reply = (MqttPubReplyMessageVariableHeader) ack.variableHeader();
        assertThat(reply.messageId()).isEqualTo(0x1234);
        assertThat(reply.reasonCode()).as("short form: Success").isEqualTo((byte) 0);
        assertThat(((MqttMessage) netty.readInbound()).fixedHeader().messageType()).isEqualTo(MqttMessageType.PINGREQ);
        assertThat(((MqttMessage) netty.readInbound()).fixedHeader().messageType())
                .isEqualTo(MqttMessageType.DISCONNECT);
    }

    @Test
    void connAckPropertiesAreReadWhateverElseTheBrokerSends() {
        MqttProperties props = new MqttProperties();
        props.add(new IntegerProperty(MqttPropertyType.SESSION_EXPIRY_INTERVAL.value(), 0));
        props.add(new StringProperty(MqttPropertyType.ASSIGNED_CLIENT_IDENTIFIER.value(), "auto-1"));
        props.add(new IntegerProperty(MqttPropertyType.RECEIVE_MAXIMUM.value(), 100));
        props.add(new UserProperty("k", "v"));
        props.add(new IntegerProperty(MqttPropertyType.SERVER_KEEP_ALIVE.value(), 30));
        props.add(new IntegerProperty(MqttPropertyType.MAXIMUM_QOS.value(), 1));
        props.add(new IntegerProperty(MqttPropertyType.TOPIC_ALIAS_MAXIMUM.value(), 10));
        props.add(new IntegerProperty(MqttPropertyType.SHARED_SUBSCRIPTION_AVAILABLE.value(), 1));
        MqttConnAckMessage accepted = MqttMessageBuilders.connAck()
                .returnCode(MqttConnectReturnCode.CONNECTION_ACCEPTED).sessionPresent(false).properties(props).build();
        ConnAck ack = MqttWire.readConnAck(bodyOf(encodeV5(accepted)));
        assertThat(ack.accepted()).isTrue();
        assertThat(ack.sessionPresent()).isFalse();
        assertThat(ack.receiveMaximum()).isEqualTo(100);
        assertThat(ack.serverKeepAlive()).isEqualTo(30);
        assertThat(ack.maximumQos()).isEqualTo(1);

        MqttProperties why = new MqttProperties();
        why.add(new StringProperty(MqttPropertyType.REASON_STRING.value(), "no such user"));
        MqttConnAckMessage refused = MqttMessageBuilders.connAck()
                .returnCode(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED_5).properties(why).build();
        ConnAck no = MqttWire.readConnAck(bodyOf(encodeV5(refused)));
        assertThat(no.accepted()).isFalse();
        assertThat(no.reasonCode()).isEqualTo(0x87);
        assertThat(no.reasonString()).isEqualTo("no such user");
        assertThat(no.receiveMaximum()).as("absent: the default").isEqualTo(65_535);
        assertThat(MqttWire.reason(0x87)).isEqualTo("0x87 (Not authorized)");

        // An MQTT 3.1.1 broker refuses version 5 with a 2-byte CONNACK, return code 1 (§3.1.2.2 of 3.1.1)
        ConnAck old = MqttWire.readConnAck(Unpooled.wrappedBuffer(new byte[] {0x00, 0x01}));
        assertThat(old.reasonCode()).isEqualTo(1);
    }

    @Test
    void pubAcksInTheirShortAndLongFormsAreRead() {
        MqttProperties props = new MqttProperties();
        props.add(new StringProperty(MqttPropertyType.REASON_STRING.value(), "nobody listens"));
        MqttMessage longForm = MqttMessageBuilders.pubAck().packetId(513).reasonCode((byte) 0x10).properties(props)
                .build();
        ByteBuf b = encodeV5(longForm);
        int remaining = (int) MqttWire.peekVarInt(b, 1);
        ByteBuf body = bodyOf(b);
        int v = MqttWire.readPubAck(body, remaining);
        assertThat(v >>> 16).isEqualTo(513);
        assertThat(v & 0xFF).isEqualTo(0x10);

        MqttMessage refused = MqttMessageBuilders.pubAck().packetId(9).reasonCode((byte) 0x97)
                .properties(MqttProperties.NO_PROPERTIES).build();
        ByteBuf r = encodeV5(refused);
        assertThat(MqttWire.readPubAck(bodyOf(r), (int) MqttWire.peekVarInt(r, 1))).isEqualTo(9 << 16 | 0x97);

        ByteBuf shortForm = Unpooled.wrappedBuffer(new byte[] {0x40, 0x02, 0x00, 0x2a});
        assertThat(MqttWire.readPubAck(bodyOf(shortForm), 2)).isEqualTo(42 << 16);
    }

    @Test
    void subAckReasonCodesAreRead() {
        MqttSubAckMessage granted = new MqttSubAckMessage(
                new MqttFixedHeader(MqttMessageType.SUBACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
                new MqttMessageIdAndPropertiesVariableHeader(1, MqttProperties.NO_PROPERTIES),
                new MqttSubAckPayload(1));
        assertThat(MqttWire.readSubAck(bodyOf(encodeV5(granted)))).isEqualTo(1 << 16 | 0x01);
        MqttProperties props = new MqttProperties();
        props.add(new StringProperty(MqttPropertyType.REASON_STRING.value(), "bad filter"));
        MqttSubAckMessage refused = new MqttSubAckMessage(
                new MqttFixedHeader(MqttMessageType.SUBACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
                new MqttMessageIdAndPropertiesVariableHeader(1, props), new MqttSubAckPayload(0x8F));
        assertThat(MqttWire.readSubAck(bodyOf(encodeV5(refused))) & 0xFF).isEqualTo(0x8F);
    }

    @Test
    void publishPacketIdIsFoundBehindTheTopic() {
        PublishPacket p = MqttWire.encodePublish("crossing/ras-ajdir/counter/cnt-0001", new byte[] {1, 2}, 1);
        ByteBuf wire = Unpooled.wrappedBuffer(p.bytes().clone());
        wire.setShort(p.packetIdOffset(), 40_000);
        assertThat(MqttWire.publishPacketId(bodyOf(wire))).isEqualTo(40_000);
    }

    /** A Netty codec pair that has seen a version 5 CONNECT, so it encodes and decodes version 5. */
    private static EmbeddedChannel v5Channel() {
        EmbeddedChannel ch = new EmbeddedChannel(new MqttDecoder(), MqttEncoder.INSTANCE);
        ByteBuf connect = Unpooled.buffer();
        MqttWire.writeConnect(connect, "test", 0, 65_535);
        ch.writeInbound(connect);
        MqttConnectMessage m = ch.readInbound();
        assertThat(m.variableHeader().version()).isEqualTo(MqttVersion.MQTT_5.protocolLevel());
        return ch;
    }

    private static ByteBuf encodeV5(MqttMessage message) {
        EmbeddedChannel ch = v5Channel();
        ch.writeOutbound(message);
        ByteBuf out = Unpooled.buffer();
        ByteBuf part;
        while ((part = ch.readOutbound()) != null) {
            out.writeBytes(part);
            part.release();
        }
        return out;
    }

    /** The bytes after the fixed header, checking the remaining length covers exactly the rest. */
    private static ByteBuf bodyOf(ByteBuf packet) {
        assertThat(MqttWire.packetLength(packet)).isEqualTo(packet.readableBytes());
        packet.skipBytes(1);
        MqttWire.readVarInt(packet);
        return packet;
    }
}
