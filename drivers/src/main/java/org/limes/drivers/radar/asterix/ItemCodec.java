package org.limes.drivers.radar.asterix;

import java.io.ByteArrayOutputStream;
import org.limes.drivers.DecodeException;

/**
 * Turns the octets of one data item into values of a {@link TrackReport}, and back.
 *
 * <p>Implementations are immutable and thread-safe; they do no I/O and keep no state
 * between calls. {@link #decode} is given exactly the item's octets (already sized by
 * its {@link ItemFormat}), so it must not read outside {@code [at, at + length)}; it
 * reports content the specification rules out (a latitude beyond 90°) as a
 * {@link DecodeException} located in the item.
 */
interface ItemCodec {

    /** Reads the item at {@code at} of {@code length} octets into {@code into}. */
    void decode(byte[] b, int at, int length, TrackReport into) throws DecodeException;

    /** Whether {@code from} holds the values this item carries. */
    boolean carries(TrackReport from);

    /**
     * Writes this item's octets for the values of {@code from} and copies those values,
     * as they will decode (quantised), into {@code written}.
     *
     * @throws IllegalArgumentException when a value is outside what the item can carry
     */
    void encode(TrackReport from, TrackReport written, ByteArrayOutputStream out);
}
