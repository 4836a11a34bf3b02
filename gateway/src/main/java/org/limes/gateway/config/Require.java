package org.limes.gateway.config;

import java.util.Collection;
import java.util.Locale;
import java.util.TreeSet;

/**
 * Checks for configuration records' compact constructors. Each throws
 * {@link IllegalArgumentException} whose message starts with the key, so the loader can
 * prefix the path: {@code port must be 1..65535, got 70000}.
 */
public final class Require {

    private Require() {
    }

    public static String nonBlank(String key, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(key + " is required and must not be blank");
        }
        return value;
    }

    public static <T> T present(String key, T value) {
        if (value == null) {
            throw new IllegalArgumentException(key + " is required");
        }
        return value;
    }

    public static int port(String key, Integer value, int fallback, boolean zeroAllowed) {
        int v = value == null ? fallback : value;
        int min = zeroAllowed ? 0 : 1;
        if (v < min || v > 65535) {
            throw new IllegalArgumentException(key + " must be " + min + "..65535, got " + v);
        }
        return v;
    }

    public static long range(String key, Number value, long fallback, long min, long max) {
        long v = value == null ? fallback : value.longValue();
        if (v < min || v > max) {
            throw new IllegalArgumentException(key + " must be " + min + ".." + max + ", got " + v);
        }
        return v;
    }

    public static String oneOf(String key, String value, String fallback, Collection<String> allowed) {
        String v = value == null ? fallback : value.toLowerCase(Locale.ROOT);
        if (!allowed.contains(v)) {
            throw new IllegalArgumentException(key + " must be one of " + new TreeSet<>(allowed) + ", got '" + value
                    + "'");
        }
        return v;
    }

    public static String identifier(String key, String value) {
        nonBlank(key, value);
        if (!value.matches("[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")) {
            throw new IllegalArgumentException(key + " must be 1-64 letters, digits or . _ : - , got '" + value + "'");
        }
        return value;
    }
}
