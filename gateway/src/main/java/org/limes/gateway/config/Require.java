package org.limes.gateway.config;

import java.util.Collection;
import java.util.Locale;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks for configuration records' compact constructors. Each throws
 * {@link IllegalArgumentException} whose message starts with the key, so the loader can
 * prefix the path: {@code port must be 1..65535, got 70000}.
 */
public final class Require {

    private static final Pattern DURATION = Pattern.compile("(\\d{1,12})(ms|s|m|h|d)");

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

    /**
     * A duration written with its unit, {@code 500ms}, {@code 60s}, {@code 10m}, {@code 2h}
     * or {@code 1d}, as milliseconds; {@code fallback} when absent.
     */
    public static long duration(String key, String value, long fallback, long minMs, long maxMs) {
        if (value == null) {
            return fallback;
        }
        Matcher m = DURATION.matcher(value.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(key + " must be a duration with a unit (ms, s, m, h, d) like 60s, got '"
                    + value + "'");
        }
        long n = Long.parseLong(m.group(1));
        long unit = switch (m.group(2)) {
            case "ms" -> 1L;
            case "s" -> 1_000L;
            case "m" -> 60_000L;
            case "h" -> 3_600_000L;
            default -> 86_400_000L;
        };
        long ms = n > Long.MAX_VALUE / unit ? Long.MAX_VALUE : n * unit;
        if (ms < minMs || ms > maxMs) {
            throw new IllegalArgumentException(key + " must be " + describeMs(minMs) + ".." + describeMs(maxMs)
                    + ", got '" + value + "'");
        }
        return ms;
    }

    private static String describeMs(long ms) {
        if (ms % 86_400_000L == 0 && ms > 0) {
            return ms / 86_400_000L + "d";
        }
        if (ms % 3_600_000L == 0 && ms > 0) {
            return ms / 3_600_000L + "h";
        }
        if (ms % 60_000L == 0 && ms > 0) {
            return ms / 60_000L + "m";
        }
        if (ms % 1_000L == 0) {
            return ms / 1_000L + "s";
        }
        return ms + "ms";
    }

    public static String identifier(String key, String value) {
        nonBlank(key, value);
        if (!value.matches("[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")) {
            throw new IllegalArgumentException(key + " must be 1-64 letters, digits or . _ : - , got '" + value + "'");
        }
        return value;
    }
}
