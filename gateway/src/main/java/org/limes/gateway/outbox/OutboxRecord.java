package org.limes.gateway.outbox;

/**
 * One record of a destination's queue: its sequence number, what it holds and the bytes.
 *
 * @param seq     position in the queue, strictly increasing from 0, never reused
 * @param type             {@link #READING} or {@link #ALERT}
 * @param appendedAtMillis when it was appended (gateway clock, epoch milliseconds)
 * @param payload          the encoded record, as the destination's sink will send it
 */
public record OutboxRecord(long seq, byte type, long appendedAtMillis, byte[] payload) {

    /** A stored reading (line protocol). */
    public static final byte READING = 1;
    /** An alert transition. */
    public static final byte ALERT = 2;

    public static String typeName(byte type) {
        return switch (type) {
            case READING -> "reading";
            case ALERT -> "alert";
            default -> "unknown";
        };
    }
}
