package org.limes.drivers;

import java.util.List;

/**
 * A named device wire format: decodes frames into readings and encodes readings back
 * into frames for the simulator.
 *
 * <p>Drivers are pure functions: no I/O, no threads, no clock reads (the receive time
 * comes with the {@link Frame}), no logging and no metrics. A driver instance is
 * immutable and safe to call from any number of threads at once. It never imports
 * Netty or Paho.
 *
 * <p>Decoding either returns the readings of the whole frame or throws a
 * {@link DecodeException} saying where and why; it never throws anything else, for any
 * input (the contract test kit checks this with empty, truncated and random bytes).
 *
 * <p>A format whose frame holds several independent records (lines of line protocol,
 * NMEA sentences) overrides {@link #decodeAll} so that one bad record does not take the
 * good ones around it down; {@link #decode} then throws the first record's error.
 */
public interface Driver {

    /** The configuration name of this format, e.g. {@code counter-json}. */
    String name();

    /** How frames of this format are delimited on a byte stream. */
    Framing framing();

    /**
     * Decodes one frame.
     *
     * @return the readings in the frame, in frame order; never null, may be empty
     * @throws DecodeException when the frame is malformed, with the offset or field
     */
    List<Reading> decode(Frame frame) throws DecodeException;

    /**
     * Decodes one frame record by record: the readings of the good records and the error
     * of each bad one. The default is all or nothing, {@link #decode} wrapped; drivers of
     * multi-record frames override it. Never throws.
     */
    default DecodeResult decodeAll(Frame frame) {
        try {
            return DecodeResult.of(decode(frame));
        } catch (DecodeException e) {
            return DecodeResult.failed(e);
        }
    }

    /**
     * Encodes one reading as a frame of this format, the inverse of {@link #decode}:
     * decoding the result yields an equal reading (site and receive time aside).
     *
     * @throws IllegalArgumentException when the reading cannot be expressed in this format
     */
    byte[] encode(Reading reading);
}
