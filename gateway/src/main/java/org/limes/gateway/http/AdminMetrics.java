package org.limes.gateway.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The admin server's own meters (its connections are counted as the {@code admin} source by
 * {@code SourceMetrics}): requests refused for a missing or wrong token, as
 * {@code limes.errors{component=admin, stage=receiving, error_type=unauthorised}}.
 */
final class AdminMetrics {

    private final Counter unauthorised;

    AdminMetrics(MeterRegistry registry) {
        this.unauthorised = Counter.builder("limes.errors").description("Errors, by component, stage and type")
                .tags("component", "admin", "stage", "receiving", "error_type", "unauthorised").register(registry);
    }

    /** A request refused for its token. */
    void unauthorised() {
        unauthorised.increment();
    }
}
