package org.limes.gateway.source.tcp;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.limes.drivers.DriverOptions;
import org.limes.drivers.Framing;
import org.limes.gateway.config.CheckContext;
import org.limes.gateway.config.Require;
import org.limes.gateway.source.PeerDevices;
import org.limes.gateway.source.SourceConfig;
import org.limes.gateway.tls.TlsConfig;

/**
 * A {@code type: tcp} source: a listener whose byte stream is cut into frames and handed to
 * one driver.
 *
 * @param name                  source name, used in metrics and logs
 * @param host                  address to listen on (default 0.0.0.0)
 * @param port                  port to listen on; 0 picks a free one (required)
 * @param driver                driver name, e.g. {@code counter-json}
 * @param options               driver options, optional
 * @param framing               {@code newline}, {@code length_prefixed} or {@code asterix}; default:
 *                              the driver's own framing
 * @param lengthFieldBytes      width of the length prefix: 1, 2 or 4 (default 2)
 * @param byteOrder             {@code big} (default) or {@code little}, of the length prefix
 * @param maxFrameBytes         largest frame; a longer one closes the connection (default 65536)
 * @param maxConnections        open connections at once (default 256)
 * @param maxConnectionsPerPeer open connections from one address (default 16)
 * @param idleTimeoutMs         a connection that sends nothing this long is closed (default 300000)
 * @param maxFramesPerSecond    per connection; above it the connection is read more slowly, never
 *                              dropped (default 1000)
 * @param devicesByPeer         device id by peer address or CIDR block, passed to the driver as its
 *                              {@code device} option (for drivers whose frames carry no device id)
 * @param receiveBufferBytes    socket receive buffer per connection (SO_RCVBUF); default: the OS's
 *                              (Linux grows it up to net.ipv4.tcp_rmem); set it to bound kernel memory
 *                              per device and make a paused connection push back sooner
 * @param tls                   TLS, optionally mutual; absent: plain TCP
 */
public record TcpSourceConfig(String name, String host, Integer port, String driver, Map<String, String> options,
        String framing, Integer lengthFieldBytes, String byteOrder, Integer maxFrameBytes, Integer maxConnections,
        Integer maxConnectionsPerPeer, Integer idleTimeoutMs, Integer maxFramesPerSecond,
        Map<String, String> devicesByPeer, Integer receiveBufferBytes, TlsConfig tls) implements SourceConfig {

    public TcpSourceConfig {
        if (tls != null) {
            tls.checkServer();
        }
        Require.identifier("name", name);
        host = host == null ? "0.0.0.0" : Require.nonBlank("host", host);
        Require.present("port", port);
        port = Require.port("port", port, 0, true);
        Require.nonBlank("driver", driver);
        options = options == null ? Map.of() : Map.copyOf(options);
        framing = framing == null ? null : Require.oneOf("framing", framing, null,
                Set.of("newline", "length_prefixed", "asterix"));
        lengthFieldBytes = (int) Require.range("length_field_bytes", lengthFieldBytes, 2, 1, 4);
        if (lengthFieldBytes == 3) {
            throw new IllegalArgumentException("length_field_bytes must be 1, 2 or 4, got 3");
        }
        byteOrder = Require.oneOf("byte_order", byteOrder, "big", Set.of("big", "little"));
        maxFrameBytes = (int) Require.range("max_frame_bytes", maxFrameBytes, 65_536, 16, 16 * 1024 * 1024);
        maxConnections = (int) Require.range("max_connections", maxConnections, 256, 1, 65_535);
        maxConnectionsPerPeer = (int) Require.range("max_connections_per_peer", maxConnectionsPerPeer,
                Math.min(16, maxConnections), 1, maxConnections);
        idleTimeoutMs = (int) Require.range("idle_timeout_ms", idleTimeoutMs, 300_000, 1_000, 86_400_000);
        maxFramesPerSecond = (int) Require.range("max_frames_per_second", maxFramesPerSecond, 1_000, 1, 1_000_000);
        devicesByPeer = devicesByPeer == null ? Map.of() : Map.copyOf(devicesByPeer);
        if (receiveBufferBytes != null) {
            Require.range("receive_buffer_bytes", receiveBufferBytes, 0, 4_096, 256 * 1024 * 1024);
        }
        PeerDevices.parse(devicesByPeer);
    }

    public PeerDevices peerDevices() {
        return PeerDevices.parse(devicesByPeer);
    }

    /**
     * The driver exists and takes its options; a driver framing whole documents needs a
     * {@code framing} (a stream has no document boundaries of its own); {@code devices_by_peer}
     * only with a driver that takes a device option; mutual TLS only with inventory devices.
     */
    @Override
    public void check(CheckContext ctx) {
        checkDrivers(ctx);
        if (framing == null && ctx.drivers().create(driver, DriverOptions.of(options)).framing() == Framing.DOCUMENT) {
            throw ctx.fail("framing", "is required: driver " + driver + " frames whole documents, so say how the "
                    + "stream is cut (newline, length_prefixed, asterix)");
        }
        SourceConfig.checkDevicesByPeer(ctx, devicesByPeer, driver, options);
        if (tls != null) {
            tls.checkInventory(ctx.at("tls"));
        }
    }

    @Override
    public List<DriverUse> driverUses() {
        return List.of(new DriverUse("", driver, options));
    }
}
