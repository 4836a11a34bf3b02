package org.limes.drivers.lineprotocol;

import java.util.Locale;
import java.util.Set;
import org.limes.drivers.Driver;
import org.limes.drivers.DriverFactory;
import org.limes.drivers.DriverOptions;

/**
 * Creates the {@link LineProtocolDriver}. Options: {@code device_tag} (default
 * {@code device}), the tag naming the device; {@code precision} ({@code ns} default,
 * {@code us}, {@code ms}, {@code s}), the unit of the timestamps.
 */
public final class LineProtocolDriverFactory implements DriverFactory {

    @Override
    public String name() {
        return LineProtocolDriver.NAME;
    }

    @Override
    public String description() {
        return "InfluxDB line protocol as Telegraf and InfluxDB clients write it (any measurement; device from a tag)";
    }

    @Override
    public Driver create(DriverOptions options) {
        options.requireOnly(Set.of("device_tag", "precision"));
        String deviceTag = options.string("device_tag", "device");
        if (deviceTag.isBlank()) {
            throw new IllegalArgumentException("option device_tag must not be blank");
        }
        String precision = options.oneOf("precision", "ns", Set.of("ns", "us", "ms", "s"));
        return new LineProtocolDriver(deviceTag, LineProtocolDriver.Precision.valueOf(precision.toUpperCase(Locale.ROOT)));
    }
}
