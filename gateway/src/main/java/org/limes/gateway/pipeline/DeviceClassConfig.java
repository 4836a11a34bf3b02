package org.limes.gateway.pipeline;

import org.limes.gateway.config.Require;

/**
 * {@code inventory.classes.<class>:} — what all devices of one class have in common.
 *
 * @param expectedInterval how often a device of this class reports at the latest, e.g.
 *                         {@code 2m}; a device may override it
 */
public record DeviceClassConfig(String expectedInterval) {

    public DeviceClassConfig {
        Require.present("expected_interval", expectedInterval);
        Require.duration("expected_interval", expectedInterval, 0, 1_000, 7 * 86_400_000L);
    }

    public long expectedIntervalMs() {
        return Require.duration("expected_interval", expectedInterval, 0, 1_000, 7 * 86_400_000L);
    }
}
