package org.limes.gateway.live;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.Supplier;

/** The live view's meters: what it refused at its bounds, and how much it holds. */
public final class LiveMetrics {

    private final Counter devicesFull;
    private final Counter kindsFull;
    private final Counter alertsFull;
    private final Counter mapTracksFull;
    private final MeterRegistry registry;

    public LiveMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.devicesFull = dropped(registry, "live_devices_full");
        this.kindsFull = dropped(registry, "live_kinds_full");
        this.alertsFull = dropped(registry, "live_alerts_full");
        this.mapTracksFull = dropped(registry, "map_tracks_full");
    }

    private static Counter dropped(MeterRegistry registry, String reason) {
        return Counter.builder("limes.dropped").description("Records dropped, by reason")
                .tags("component", "live", "reason", reason).register(registry);
    }

    void gauges(Supplier<Number> devices, Supplier<Number> openAlerts) {
        Gauge.builder("limes.live.devices", devices).description("Devices the live view tracks")
                .strongReference(true).register(registry);
        Gauge.builder("limes.live.alerts.open", openAlerts).description("Open alert episodes the live view shows")
                .strongReference(true).register(registry);
    }

    void devicesFull() {
        devicesFull.increment();
    }

    void kindsFull() {
        kindsFull.increment();
    }

    void mapTracksFull() {
        mapTracksFull.increment();
    }

    void alertsFull() {
        alertsFull.increment();
    }
}
