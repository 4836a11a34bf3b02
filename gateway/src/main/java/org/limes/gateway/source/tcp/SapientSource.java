package org.limes.gateway.source.tcp;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.limes.drivers.Driver;
import org.limes.drivers.DriverOptions;
import org.limes.drivers.Drivers;
import org.limes.drivers.sapient.SapientDriver;
import org.limes.gateway.pipeline.Pipeline;
import org.limes.gateway.ratelimit.LogLimiter;
import org.limes.gateway.source.SourceMetrics;

/**
 * The {@code sapient} source: a {@link TcpSource} with SAPIENT framing whose connections each
 * run a {@link SapientSessionHandler} (registration handshake, alert acknowledgements) and
 * whose frames go to the registered node's own driver (its device id, node id and position).
 *
 * <p>The gateway answers as a fusion node whose node id is a UUID derived from the gateway's
 * and the source's names, the same across restarts.
 *
 * <p>Threading: as {@link TcpSource}.
 */
public final class SapientSource implements AutoCloseable {

    private final TcpSource tcp;
    private final String fusionNodeId;

    public SapientSource(SapientSourceConfig config, String gateway, Drivers drivers, Pipeline pipeline,
            Predicate<String> knownDevice, SourceMetrics metrics, Clock clock, LongSupplier nanos) {
        Map<String, SapientSourceConfig.Node> nodes = config.byNode();
        Map<String, Driver> byDevice = new ConcurrentHashMap<>();
        for (SapientSourceConfig.Node n : nodes.values()) {
            byDevice.put(n.device(), drivers.create(SapientDriver.NAME, DriverOptions.of(n.options())));
        }
        Driver plain = drivers.create(SapientDriver.NAME, DriverOptions.empty());
        // An accepted unknown node's device is its node id, which its messages carry: the plain driver names it.
        this.fusionNodeId = UUID.nameUUIDFromBytes(("limes:" + gateway + ":" + config.name())
                .getBytes(StandardCharsets.UTF_8)).toString();
        LogLimiter logs = new LogLimiter(TimeUnit.MINUTES.toNanos(1), 1024);
        this.tcp = new TcpSource(config.tcp(), plain, device -> device == null ? plain : byDevice.getOrDefault(device,
                plain), () -> new SapientSessionHandler(config.name(), fusionNodeId, nodes, config.acceptsUnknownNodes(),
                metrics, logs, clock), pipeline, knownDevice, metrics, clock, nanos);
    }

    public void start() {
        tcp.start();
    }

    public int port() {
        return tcp.port();
    }

    /** The node id this gateway answers with. */
    public String fusionNodeId() {
        return fusionNodeId;
    }

    @Override
    public void close() {
        tcp.close();
    }
}
