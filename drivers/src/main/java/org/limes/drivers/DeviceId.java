package org.limes.drivers;

/**
 * The form of a device id that drivers accept from the wire and from their options:
 * 1 to {@value #MAX_CHARS} characters of {@code [A-Za-z0-9._:-]}.
 */
public final class DeviceId {

    public static final int MAX_CHARS = 64;

    private DeviceId() {
    }

    public static boolean isWellFormed(String s) {
        if (s.isEmpty() || s.length() > MAX_CHARS) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == ':' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
