package org.limes.gateway;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.limes.gateway.config.GatewayConfig;
import org.limes.gateway.config.MqttConfig;
import org.limes.gateway.outbox.DestinationQueue;
import org.limes.gateway.sink.SinkMetrics;
import org.limes.gateway.sink.centre.CentreConfig;
import org.limes.gateway.sink.centre.CentreSink;
import org.limes.gateway.sink.centre.CotCentreConfig;
import org.limes.gateway.sink.centre.CotSink;
import org.limes.gateway.sink.centre.SapientCentreConfig;
import org.limes.gateway.sink.centre.SapientSink;
import org.limes.gateway.sink.centre.MqttCentreConfig;
import org.limes.gateway.sink.centre.WebhookCentreConfig;
import org.limes.gateway.sink.centre.WebhookSink;

/**
 * Starts the sink of each centre, by transport, draining that centre's queue. Used on the
 * starting thread only; each sink owns its thread from {@code start()} on.
 *
 * <p>The centres know the crossing by one name, carried in every message (CAP {@code sender},
 * CoT {@code uid}, SAPIENT node id): the gateway's name, or in cluster mode {@code cluster.crossing}
 * — never an instance's, since any instance may relay any transition, again after a failover.
 */
final class Centres {

    private final GatewayConfig config;
    /** The crossing's name for its centres. */
    private final String identity;
    private final String brokerUri;
    private final boolean embeddedBroker;
    private final MeterRegistry registry;
    private final Clock clock;

    /**
     * @param brokerUri      the gateway's broker: the embedded one's URI, else {@code mqtt.broker}
     * @param embeddedBroker whether the embedded broker runs (a centre may name it only then)
     */
    Centres(GatewayConfig config, String brokerUri, boolean embeddedBroker, MeterRegistry registry, Clock clock) {
        this.config = config;
        this.identity = config.cluster() == null ? config.name() : config.cluster().crossing();
        this.brokerUri = brokerUri;
        this.embeddedBroker = embeddedBroker;
        this.registry = registry;
        this.clock = clock;
    }

    /** One centre's sink, by transport, started. */
    AutoCloseable start(CentreConfig c, DestinationQueue outbox) {
        SinkMetrics metrics = new SinkMetrics(registry, c.name());
        switch (c.type()) {
            case "mqtt" -> {
                MqttCentreConfig m = (MqttCentreConfig) c;
                String uri = m.broker() == null || MqttConfig.EMBEDDED.equals(m.broker()) ? brokerUriFor(m)
                        : m.broker();
                CentreSink sink = new CentreSink(m, uri, identity, outbox, metrics, clock);
                sink.start();
                return sink;
            }
            case "webhook" -> {
                WebhookSink sink = new WebhookSink((WebhookCentreConfig) c, identity, outbox, metrics, clock);
                sink.start();
                return sink;
            }
            case "cot" -> {
                CotSink sink = new CotSink((CotCentreConfig) c, identity, outbox, metrics, clock);
                sink.start();
                return sink;
            }
            case "sapient" -> {
                SapientSink sink = new SapientSink((SapientCentreConfig) c, identity, outbox, metrics, clock);
                sink.start();
                return sink;
            }
            default -> throw new IllegalStateException("no sink for centre type " + c.type());
        }
    }

    private String brokerUriFor(MqttCentreConfig c) {
        if (MqttConfig.EMBEDDED.equals(c.broker()) && !embeddedBroker) {
            throw new IllegalStateException("centre " + c.name() + " uses the embedded broker, but mqtt.broker is "
                    + config.mqtt().broker());
        }
        return brokerUri;
    }
}
