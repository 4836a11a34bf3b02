package org.limes.drivers;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The per-source options of a driver, as strings from the configuration, with typed
 * getters whose errors name the option.
 */
public final class DriverOptions {

    private static final DriverOptions EMPTY = new DriverOptions(Map.of());

    private final Map<String, String> values;

    private DriverOptions(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    public static DriverOptions of(Map<String, String> values) {
        return values.isEmpty() ? EMPTY : new DriverOptions(values);
    }

    public static DriverOptions empty() {
        return EMPTY;
    }

    public String string(String key, String fallback) {
        return values.getOrDefault(key, fallback);
    }

    public double number(String key, double fallback) {
        String v = values.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option " + key + " must be a number, got '" + v + "'", e);
        }
    }

    /** Fails naming the first option that is not among the known ones. */
    public void requireOnly(Set<String> known) {
        for (String key : new TreeMap<>(values).keySet()) {
            if (!known.contains(key)) {
                throw new IllegalArgumentException("unknown option " + key + ", expected one of "
                        + known.stream().sorted().toList());
            }
        }
    }

    public Map<String, String> asMap() {
        return values;
    }
}
