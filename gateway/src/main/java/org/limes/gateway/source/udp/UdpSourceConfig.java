package org.limes.gateway.source.udp;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import org.limes.gateway.config.CheckContext;
import org.limes.gateway.config.Require;
import org.limes.gateway.source.PeerDevices;
import org.limes.gateway.source.SourceConfig;

/**
 * A {@code type: udp} source: each datagram is one frame for one driver.
 *
 * @param name               source name, used in metrics and logs
 * @param host               address to bind (default 0.0.0.0, the only one allowed with a multicast group)
 * @param port               port to bind; 0 picks a free one (required)
 * @param driver             driver name
 * @param options            driver options, optional
 * @param maxFrameBytes      largest datagram taken; larger ones are dropped and counted (default 65507)
 * @param receiveBufferBytes socket receive buffer (SO_RCVBUF) asked of the OS (default 4 MiB); it
 *                           absorbs bursts while the event loop is busy
 * @param multicastGroup     an IPv4 multicast group to join, e.g. 239.192.0.1 (dotted quad); optional.
 *                           Only that group's datagrams (and unicast ones to the port) arrive: the JDK
 *                           turns off Linux's IP_MULTICAST_ALL, so groups other programs on the host
 *                           joined on the same port are not delivered here
 * @param multicastInterface the network interface to join it on, e.g. eth1 (required with a group);
 *                           whether it exists and supports multicast is checked when the source starts
 * @param devicesByPeer      device id by sender address or CIDR block, passed to the driver as its
 *                           {@code device} option
 */
public record UdpSourceConfig(String name, String host, Integer port, String driver, Map<String, String> options,
        Integer maxFrameBytes, Integer receiveBufferBytes, String multicastGroup, String multicastInterface,
        Map<String, String> devicesByPeer) implements SourceConfig {

    private static final String WILDCARD = "0.0.0.0";

    public UdpSourceConfig {
        Require.identifier("name", name);
        host = host == null ? WILDCARD : Require.nonBlank("host", host);
        Require.present("port", port);
        port = Require.port("port", port, 0, true);
        Require.nonBlank("driver", driver);
        options = options == null ? Map.of() : Map.copyOf(options);
        maxFrameBytes = (int) Require.range("max_frame_bytes", maxFrameBytes, 65_507, 16, 65_507);
        receiveBufferBytes = (int) Require.range("receive_buffer_bytes", receiveBufferBytes, 4 * 1024 * 1024,
                65_536, 256 * 1024 * 1024);
        if (multicastGroup != null) {
            InetAddress group;
            try {
                group = multicastGroup.matches("\\d{1,3}(\\.\\d{1,3}){3}") ? InetAddress.getByName(multicastGroup)
                        : null;
            } catch (UnknownHostException e) {
                group = null;
            }
            if (group == null || !group.isMulticastAddress()) {
                throw new IllegalArgumentException("multicast_group must be an IPv4 multicast address "
                        + "(224.0.0.0/4), got '" + multicastGroup + "'");
            }
            Require.nonBlank("multicast_interface", multicastInterface);
            if (!WILDCARD.equals(host)) {
                throw new IllegalArgumentException("host must be " + WILDCARD + " with a multicast_group (bound to a "
                        + "unicast address, the socket receives no multicast), got '" + host + "'");
            }
        } else if (multicastInterface != null) {
            throw new IllegalArgumentException("multicast_interface needs multicast_group");
        }
        devicesByPeer = devicesByPeer == null ? Map.of() : Map.copyOf(devicesByPeer);
        PeerDevices.parse(devicesByPeer);
    }

    public PeerDevices peerDevices() {
        return PeerDevices.parse(devicesByPeer);
    }

    /**
     * The driver exists and takes its options; {@code devices_by_peer} only with a driver that
     * takes a device option.
     */
    @Override
    public void check(CheckContext ctx) {
        checkDrivers(ctx);
        SourceConfig.checkDevicesByPeer(ctx, devicesByPeer, driver, options);
    }

    @Override
    public List<DriverUse> driverUses() {
        return List.of(new DriverUse("", driver, options));
    }
}
