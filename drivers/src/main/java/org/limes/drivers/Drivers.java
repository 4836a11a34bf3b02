package org.limes.drivers;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * The driver factories found on the class path through {@link ServiceLoader}, by name.
 * Immutable once built; safe to share.
 */
public final class Drivers {

    private final Map<String, DriverFactory> factories;

    private Drivers(Map<String, DriverFactory> factories) {
        this.factories = Collections.unmodifiableMap(factories);
    }

    /** Every factory registered on the class path of this class's loader. */
    public static Drivers load() {
        TreeMap<String, DriverFactory> byName = new TreeMap<>();
        for (DriverFactory f : ServiceLoader.load(DriverFactory.class, Drivers.class.getClassLoader())) {
            DriverFactory previous = byName.put(f.name(), f);
            if (previous != null) {
                throw new IllegalStateException("two drivers named " + f.name() + ": "
                        + previous.getClass().getName() + " and " + f.getClass().getName());
            }
        }
        return new Drivers(byName);
    }

    public List<String> names() {
        return List.copyOf(factories.keySet());
    }

    public boolean has(String name) {
        return factories.containsKey(name);
    }

    public DriverFactory factory(String name) {
        DriverFactory f = factories.get(name);
        if (f == null) {
            throw new IllegalArgumentException("unknown driver '" + name + "', expected one of " + names());
        }
        return f;
    }

    public Driver create(String name, DriverOptions options) {
        return factory(name).create(options);
    }
}
