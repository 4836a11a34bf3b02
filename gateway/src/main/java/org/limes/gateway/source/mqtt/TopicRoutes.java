package org.limes.gateway.source.mqtt;

import java.util.ArrayList;
import java.util.List;
import org.limes.drivers.Driver;
import org.limes.drivers.DriverOptions;
import org.limes.drivers.Drivers;

/**
 * An MQTT source's topics: which driver decodes a message on a topic (the first filter that
 * matches, in the configured order), and the device a topic names when the identity comes
 * from a topic level. One piece for both ingest paths ({@link MqttSource} through a client,
 * {@link BrokerIngestSource} inside the broker).
 *
 * <p>Immutable once built; its drivers are used by the source's one delivering thread.
 */
final class TopicRoutes {

    private final List<Route> routes = new ArrayList<>();

    TopicRoutes(MqttSourceConfig config, Drivers drivers) {
        for (MqttSourceConfig.TopicRoute r : config.topics()) {
            routes.add(new Route(new TopicFilter(r.filter()), drivers.create(r.driver(),
                    DriverOptions.of(r.options()))));
        }
    }

    /** The driver of the first filter matching {@code topic}, or null when none claims it. */
    Driver driverFor(String topic) {
        for (Route r : routes) {
            if (r.filter().matches(topic)) {
                return r.driver();
            }
        }
        return null;
    }

    /** The filters, in the configured order. */
    List<TopicFilter> filters() {
        return routes.stream().map(Route::filter).toList();
    }

    /** Level {@code level} (from 0) of {@code topic}, or null when it has none or it is empty. */
    static String level(String topic, int level) {
        int start = 0;
        for (int i = 0; i < level; i++) {
            int slash = topic.indexOf('/', start);
            if (slash < 0) {
                return null;
            }
            start = slash + 1;
        }
        int end = topic.indexOf('/', start);
        if (end < 0) {
            end = topic.length();
        }
        return end > start ? topic.substring(start, end) : null;
    }

    private record Route(TopicFilter filter, Driver driver) {
    }
}
