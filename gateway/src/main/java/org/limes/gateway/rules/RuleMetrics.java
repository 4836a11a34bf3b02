package org.limes.gateway.rules;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.IntSupplier;

/** The meters of the rule engine (component spec in STYLE.md). Thread-safe. */
public final class RuleMetrics {

    private final MeterRegistry registry;
    private final ConcurrentMap<String, Counter> counters = new ConcurrentHashMap<>();

    public RuleMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** {@code limes.clock.skew{device}}: the device's last clock offset in seconds (ahead > 0). */
    void skewGauge(DeviceTable devices, int d) {
        Gauge.builder("limes.clock.skew", devices, t -> t.offsetMs(d) / 1000.0)
                .description("Device time minus gateway receive time of the device's last reading")
                .baseUnit("seconds").tag("device", devices.id(d)).strongReference(true).register(registry);
    }

    /**
     * Open alerts of one shard. Like every gauge of the gateway, held strongly: Micrometer
     * holds a gauge's object weakly by default, and {@code open} (a method reference) is held
     * by nothing else, so it would be collected and the gauge read NaN.
     */
    public void openGauge(int shard, IntSupplier open) {
        Gauge.builder("limes.alerts.open", open, IntSupplier::getAsInt).description("Alert episodes open")
                .tag("shard", Integer.toString(shard)).strongReference(true).register(registry);
    }

    void quarantined(String policy) {
        counter("limes.quarantined", "Readings whose device time was beyond the allowed skew",
                "component", "rules", "reason", "clock_skew", "policy", policy).increment();
        if ("drop".equals(policy)) {
            counter("limes.dropped", "Records dropped, by reason", "component", "pipeline", "reason", "clock_skew")
                    .increment();
        }
    }

    /**
     * A rule's bounded state was full and pushed out an open episode, which was cleared with
     * reason {@code evicted}: {@code limes.dropped{component=rules,reason=track_limit|passage_limit}}.
     */
    void evicted(String reason) {
        counter("limes.dropped", "Records dropped, by reason", "component", "rules", "reason", reason).increment();
    }

    /** A reading of an accepted unknown device was stored but not evaluated: no room for more devices. */
    public void unevaluated() {
        counter("limes.rules.unevaluated", "Readings not evaluated by rules because the device table was full",
                "reason", "device_limit").increment();
    }

    /** A rules reload, {@code ok} or {@code rejected}. */
    public void reload(String outcome) {
        counter("limes.rules.reloads", "Rules reloads, by outcome", "outcome", outcome).increment();
    }

    /** An error keeping the alert state on disk. */
    void stateError(String errorType) {
        counter("limes.errors", "Errors, by component, stage and type", "component", "rules", "stage",
                "processing", "error_type", errorType).increment();
    }

    private Counter counter(String name, String description, String... tags) {
        StringBuilder key = new StringBuilder(name);
        for (String t : tags) {
            key.append('\0').append(t);
        }
        return counters.computeIfAbsent(key.toString(), k -> Counter.builder(name).description(description)
                .tags(tags).register(registry));
    }

    public MeterRegistry registry() {
        return registry;
    }
}
