package org.limes.gateway.source.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.gateway.source.PipelineFixture;
import org.limes.gateway.source.SourceMetrics;

/**
 * A UDP listener joined to an IPv4 multicast group on a named interface, on real sockets, in
 * front of a real pipeline and outbox. Datagrams reach it through the host's own multicast
 * loopback ({@code IP_MULTICAST_LOOP}) on that interface, so no second machine is needed; where
 * no interface loops multicast back (a container without one, a locked-down CI host), the
 * delivery test is skipped and says why. Groups are drawn at random from 239.255.0.0/16 (the
 * administratively scoped local range) so runs sharing a host do not hear each other.
 */
class UdpMulticastIT {

    private static NetworkInterface nif;
    private static String noMulticastReason;

    @TempDir
    Path dir;

    private final List<AutoCloseable> opened = new ArrayList<>();
    private PipelineFixture fixture;

    @BeforeAll
    static void findAnInterfaceThatLoopsMulticastBack() throws Exception {
        List<String> tried = new ArrayList<>();
        for (NetworkInterface candidate : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!candidate.isUp() || !candidate.supportsMulticast() || candidate.isPointToPoint()
                    || candidate.inetAddresses().noneMatch(a -> a instanceof Inet4Address)) {
                continue;
            }
            tried.add(candidate.getName());
            if (loopsBack(candidate)) {
                nif = candidate;
                return;
            }
        }
        noMulticastReason = tried.isEmpty()
                ? "no interface on this host is up, multicast-capable, not point-to-point and has an IPv4 address"
                : "IPv4 multicast sent with IP_MULTICAST_LOOP on " + tried + " never came back to this host";
    }

    /** Whether a datagram sent to a fresh group on {@code candidate} reaches a receiver joined to it here. */
    private static boolean loopsBack(NetworkInterface candidate) throws IOException {
        InetAddress group = randomGroup();
        try (DatagramChannel receiver = DatagramChannel.open(StandardProtocolFamily.INET);
                DatagramChannel sender = sender(candidate)) {
            receiver.bind(new InetSocketAddress(0)).configureBlocking(false);
            receiver.join(group, candidate);
            InetSocketAddress to = new InetSocketAddress(group, ((InetSocketAddress) receiver.getLocalAddress())
                    .getPort());
            ByteBuffer in = ByteBuffer.allocate(64);
            await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(50)).until(() -> {
                sender.send(ByteBuffer.wrap("probe".getBytes(StandardCharsets.US_ASCII)), to);
                return receiver.receive(in) != null;
            });
            return true;
        } catch (ConditionTimeoutException | IOException e) {
            return false;
        }
    }

    private static InetAddress randomGroup() throws IOException {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return InetAddress.getByName("239.255." + r.nextInt(256) + "." + (1 + r.nextInt(254)));
    }

    private static DatagramChannel sender(NetworkInterface via) throws IOException {
        DatagramChannel sender = DatagramChannel.open(StandardProtocolFamily.INET);
        sender.setOption(StandardSocketOptions.IP_MULTICAST_IF, via);
        sender.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, true);
        return sender;
    }

    @AfterEach
    void closeAll() throws Exception {
        Collections.reverse(opened);
        for (AutoCloseable c : opened) {
            c.close();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    private <T extends AutoCloseable> T open(T closeable) {
        opened.add(closeable);
        return closeable;
    }

    private UdpSource source(String group, String iface) throws Exception {
        fixture = new PipelineFixture(dir, 16);
        return open(new UdpSource(new UdpSourceConfig("udp-mc", null, 0, "counter-json", null, 1_024, null, group,
                iface, null), fixture.drivers, fixture.pipeline, new SourceMetrics(fixture.registry, "udp-mc"),
                Clock.systemUTC()));
    }

    private static void send(DatagramChannel sender, String text, InetAddress group, int port) throws IOException {
        sender.send(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), new InetSocketAddress(group, port));
    }

    @Test
    void takesTheDatagramsOfItsGroupOnTheNamedInterfaceAndNotThoseOfAnotherGroupOnTheSamePort() throws Exception {
        assumeTrue(nif != null, () -> "skipped: " + noMulticastReason);
        InetAddress group = randomGroup();
        InetAddress other;
        do {
            other = randomGroup();
        } while (other.equals(group));
        UdpSource source = source(group.getHostAddress(), nif.getName());
        source.start();
        int port = source.port();
        // Another program on this host listening to another group on the same port: the kernel
        // delivers that group's datagrams to this port, and must not hand them to the source too
        // (Linux does, to a socket bound to 0.0.0.0, while IP_MULTICAST_ALL is on; the JDK turns it off).
        DatagramChannel neighbour = open(DatagramChannel.open(StandardProtocolFamily.INET));
        neighbour.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        neighbour.bind(new InetSocketAddress(port)).configureBlocking(false);
        neighbour.join(other, nif);
        DatagramChannel sender = open(sender(nif));

        String stray = PipelineFixture.counterJson("cnt-04", 40);
        send(sender, stray, other, port);
        int good = 5;
        for (int i = 0; i < good; i++) {
            send(sender, PipelineFixture.counterJson("cnt-0" + (1 + i % 3), i), group, port);
            if (i == 2) {
                send(sender, "{\"device\":\"cnt-01\", nope", group, port);
            }
        }

        ByteBuffer in = ByteBuffer.allocate(2048);
        List<String> heardByNeighbour = new ArrayList<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            for (in.clear(); neighbour.receive(in) != null; in.clear()) {
                heardByNeighbour.add(new String(in.array(), 0, in.position(), StandardCharsets.UTF_8));
            }
            return heardByNeighbour.contains(stray) && fixture.stored() >= good
                    && fixture.count("limes.errors", "component", "driver-counter-json") == 1;
        });
        // The stray was sent first, so had the source taken it, it would be counted and stored by now.
        assertThat(fixture.count("limes.frames.received", "source", "udp-mc")).isEqualTo(good + 1);
        assertThat(fixture.stored()).isEqualTo(good);
        assertThat(fixture.storedLines()).hasSize(good).noneMatch(line -> line.contains("cnt-04"));
    }

    @Test
    void anInterfaceThatDoesNotExistFailsTheStartNamingTheSourceTheInterfaceAndTheOnesThatDo() throws Exception {
        String missing = "limes-no-nic";
        assertThat(NetworkInterface.getByName(missing)).isNull();
        String some = Collections.list(NetworkInterface.getNetworkInterfaces()).get(0).getName();
        UdpSource source = source("239.255.0.1", missing);
        assertThatThrownBy(source::start)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("source udp-mc")
                .hasMessageContaining("multicast_interface " + missing + " does not exist on this host")
                .hasMessageContaining(some);
    }

    @Test
    void anInterfaceWithoutMulticastFailsTheStart() throws Exception {
        NetworkInterface plain = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                .filter(n -> {
                    try {
                        return n.isUp() && !n.supportsMulticast();
                    } catch (SocketException e) {
                        return false;
                    }
                }).findFirst().orElse(null);
        assumeTrue(plain != null, "skipped: every interface on this host that is up supports multicast");
        UdpSource source = source("239.255.0.1", plain.getName());
        assertThatThrownBy(source::start)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("source udp-mc")
                .hasMessageContaining("multicast_interface " + plain.getName() + " does not support multicast");
    }
}
