package org.limes.drivers;

/**
 * A frame a driver cannot decode, saying what was wrong and where.
 *
 * <p>Exactly one of {@link #offset()} (a byte offset into the frame, or -1),
 * {@link #field()} (a field path such as {@code counts.car}, or null) and
 * {@link #line()} with {@link #column()} (1-based, of a text frame of several lines, or -1)
 * locates the fault; the message always reads {@code "<where>: <reason>"}, where is
 * {@code byte 12}, {@code field counts.car} or {@code line 3, column 17}.
 */
public final class DecodeException extends Exception {

    private final String reason;
    private final long offset;
    private final String field;
    private final int line;
    private final int column;

    private DecodeException(String reason, long offset, String field, int line, int column, Throwable cause) {
        super(locate(offset, field, line, column) + ": " + reason, cause);
        this.reason = reason;
        this.offset = offset;
        this.field = field;
        this.line = line;
        this.column = column;
    }

    /** A fault at a byte offset of the frame. */
    public static DecodeException atOffset(long offset, String reason) {
        return new DecodeException(reason, offset, null, -1, -1, null);
    }

    /** A fault at a byte offset of the frame, keeping the underlying cause. */
    public static DecodeException atOffset(long offset, String reason, Throwable cause) {
        return new DecodeException(reason, offset, null, -1, -1, cause);
    }

    /** A fault in a named field of the frame. */
    public static DecodeException atField(String field, String reason) {
        return new DecodeException(reason, -1, field, -1, -1, null);
    }

    /** A fault at a line and column (both 1-based, column counted in characters) of a text frame. */
    public static DecodeException atLine(int line, int column, String reason) {
        return new DecodeException(reason, -1, null, line, column, null);
    }

    /** The reason alone, without the location. */
    public String reason() {
        return reason;
    }

    /** The byte offset of the fault, or -1 when it is located otherwise. */
    public long offset() {
        return offset;
    }

    /** The field path of the fault, or null when it is located otherwise. */
    public String field() {
        return field;
    }

    /** The 1-based line of the fault, or -1 when it is located otherwise. */
    public int line() {
        return line;
    }

    /** The 1-based column of the fault within {@link #line()}, or -1 when it is located otherwise. */
    public int column() {
        return column;
    }

    /**
     * A short, stable label for metrics: {@code malformed} for a fault located by offset or line,
     * {@code field_<top-level field>} otherwise (the path up to the first '.', '[', space or '(').
     */
    public String errorType() {
        if (field == null) {
            return "malformed";
        }
        int end = 0;
        while (end < field.length() && ".[ (".indexOf(field.charAt(end)) < 0) {
            end++;
        }
        return "field_" + field.substring(0, end);
    }

    private static String locate(long offset, String field, int line, int column) {
        if (field != null) {
            return "field " + field;
        }
        return line > 0 ? "line " + line + ", column " + column : "byte " + offset;
    }
}
