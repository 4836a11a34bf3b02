package org.limes.drivers;

/**
 * Comparisons on raw frame bytes, for the drivers' byte scanners (no decoding to {@code String}).
 * Stateless; any thread.
 */
public final class Ascii {

    private Ascii() {
    }

    /**
     * Whether {@code b[from, to)} holds exactly the characters of {@code s}, compared as single
     * bytes (so a non-ASCII {@code s} never matches a UTF-8 sequence: callers pass ASCII names).
     */
    public static boolean equals(byte[] b, int from, int to, String s) {
        if (to - from != s.length()) {
            return false;
        }
        for (int k = 0; k < s.length(); k++) {
            if (b[from + k] != s.charAt(k)) {
                return false;
            }
        }
        return true;
    }
}
