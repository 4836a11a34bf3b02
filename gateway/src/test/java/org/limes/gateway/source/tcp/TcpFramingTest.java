package org.limes.gateway.source.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ResourceLeakDetector;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.limes.drivers.Driver;
import org.limes.drivers.DriverOptions;
import org.limes.drivers.Drivers;
import org.limes.drivers.Framing;
import org.limes.gateway.source.ChannelErrorHandler;
import org.limes.gateway.source.SourceMetrics;

/** The frame decoders of a TCP listener, in an {@code EmbeddedChannel} with leak detection at PARANOID. */
class TcpFramingTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final SourceMetrics metrics = new SourceMetrics(registry, "t");
    private final List<ByteBuf> written = new ArrayList<>();
    private EmbeddedChannel channel;

    @BeforeAll
    static void paranoid() {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    @AfterEach
    void released() {
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
        assertThat(written).allSatisfy(b -> assertThat(b.refCnt()).as("input buffer released").isZero());
    }

    private static TcpSourceConfig config(String framing, Integer width, String order, int maxFrame) {
        return new TcpSourceConfig("t", null, 0, "counter-json", null, framing, width, order, maxFrame, null, null,
                null, null, null, null, null);
    }

    private void open(TcpSourceConfig config) {
        channel = new EmbeddedChannel(TcpInitializer.frameDecoder(TcpInitializer.framing(config, null), config),
                new ChannelErrorHandler("t", metrics));
    }

    private void write(byte[]... parts) {
        for (byte[] p : parts) {
            ByteBuf b = Unpooled.copiedBuffer(p);
            written.add(b);
            channel.writeInbound(b);
        }
    }

    private List<String> frames() {
        List<String> out = new ArrayList<>();
        ByteBuf b;
        while ((b = channel.readInbound()) != null) {
            out.add(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return out;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void linesSplitAcrossReadsAreJoinedAndCrLfIsStripped() {
        open(config("newline", null, null, 64));
        write(ascii("{\"a\":1}\r\n{\"b\""), ascii(":2}"), ascii("\n"), ascii("{\"c\":3}\n{\"d\""));
        assertThat(frames()).containsExactly("{\"a\":1}", "{\"b\":2}", "{\"c\":3}");
        assertThat(channel.isActive()).isTrue();
    }

    @Test
    void anOversizedLineIsSkippedAndCountedAndTheNextLineFlows() {
        open(config("newline", null, null, 16));
        write(ascii("good-1\n" + "x".repeat(40)), ascii("x".repeat(40) + "\ngood-2\n"));
        assertThat(frames()).containsExactly("good-1", "good-2");
        assertThat(registry.get("limes.dropped").tag("reason", "frame_too_long").counter().count()).isEqualTo(1);
        assertThat(channel.isActive()).isTrue();
    }

    @Test
    void lengthPrefixedFramesOfEachWidthAndOrderAreCutWithoutTheirPrefix() {
        open(config("length_prefixed", 2, "big", 64));
        write(new byte[] {0, 3, 'a', 'b'}, new byte[] {'c', 0, 1, 'z', 0});
        assertThat(frames()).containsExactly("abc", "z");

        channel.finishAndReleaseAll();
        open(config("length_prefixed", 4, "little", 64));
        write(new byte[] {2, 0, 0, 0, 'h', 'i', 1, 0, 0}, new byte[] {0, '!'});
        assertThat(frames()).containsExactly("hi", "!");

        channel.finishAndReleaseAll();
        open(config("length_prefixed", 1, null, 64));
        write(new byte[] {1, 'q', 0, 2, 'r', 's'});
        assertThat(frames()).containsExactly("q", "", "rs");
    }

    @Test
    void anOversizedLengthPrefixedFrameIsSkippedAndTheNextOneFlows() {
        open(config("length_prefixed", 2, "big", 16));
        byte[] big = new byte[2 + 100];
        big[1] = 100;
        write(new byte[] {0, 2, 'o', 'k'}, big, new byte[] {0, 2, 'g', 'o'});
        assertThat(frames()).containsExactly("ok", "go");
        assertThat(registry.get("limes.dropped").tag("reason", "frame_too_long").counter().count()).isEqualTo(1);
    }

    @Test
    void asterixBlocksAreCutByTheirLenFieldIncludingTheHeader() {
        open(config("asterix", null, null, 1024));
        byte[] cat48 = {0x30, 0x00, 0x06, (byte) 0xAA, (byte) 0xBB, (byte) 0xCC};
        byte[] cat34 = {0x22, 0x00, 0x05, 0x01, 0x02};
        write(new byte[] {cat48[0], cat48[1]}, new byte[] {cat48[2], cat48[3], cat48[4], cat48[5], cat34[0]},
                new byte[] {cat34[1], cat34[2], cat34[3], cat34[4]});
        List<String> blocks = frames();
        assertThat(blocks).hasSize(2);
        assertThat(blocks.get(0).getBytes(StandardCharsets.ISO_8859_1)).containsExactly(cat48);
        assertThat(blocks.get(1).getBytes(StandardCharsets.ISO_8859_1)).containsExactly(cat34);
    }

    @Test
    void anAsterixLenBelowTheHeaderClosesTheConnectionAsCorrupt() {
        open(config("asterix", null, null, 1024));
        write(new byte[] {0x30, 0x00, 0x02, 0x00});
        assertThat(frames()).isEmpty();
        assertThat(channel.isActive()).isFalse();
        assertThat(registry.get("limes.errors").tag("error_type", "corrupt_framing").counter().count()).isEqualTo(1);
    }

    @Test
    void theDriversFramingIsTheDefault() {
        TcpSourceConfig none = config(null, null, null, 64);
        Driver counter = Drivers.load().create("counter-json", DriverOptions.empty());
        assertThat(TcpInitializer.framing(none, counter)).isEqualTo(Framing.NEWLINE);
        assertThat(TcpInitializer.framing(config("asterix", null, null, 64), counter))
                .isEqualTo(Framing.ASTERIX_BLOCK);
    }
}
