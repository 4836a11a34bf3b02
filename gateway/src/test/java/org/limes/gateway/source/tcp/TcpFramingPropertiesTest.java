package org.limes.gateway.source.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.limes.gateway.source.ChannelErrorHandler;
import org.limes.gateway.source.SourceMetrics;

/**
 * Hostile length fields on a TCP stream: whatever a length prefix or an ASTERIX LEN claims,
 * the listener never builds a frame over {@code max_frame_bytes}, never waits for more than
 * that, and a stream it cannot frame is closed and counted, not buffered.
 */
class TcpFramingPropertiesTest {

    private static final int MAX = 1024;

    private static TcpSourceConfig config(String framing, int width, String order) {
        return new TcpSourceConfig("t", null, 0, "counter-json", null, framing, width, order, MAX, null, null,
                null, null, null, null, null);
    }

    @Provide
    Arbitrary<Integer> widths() {
        return Arbitraries.of(1, 2, 4);
    }

    @Property(tries = 500)
    void aLengthPrefixNeverYieldsAFrameOverTheLimit(@ForAll("widths") int width, @ForAll boolean little,
            @ForAll long claimed, @ForAll @Size(max = 2048) byte[] rest) {
        ByteBuffer prefix = ByteBuffer.allocate(8).order(little ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        prefix.putLong(claimed);
        byte[] field = new byte[width];
        System.arraycopy(prefix.array(), little ? 0 : 8 - width, field, 0, width);
        check(config("length_prefixed", width, little ? "little" : "big"), field, rest);
    }

    @Property(tries = 500)
    void anAsterixLenNeverYieldsABlockOverTheLimitNorLoops(@ForAll byte category, @ForAll short len,
            @ForAll @Size(max = 2048) byte[] rest) {
        check(config("asterix", 2, "big"), new byte[] {category, (byte) (len >> 8), (byte) len}, rest);
    }

    private static void check(TcpSourceConfig config, byte[] head, byte[] rest) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        EmbeddedChannel channel = new EmbeddedChannel(TcpInitializer.frameDecoder(TcpInitializer.framing(config,
                null), config), new ChannelErrorHandler("t", new SourceMetrics(registry, "t")));
        try {
            ByteBuf in = Unpooled.buffer(head.length + rest.length).writeBytes(head).writeBytes(rest);
            channel.writeInbound(in);
            ByteBuf frame;
            while ((frame = channel.readInbound()) != null) {
                try {
                    assertThat(frame.readableBytes()).isLessThanOrEqualTo(MAX);
                } finally {
                    frame.release();
                }
            }
        } finally {
            channel.finishAndReleaseAll();
        }
    }
}
