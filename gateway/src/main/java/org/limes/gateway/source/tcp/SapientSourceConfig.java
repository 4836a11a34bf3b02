package org.limes.gateway.source.tcp;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.limes.drivers.DeviceId;
import org.limes.drivers.sapient.SapientDriver;
import org.limes.drivers.sapient.SapientMessages;
import org.limes.gateway.config.CheckContext;
import org.limes.gateway.config.Require;
import org.limes.gateway.source.SourceConfig;
import org.limes.gateway.tls.TlsConfig;

/**
 * A {@code type: sapient} source: the fusion node SAPIENT (BSI Flex 335 v2.0) sensors connect
 * to — a TCP listener with the standard's framing (a 4-byte little-endian length before each
 * message), the registration handshake and alert acknowledgements, and the sensors' node ids
 * mapped to Limes devices.
 *
 * @param name                  source name, used in metrics and logs
 * @param host                  address to listen on (default 0.0.0.0)
 * @param port                  port to listen on; 0 picks a free one (required)
 * @param nodes                 the sensors: node id (UUID) → device id and position
 * @param unknownNodes          {@code reject} (default): a registration from a node not in
 *                              {@code nodes} is refused; {@code accept}: its node id is its device id
 * @param maxFrameBytes         largest message (default 65536); a longer one is skipped and counted
 * @param maxConnections        open connections at once (default 256)
 * @param maxConnectionsPerPeer open connections from one address (default 16)
 * @param idleTimeoutMs         a connection silent this long is closed (default 300000)
 * @param maxFramesPerSecond    per connection; above it the connection is read more slowly (default 1000)
 * @param receiveBufferBytes    socket receive buffer per connection (SO_RCVBUF); default: the OS's
 * @param tls                   TLS, optionally mutual; absent: plain TCP
 */
public record SapientSourceConfig(String name, String host, Integer port, List<Node> nodes, String unknownNodes,
        Integer maxFrameBytes, Integer maxConnections, Integer maxConnectionsPerPeer, Integer idleTimeoutMs,
        Integer maxFramesPerSecond, Integer receiveBufferBytes, TlsConfig tls) implements SourceConfig {

    public SapientSourceConfig {
        // The listener is a tcp source's: its checks, defaults and error messages are that record's.
        TcpSourceConfig listener = new TcpSourceConfig(name, host, port, SapientDriver.NAME, Map.of(), null, null,
                null, maxFrameBytes, maxConnections, maxConnectionsPerPeer, idleTimeoutMs, maxFramesPerSecond, null,
                receiveBufferBytes, tls);
        host = listener.host();
        port = listener.port();
        maxFrameBytes = listener.maxFrameBytes();
        maxConnections = listener.maxConnections();
        maxConnectionsPerPeer = listener.maxConnectionsPerPeer();
        idleTimeoutMs = listener.idleTimeoutMs();
        maxFramesPerSecond = listener.maxFramesPerSecond();
        nodes = nodes == null ? List.of() : List.copyOf(nodes);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i) == null) {
                throw new IllegalArgumentException("nodes[" + i + "] must be {node_id, device}");
            }
            if (!seen.add(nodes.get(i).nodeId())) {
                throw new IllegalArgumentException("nodes[" + i + "].node_id " + nodes.get(i).nodeId()
                        + " is listed twice");
            }
        }
        unknownNodes = Require.oneOf("unknown_nodes", unknownNodes, "reject", Set.of("reject", "accept"));
    }

    /** The sensors by node id (lower case). */
    public Map<String, Node> byNode() {
        Map<String, Node> m = new LinkedHashMap<>();
        nodes.forEach(n -> m.put(n.nodeId(), n));
        return m;
    }

    public boolean acceptsUnknownNodes() {
        return "accept".equals(unknownNodes);
    }

    /** The listener underneath: a TCP source with the sapient driver's framing. */
    TcpSourceConfig tcp() {
        return new TcpSourceConfig(name, host, port, SapientDriver.NAME, Map.of(), null, null, null, maxFrameBytes,
                maxConnections, maxConnectionsPerPeer, idleTimeoutMs, maxFramesPerSecond, null, receiveBufferBytes, tls);
    }

    /** Each node's driver takes its options; mutual TLS only with inventory devices. */
    @Override
    public void check(CheckContext ctx) {
        checkDrivers(ctx);
        if (tls != null) {
            tls.checkInventory(ctx.at("tls"));
        }
    }

    @Override
    public List<DriverUse> driverUses() {
        List<DriverUse> uses = new ArrayList<>();
        uses.add(new DriverUse("", SapientDriver.NAME, Map.of()));
        for (int i = 0; i < nodes.size(); i++) {
            uses.add(new DriverUse("nodes[" + i + "]", SapientDriver.NAME, nodes.get(i).options()));
        }
        return uses;
    }

    /**
     * One sensor.
     *
     * @param nodeId    its SAPIENT node id, a UUID (any case; kept lower case)
     * @param device    the Limes device id of its readings
     * @param sensorLat where it stands, degrees (with {@code sensor_lon}): range/bearing → lat/lon
     * @param sensorLon where it stands, degrees
     */
    public record Node(String nodeId, String device, Double sensorLat, Double sensorLon) {

        public Node {
            Require.nonBlank("node_id", nodeId);
            if (!SapientMessages.isUuid(nodeId)) {
                throw new IllegalArgumentException("node_id must be a UUID (8-4-4-4-12 hexadecimal digits), got '"
                        + nodeId + "'");
            }
            nodeId = nodeId.toLowerCase(Locale.ROOT);
            Require.nonBlank("device", device);
            if (!DeviceId.isWellFormed(device)) {
                throw new IllegalArgumentException("device must be 1..64 characters of [A-Za-z0-9._:-], got '"
                        + device + "'");
            }
            if ((sensorLat == null) != (sensorLon == null)) {
                throw new IllegalArgumentException("sensor_lat and sensor_lon go together");
            }
        }

        /** The options of this node's driver. */
        public Map<String, String> options() {
            Map<String, String> o = new LinkedHashMap<>();
            o.put("device", device);
            o.put("node_id", nodeId);
            if (sensorLat != null) {
                o.put("sensor_lat", Double.toString(sensorLat));
                o.put("sensor_lon", Double.toString(sensorLon));
            }
            return o;
        }
    }
}
