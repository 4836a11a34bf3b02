package org.limes.drivers.camera;

/**
 * How an error tells what is wrong with a plate without quoting it: a plate is personal
 * data, and a driver's error is logged and sent back to the device. The camera drivers
 * describe a bad plate by its length and its first control character, never its text.
 * Stateless and thread-safe.
 */
public final class PlateText {

    private PlateText() {
    }

    /** What a rejected plate value is like, e.g. {@code 40 characters} or {@code a number}; never its text. */
    public static String describe(Object plate) {
        if (plate == null) {
            return "none";
        }
        if (!(plate instanceof CharSequence s)) {
            return plate instanceof Number ? "a number" : "a " + plate.getClass().getSimpleName();
        }
        int length = s.toString().codePointCount(0, s.length());
        StringBuilder sb = new StringBuilder().append(length).append(length == 1 ? " character" : " characters");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c)) {
                sb.append(", a control character (U+").append(String.format("%04X", (int) c)).append(") at ")
                        .append(i + 1);
                break;
            }
        }
        if (s.length() > 0 && (Character.isWhitespace(s.charAt(0)) || Character.isWhitespace(s.charAt(s.length() - 1)))) {
            sb.append(", outer white space");
        }
        return sb.toString();
    }
}
