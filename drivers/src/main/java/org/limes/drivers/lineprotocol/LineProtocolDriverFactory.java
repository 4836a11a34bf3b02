package org.limes.drivers.lineprotocol;

import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.limes.drivers.Driver;
import org.limes.drivers.DriverFactory;
import org.limes.drivers.DriverOptions;

/**
 * Creates the {@link LineProtocolDriver}. Options: {@code device_tag} (default
 * {@code device}), the tag naming the device; {@code precision} ({@code ns} default,
 * {@code us}, {@code ms}, {@code s}), the unit of the timestamps; {@code allow_kinds} (default
 * none), a comma-separated list of the kinds Limes drivers write ({@code vehicle_count}, …)
 * that this source's devices may write too.
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
        options.requireOnly(Set.of("device_tag", "precision", "allow_kinds"));
        String deviceTag = options.string("device_tag", "device");
        if (deviceTag.isBlank()) {
            throw new IllegalArgumentException("option device_tag must not be blank");
        }
        String precision = options.oneOf("precision", "ns", Set.of("ns", "us", "ms", "s"));
        Set<String> allowedKinds = new TreeSet<>();
        for (String kind : options.string("allow_kinds", "").split(",")) {
            if (!kind.isBlank()) {
                allowedKinds.add(kind.trim());
            }
        }
        try {
            return new LineProtocolDriver(deviceTag, LineProtocolDriver.Precision.valueOf(
                    precision.toUpperCase(Locale.ROOT)), allowedKinds);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("option " + e.getMessage(), e);
        }
    }
}
