package org.limes.gateway;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.limes.drivers.Drivers;
import org.limes.gateway.config.MqttConfig;
import org.limes.gateway.embedded.EmbeddedBroker;
import org.limes.gateway.pipeline.Inventory;
import org.limes.gateway.pipeline.Pipeline;
import org.limes.gateway.source.SourceConfig;
import org.limes.gateway.source.SourceMetrics;
import org.limes.gateway.source.http.HttpSource;
import org.limes.gateway.source.http.HttpSourceConfig;
import org.limes.gateway.source.mqtt.BrokerIngestSource;
import org.limes.gateway.source.mqtt.MqttIngest;
import org.limes.gateway.source.mqtt.MqttSource;
import org.limes.gateway.source.mqtt.MqttSourceConfig;
import org.limes.gateway.source.tcp.SapientSource;
import org.limes.gateway.source.tcp.SapientSourceConfig;
import org.limes.gateway.source.tcp.TcpSource;
import org.limes.gateway.source.tcp.TcpSourceConfig;
import org.limes.gateway.source.udp.UdpSource;
import org.limes.gateway.source.udp.UdpSourceConfig;

/**
 * The running sources (MQTT, TCP, UDP, HTTP), each feeding the pipeline: started in
 * configuration order, each pushed on {@code closeables} so that the gateway stops them
 * before what is downstream. Built on the starting thread; afterwards only read.
 */
final class Sources {

    /** The MQTT sources, whose connection is the gateway's health. */
    final List<MqttIngest> mqtt = new ArrayList<>();
    private final Map<String, Integer> listenerPorts = new LinkedHashMap<>();

    /**
     * Starts every configured source.
     *
     * @param gateway the gateway's name (a SAPIENT source's fusion node id is derived from it)
     * @param broker the gateway's broker, for MQTT sources that name none or {@code embedded}; when it is
     *               the embedded one they ingest inside it ({@link BrokerIngestSource}) unless
     *               {@code ingest: client}
     */
    static Sources start(String gateway, List<SourceConfig> configs, Broker broker, Drivers drivers, Pipeline pipeline,
            Inventory inventory, MeterRegistry registry, Clock clock, Deque<AutoCloseable> closeables)
            throws Exception {
        Sources sources = new Sources();
        for (SourceConfig s : configs) {
            SourceMetrics metrics = new SourceMetrics(registry, s.name());
            if (s instanceof MqttSourceConfig m) {
                boolean own = m.broker() == null || MqttConfig.EMBEDDED.equals(m.broker());
                String uri = own ? broker.uri() : m.broker();
                // The gateway's own embedded broker hands publishes straight to the pipeline; any
                // other broker (Mosquitto, EMQX, a centre's HiveMQ) is subscribed to by a client.
                EmbeddedBroker embedded = own && broker.embedded() && m.inBroker() ? EmbeddedBroker.running(uri) : null;
                if (embedded != null) {
                    BrokerIngestSource source = new BrokerIngestSource(m, embedded, drivers, pipeline, metrics, clock);
                    source.start();
                    sources.mqtt.add(source);
                    closeables.push(source);
                } else {
                    MqttSource source = new MqttSource(m, uri, drivers, pipeline, metrics, clock);
                    source.start();
                    sources.mqtt.add(source);
                    closeables.push(source);
                }
            } else if (s instanceof TcpSourceConfig t) {
                TcpSource source = new TcpSource(t, drivers, pipeline, inventory::knows, metrics, clock,
                        System::nanoTime);
                closeables.push(source);
                source.start();
                sources.listenerPorts.put(t.name(), source.port());
            } else if (s instanceof SapientSourceConfig sc) {
                SapientSource source = new SapientSource(sc, gateway, drivers, pipeline, inventory::knows, metrics, clock,
                        System::nanoTime);
                closeables.push(source);
                source.start();
                sources.listenerPorts.put(sc.name(), source.port());
            } else if (s instanceof UdpSourceConfig u) {
                UdpSource source = new UdpSource(u, drivers, pipeline, metrics, clock);
                closeables.push(source);
                source.start();
                sources.listenerPorts.put(u.name(), source.port());
            } else if (s instanceof HttpSourceConfig h) {
                HttpSource source = new HttpSource(h, drivers, pipeline, inventory::knows, metrics, clock);
                closeables.push(source);
                source.start();
                sources.listenerPorts.put(h.name(), source.port());
            } else {
                throw new IllegalStateException("no source implementation for " + s.getClass().getSimpleName());
            }
        }
        EmbeddedBroker own = broker.embedded() ? EmbeddedBroker.running(broker.uri()) : null;
        if (own != null) {
            // The sources that ingest inside it are attached: the publishes it held may flow.
            own.release();
        }
        return sources;
    }

    /** The bound port of a TCP, UDP or HTTP source, by source name (the real one when configured with 0). */
    int listenerPort(String source) {
        Integer port = listenerPorts.get(source);
        if (port == null) {
            throw new IllegalArgumentException("no TCP, UDP or HTTP source named " + source);
        }
        return port;
    }
}
