package org.limes.gateway.source.udp;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.limes.drivers.Drivers;
import org.limes.gateway.pipeline.Pipeline;
import org.limes.gateway.source.DeviceDrivers;
import org.limes.gateway.source.SourceMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code type: udp} source: one datagram socket, optionally joined to a multicast group
 * on a named interface; each datagram is one frame ({@link UdpFrameHandler}).
 *
 * <p>UDP has no flow control: when the pipeline is full, datagrams are dropped and counted,
 * and when the event loop falls behind, the kernel drops them once the receive buffer
 * ({@code receive_buffer_bytes}) is full — those the gateway cannot see; the OS counts them
 * (e.g. {@code RcvbufErrors} in {@code /proc/net/snmp} on Linux).
 *
 * <p>Threading: one event-loop thread receives; {@link #start} binds (and joins) and returns.
 */
public final class UdpSource implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(UdpSource.class);

    private final UdpSourceConfig config;
    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private DatagramChannel channel;

    public UdpSource(UdpSourceConfig config, Drivers drivers, Pipeline pipeline, SourceMetrics metrics,
            Clock clock) {
        this.config = config;
        DeviceDrivers byDevice = new DeviceDrivers(drivers, config.driver(), config.options());
        this.group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        this.bootstrap = new Bootstrap()
                .group(group)
                .channelFactory(() -> new NioDatagramChannel(SocketProtocolFamily.INET))
                .option(ChannelOption.SO_RCVBUF, config.receiveBufferBytes())
                .option(ChannelOption.SO_REUSEADDR, config.multicastGroup() != null)
                // One byte over the limit, so an oversized datagram is seen (the OS truncates silently).
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(config.maxFrameBytes() + 1))
                .handler(new UdpFrameHandler(config.name(), config.maxFrameBytes(), pipeline, byDevice,
                        config.peerDevices(), metrics, clock));
    }

    /**
     * Binds the socket and joins the multicast group, if any, on the named interface.
     *
     * @throws IllegalStateException naming the source when the interface does not exist, cannot
     *                               carry IPv4 multicast, or the bind or join fails
     */
    public void start() {
        NetworkInterface nif;
        try {
            nif = config.multicastGroup() == null ? null : multicastInterface();
        } catch (IllegalStateException e) {
            close();
            throw e;
        }
        try {
            channel = (DatagramChannel) bootstrap.bind(config.host(), config.port()).syncUninterruptibly().channel();
            if (nif != null) {
                channel.joinGroup(new InetSocketAddress(InetAddress.getByName(config.multicastGroup()), port()), nif)
                        .syncUninterruptibly();
            }
        } catch (Exception e) { // Netty rethrows bind failures (checked) unchecked
            close();
            throw new IllegalStateException("source " + config.name() + " cannot listen on udp://" + config.host()
                    + ":" + config.port() + (nif == null ? "" : " joined to " + config.multicastGroup() + " on "
                    + nif.getName()) + ": " + e.getMessage(), e);
        }
        int granted = channel.config().getReceiveBufferSize();
        LOG.info("source {} listening on udp://{}:{}{} ({}; receive buffer {} bytes{})", config.name(), config.host(),
                port(), nif == null ? "" : " joined to " + config.multicastGroup() + " on " + nif.getName(),
                config.driver(), granted, granted < config.receiveBufferBytes() ? ", less than the "
                        + config.receiveBufferBytes() + " asked: raise net.core.rmem_max" : "");
    }

    /**
     * The named interface, checked before anything is bound: it must exist, support multicast and
     * carry an IPv4 address (the JDK's IPv4 join names the interface by that address). One that is
     * down is joined all the same, with a warning: a link that is down at boot must not stop the gateway.
     */
    private NetworkInterface multicastInterface() {
        String name = config.multicastInterface();
        try {
            NetworkInterface nif = NetworkInterface.getByName(name);
            String problem = nif == null ? "does not exist on this host"
                    : !nif.supportsMulticast() ? "does not support multicast"
                    : nif.inetAddresses().noneMatch(a -> a instanceof Inet4Address) ? "has no IPv4 address" : null;
            if (problem != null) {
                throw new IllegalStateException("source " + config.name() + ": multicast_interface " + name + " "
                        + problem + " (to join " + config.multicastGroup() + "); this host has " + interfaces());
            }
            if (!nif.isUp()) {
                LOG.warn("source {}: multicast_interface {} is down; joining {} on it all the same (nothing arrives "
                        + "until the link is up)", config.name(), name, config.multicastGroup());
            }
            return nif;
        } catch (SocketException e) {
            throw new IllegalStateException("source " + config.name() + " cannot read multicast_interface " + name
                    + ": " + e.getMessage(), e);
        }
    }

    /** Every interface with what matters for a join, e.g. {@code eth0 (up, multicast, IPv4), lo (up)}. */
    private static String interfaces() throws SocketException {
        List<String> all = new ArrayList<>();
        for (NetworkInterface n : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            all.add(n.getName() + " (" + (n.isUp() ? "up" : "down") + (n.supportsMulticast() ? ", multicast" : "")
                    + (n.inetAddresses().anyMatch(a -> a instanceof Inet4Address) ? ", IPv4" : "") + ")");
        }
        Collections.sort(all);
        return all.isEmpty() ? "no network interfaces" : String.join(", ", all);
    }

    /** The bound port (the real one when configured with 0). */
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.close().syncUninterruptibly();
            channel = null;
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
