package org.limes.drivers.camera.json;

import java.util.Set;
import org.limes.drivers.Driver;
import org.limes.drivers.DriverFactory;
import org.limes.drivers.DriverOptions;

/** Creates the {@link CameraJsonDriver}; it takes no options. */
public final class CameraJsonDriverFactory implements DriverFactory {

    private static final CameraJsonDriver DRIVER = new CameraJsonDriver();

    @Override
    public String name() {
        return CameraJsonDriver.NAME;
    }

    @Override
    public String description() {
        return "analytics cameras publishing one JSON object per event: ANPR reads, people and vehicle counts per zone, health";
    }

    @Override
    public Driver create(DriverOptions options) {
        options.requireOnly(Set.of());
        return DRIVER;
    }
}
