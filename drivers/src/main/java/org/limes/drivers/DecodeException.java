package org.limes.drivers;

/**
 * A frame a driver cannot decode, saying what was wrong and where.
 *
 * <p>Exactly one of {@link #offset()} (a byte offset into the frame, or -1) and
 * {@link #field()} (a field path such as {@code counts.car}, or null) locates the fault;
 * the message always reads {@code "<where>: <reason>"}.
 */
public final class DecodeException extends Exception {

    private final String reason;
    private final long offset;
    private final String field;

    private DecodeException(String reason, long offset, String field, Throwable cause) {
        super(locate(offset, field) + ": " + reason, cause);
        this.reason = reason;
        this.offset = offset;
        this.field = field;
    }

    /** A fault at a byte offset of the frame. */
    public static DecodeException atOffset(long offset, String reason) {
        return new DecodeException(reason, offset, null, null);
    }

    /** A fault at a byte offset of the frame, keeping the underlying cause. */
    public static DecodeException atOffset(long offset, String reason, Throwable cause) {
        return new DecodeException(reason, offset, null, cause);
    }

    /** A fault in a named field of the frame. */
    public static DecodeException atField(String field, String reason) {
        return new DecodeException(reason, -1, field, null);
    }

    /** The reason alone, without the location. */
    public String reason() {
        return reason;
    }

    /** The byte offset of the fault, or -1 when it is located by field. */
    public long offset() {
        return offset;
    }

    /** The field path of the fault, or null when it is located by offset. */
    public String field() {
        return field;
    }

    /**
     * A short, stable label for metrics: {@code malformed} for a fault located by offset,
     * {@code field_<top-level field>} otherwise.
     */
    public String errorType() {
        if (field == null) {
            return "malformed";
        }
        int dot = field.indexOf('.');
        return "field_" + (dot < 0 ? field : field.substring(0, dot));
    }

    private static String locate(long offset, String field) {
        return field != null ? "field " + field : "byte " + offset;
    }
}
