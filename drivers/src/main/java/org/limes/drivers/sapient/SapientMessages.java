package org.limes.drivers.sapient;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.ExtensionRegistryLite;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import java.time.Instant;
import java.util.Locale;
import java.util.regex.Pattern;
import org.limes.drivers.DecodeException;
import org.limes.drivers.sapient.proto.SapientMessage;

/**
 * Reading and writing the SAPIENT envelope: one serialized {@link SapientMessage}, and the
 * stream framing of BSI Flex 335 v2.0 (a 4-byte little-endian unsigned length, not counting
 * itself, before each message). Shared by the driver and by the gateway's SAPIENT source and
 * centre, so that all three check a message the same way.
 *
 * <p>Stateless and thread-safe.
 */
public final class SapientMessages {

    /** Bytes of the length before each message on a stream. */
    public static final int LENGTH_BYTES = 4;

    private static final Pattern UUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    /** Protobuf's own nesting limit is 100; SAPIENT messages nest a handful deep. */
    private static final int RECURSION_LIMIT = 32;
    /** Field numbers of the contents this gateway does not take, for the error. */
    private static final String[] UNSUPPORTED = new String[13];

    static {
        UNSUPPORTED[8] = "task";
        UNSUPPORTED[9] = "task_ack";
        UNSUPPORTED[12] = "error";
    }

    private SapientMessages() {
    }

    /**
     * Parses one message and checks its envelope: a {@code node_id} that is a UUID, a valid
     * {@code timestamp}, and one content this gateway knows.
     *
     * @throws DecodeException at the byte where protobuf stopped, or naming the field
     */
    public static SapientMessage parse(byte[] payload) throws DecodeException {
        if (payload.length == 0) {
            throw DecodeException.atOffset(0, "empty frame: expected a serialized SapientMessage");
        }
        CodedInputStream in = CodedInputStream.newInstance(payload);
        in.setRecursionLimit(RECURSION_LIMIT);
        SapientMessage.Builder builder = SapientMessage.newBuilder();
        try {
            builder.mergeFrom(in, ExtensionRegistryLite.getEmptyRegistry());
        } catch (InvalidProtocolBufferException e) {
            throw DecodeException.atOffset(in.getTotalBytesRead(), reason(e), e);
        } catch (java.io.IOException e) {
            throw DecodeException.atOffset(in.getTotalBytesRead(), "unreadable protobuf: " + e.getMessage(), e);
        }
        SapientMessage message = builder.buildPartial();
        if (!message.hasNodeId() || message.getNodeId().isEmpty()) {
            throw DecodeException.atField("node_id", "is required (the UUID of the sending node)");
        }
        if (!isUuid(message.getNodeId())) {
            throw DecodeException.atField("node_id", "must be a UUID (8-4-4-4-12 hexadecimal digits), got "
                    + message.getNodeId().length() + " characters that are not");
        }
        if (!message.hasTimestamp()) {
            throw DecodeException.atField("timestamp", "is required (when the message was sent, UTC)");
        }
        instant(message.getTimestamp(), "timestamp");
        if (message.getContentCase() == SapientMessage.ContentCase.CONTENT_NOT_SET) {
            for (int number = 0; number < UNSUPPORTED.length; number++) {
                if (UNSUPPORTED[number] != null && message.getUnknownFields().hasField(number)) {
                    throw DecodeException.atField(UNSUPPORTED[number], "content " + UNSUPPORTED[number]
                            + " (field " + number + ") is not supported; supported: registration, registration_ack, "
                            + "status_report, detection_report, alert, alert_ack");
                }
            }
            throw DecodeException.atField("content", "a message carries one of registration, registration_ack, "
                    + "status_report, detection_report, alert, alert_ack; this one has none");
        }
        return message;
    }

    /** The node id as the gateway names it: lower case. Assumes {@link #parse} accepted it. */
    public static String nodeId(SapientMessage message) {
        return message.getNodeId().toLowerCase(Locale.ROOT);
    }

    public static boolean isUuid(String s) {
        return s.length() == 36 && UUID.matcher(s).matches();
    }

    /** A protobuf timestamp as an instant, checked to be a real time (years 1..9999, nanos 0..999999999). */
    static Instant instant(Timestamp t, String field) throws DecodeException {
        if (t.getSeconds() < -62_135_596_800L || t.getSeconds() > 253_402_300_799L || t.getNanos() < 0
                || t.getNanos() > 999_999_999) {
            throw DecodeException.atField(field, "is not a time between years 1 and 9999 (seconds "
                    + t.getSeconds() + ", nanos " + t.getNanos() + ")");
        }
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }

    static Timestamp timestamp(Instant t) {
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }

    /** One message with its 4-byte little-endian length before it, as written on a stream. */
    public static byte[] frame(SapientMessage message) {
        byte[] body = message.toByteArray();
        byte[] out = new byte[LENGTH_BYTES + body.length];
        putLength(out, 0, body.length);
        System.arraycopy(body, 0, out, LENGTH_BYTES, body.length);
        return out;
    }

    /** A serialized message with its 4-byte little-endian length before it. */
    public static byte[] frame(byte[] body) {
        byte[] out = new byte[LENGTH_BYTES + body.length];
        putLength(out, 0, body.length);
        System.arraycopy(body, 0, out, LENGTH_BYTES, body.length);
        return out;
    }

    /** The unsigned little-endian length at {@code at}, as a long (it may exceed an int). */
    public static long length(byte[] b, int at) {
        return (b[at] & 0xffL) | (b[at + 1] & 0xffL) << 8 | (b[at + 2] & 0xffL) << 16 | (b[at + 3] & 0xffL) << 24;
    }

    private static void putLength(byte[] out, int at, int length) {
        out[at] = (byte) length;
        out[at + 1] = (byte) (length >>> 8);
        out[at + 2] = (byte) (length >>> 16);
        out[at + 3] = (byte) (length >>> 24);
    }

    /** Protobuf's reasons, shortened to what a technician needs; the cause keeps the original. */
    private static String reason(InvalidProtocolBufferException e) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("input ended unexpectedly")) {
            return "truncated: a field runs past the end of the message";
        }
        if (m.contains("invalid tag (zero)")) {
            return "invalid protobuf field tag 0";
        }
        if (m.contains("invalid wire type")) {
            return "invalid protobuf wire type";
        }
        if (m.contains("malformed varint")) {
            return "malformed varint";
        }
        if (m.contains("negative size")) {
            return "a field claims a negative length";
        }
        if (m.contains("too many levels of nesting")) {
            return "nested deeper than " + RECURSION_LIMIT + " messages";
        }
        if (m.contains("Protocol message end-group tag did not match")) {
            return "unbalanced protobuf group";
        }
        if (m.contains("invalid UTF-8")) {
            return "a string field is not valid UTF-8";
        }
        return "not a SapientMessage: " + m;
    }
}
