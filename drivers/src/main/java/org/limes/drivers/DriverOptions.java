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

    /** A required option; fails naming it when absent or blank. */
    public String required(String key, String expected) {
        String v = values.get(key);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("option " + key + " is required: " + expected);
        }
        return v;
    }

    /** A whole number in {@code min..max}, or the fallback when absent. */
    public long integer(String key, long fallback, long min, long max) {
        String v = values.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below, with the expected range
        }
        throw new IllegalArgumentException("option " + key + " must be an integer " + min + ".." + max + ", got '" + v + "'");
    }

    /** {@code true} or {@code false}, or the fallback when absent. */
    public boolean bool(String key, boolean fallback) {
        String v = values.get(key);
        if (v == null) {
            return fallback;
        }
        return switch (v.trim()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("option " + key + " must be true or false, got '" + v + "'");
        };
    }

    /** One of the allowed values, or the fallback when absent. */
    public String oneOf(String key, String fallback, Set<String> allowed) {
        String v = values.get(key);
        if (v == null) {
            return fallback;
        }
        if (!allowed.contains(v)) {
            throw new IllegalArgumentException("option " + key + " must be one of " + allowed.stream().sorted().toList()
                    + ", got '" + v + "'");
        }
        return v;
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
