package org.limes.drivers.counter.json;

import java.util.Set;
import org.limes.drivers.Driver;
import org.limes.drivers.DriverFactory;
import org.limes.drivers.DriverOptions;

/** Creates the {@link CounterJsonDriver}; it takes no options. */
public final class CounterJsonDriverFactory implements DriverFactory {

    private static final CounterJsonDriver DRIVER = new CounterJsonDriver();

    @Override
    public String name() {
        return CounterJsonDriver.NAME;
    }

    @Override
    public String description() {
        return "vehicle counters publishing one JSON object per counting interval (counts per class, speed, occupancy)";
    }

    @Override
    public Driver create(DriverOptions options) {
        options.requireOnly(Set.of());
        return DRIVER;
    }
}
