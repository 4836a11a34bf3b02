package org.limes.drivers;

import java.util.ArrayList;
import java.util.List;

/**
 * What a frame of several independent records decoded to: the readings of its good
 * records, in frame order, and one {@link DecodeException} per bad record, in frame
 * order. A frame whose every record is good has no errors; a frame a driver decodes all
 * or nothing has either readings or exactly one error.
 *
 * <p>A frame may also carry {@link Attachment}s: binary parts (pictures) that belong to one
 * of its readings and are never stored with it.
 *
 * @param readings    the readings of the good records, never null
 * @param errors      the faults of the bad records, never null
 * @param attachments the binary parts of the frame's readings, never null
 */
public record DecodeResult(List<Reading> readings, List<DecodeException> errors, List<Attachment> attachments) {

    public DecodeResult {
        readings = List.copyOf(readings);
        errors = List.copyOf(errors);
        attachments = List.copyOf(attachments);
        for (Attachment a : attachments) {
            if (a.reading() >= readings.size()) {
                throw new IllegalArgumentException("attachment " + a.name() + " belongs to reading " + a.reading()
                        + " of " + readings.size());
            }
        }
    }

    /** Readings and errors, without attachments. */
    public DecodeResult(List<Reading> readings, List<DecodeException> errors) {
        this(readings, errors, List.of());
    }

    /**
     * Decodes one record of a line-oriented frame.
     *
     * @see #eachLine
     */
    @FunctionalInterface
    public interface LineDecoder {
        /**
         * @param number the line's number in the frame, from 1
         * @param from   where the line starts in the payload
         * @param to     where it ends, without its {@code \n} or {@code \r\n}; {@code from} for an empty line
         * @return the line's reading, or null when it holds none (a blank or comment line)
         * @throws DecodeException when the line is malformed
         */
        Reading decode(int number, int from, int to) throws DecodeException;
    }

    /**
     * A frame of lines ({@code \n}, optionally {@code \r\n}) decoded line by line: the readings of
     * the good lines and the error of each bad one, in frame order, so one bad line does not take
     * the good ones around it down. A final line without its {@code \n} counts; an empty payload
     * has no lines.
     */
    public static DecodeResult eachLine(byte[] payload, LineDecoder decoder) {
        List<Reading> readings = new ArrayList<>();
        List<DecodeException> errors = new ArrayList<>();
        int start = 0;
        int number = 0;
        while (start < payload.length) {
            number++;
            int end = start;
            while (end < payload.length && payload[end] != '\n') {
                end++;
            }
            int stop = end > start && payload[end - 1] == '\r' ? end - 1 : end;
            try {
                Reading r = decoder.decode(number, start, stop);
                if (r != null) {
                    readings.add(r);
                }
            } catch (DecodeException e) {
                errors.add(e);
            }
            start = end + 1;
        }
        return new DecodeResult(readings, errors);
    }

    /** A frame that decoded whole. */
    public static DecodeResult of(List<Reading> readings) {
        return new DecodeResult(readings, List.of());
    }

    /** A frame that failed whole. */
    public static DecodeResult failed(DecodeException error) {
        return new DecodeResult(List.of(), List.of(error));
    }

    /** The readings, or the first error when there is one: the all-or-nothing view. */
    public List<Reading> readingsOrThrow() throws DecodeException {
        if (!errors.isEmpty()) {
            throw errors.get(0);
        }
        return readings;
    }
}
