package org.limes.drivers;

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
