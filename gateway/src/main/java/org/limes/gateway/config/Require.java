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

    /**
     * A duration written with its unit, {@code 500ms}, {@code 60s}, {@code 10m}, {@code 2h}
     * or {@code 1d}, as milliseconds; {@code fallback} when absent.
     */
    public static long duration(String key, String value, long fallback, long minMs, long maxMs) {
        if (value == null) {
            return fallback;
        }
        // By hand rather than a regex: every inventory device has one, and start-up reads
        // 10,000 of them (and each again per deadman rule). The grammar is 1-12 ASCII digits,
        // then ms, s, m, h or d, with surrounding white space ignored (String.trim).
        String v = value.trim();
        int digits = 0;
        long n = 0;
        while (digits < v.length() && v.charAt(digits) >= '0' && v.charAt(digits) <= '9') {
            n = n * 10 + (v.charAt(digits) - '0');
            digits++;
        }
        long unit = digits == 0 || digits > 12 ? -1 : unitMs(v, digits);
        if (unit < 0) {
            throw new IllegalArgumentException(key + " must be a duration with a unit (ms, s, m, h, d) like 60s, got '"
                    + value + "'");
        }
        long ms = n > Long.MAX_VALUE / unit ? Long.MAX_VALUE : n * unit;
        if (ms < minMs || ms > maxMs) {
            throw new IllegalArgumentException(key + " must be " + describeMs(minMs) + ".." + describeMs(maxMs)
                    + ", got '" + value + "'");
        }
        return ms;
    }

    /** The milliseconds of the unit that is all of {@code v} from {@code at}, or -1 when it is none. */
    private static long unitMs(String v, int at) {
        int left = v.length() - at;
        if (left == 2) {
            return v.charAt(at) == 'm' && v.charAt(at + 1) == 's' ? 1L : -1;
        }
        if (left != 1) {
            return -1;
        }
        return switch (v.charAt(at)) {
            case 's' -> 1_000L;
            case 'm' -> 60_000L;
            case 'h' -> 3_600_000L;
            case 'd' -> 86_400_000L;
            default -> -1;
        };
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
        if (!isIdentifier(value)) {
            throw new IllegalArgumentException(key + " must be 1-64 letters, digits or . _ : - , got '" + value + "'");
        }
        return value;
    }

    /**
     * {@code [A-Za-z0-9][A-Za-z0-9._:-]{0,63}}, checked by hand: every inventory device has two
     * (id and site), and {@link String#matches} compiled the pattern again for each.
     */
    private static boolean isIdentifier(String v) {
        int n = v.length();
        if (n == 0 || n > 64 || !isAsciiLetterOrDigit(v.charAt(0))) {
            return false;
        }
        for (int i = 1; i < n; i++) {
            char c = v.charAt(i);
            if (!isAsciiLetterOrDigit(c) && c != '.' && c != '_' && c != ':' && c != '-') {
                return false;
            }
        }
        return true;
    }

    private static boolean isAsciiLetterOrDigit(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
    }
}
