package org.limes.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.drivers.Drivers;
import org.limes.gateway.config.ConfigLoader;

/**
 * Every gauge a running gateway registers still reads a number after garbage collection:
 * Micrometer holds a gauge's object weakly unless told otherwise, and a gauge whose object
 * (say, a method reference to a shard's engine) nobody else holds reads NaN once collected.
 */
class GaugesAfterGcIT {

    @TempDir
    Path data;

    @Test
    void everyGaugeReadsANumberAfterACollection() throws Exception {
        Drivers drivers = Drivers.load();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (Gateway gateway = Gateway.start(new ConfigLoader(drivers).parse("gauges.yml", TestConfigs.gateway(data,
                "broker: embedded\n  port: 0", "kind: embedded\n  http_port: 0", 0)), drivers, registry,
                Clock.systemUTC())) {
            await().atMost(Duration.ofSeconds(30)).until(gateway::sourcesReady);
            List<Gauge> gauges = registry.getMeters().stream().filter(Gauge.class::isInstance).map(Gauge.class::cast)
                    .toList();
            assertThat(gauges).extracting(g -> g.getId().getName()).contains("limes.alerts.open",
                    "limes.outbox.depth", "limes.destination.depth", "limes.live.alerts.open");

            WeakReference<Object> sentinel = new WeakReference<>(new Object());
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
                System.gc();
                return sentinel.get() == null;
            });

            assertThat(gauges).allSatisfy(g -> assertThat(g.value()).as(describe(g)).isNotNaN());
            assertThat(registry.scrape()).doesNotContain("NaN");
        }
    }

    private static String describe(Meter m) {
        return m.getId().getName() + m.getId().getTags();
    }
}
