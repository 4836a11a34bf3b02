package org.limes.drivers.radar.asterix;

import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.limes.drivers.DecodeException;
import org.limes.drivers.Driver;
import org.limes.drivers.EventKey;
import org.limes.drivers.Frame;
import org.limes.drivers.Framing;
import org.limes.drivers.Reading;

/**
 * The {@code radar-asterix} format: EUROCONTROL ASTERIX data blocks of CAT048
 * (monoradar target reports), CAT062 (SDPS system tracks) and CAT010 (surface
 * movement), one {@code radar_track} reading per target record.
 *
 * <pre>
 * data block (one or more per frame, back to back)
 *   octet 0      CAT   category: 10, 48 or 62
 *   octets 1-2   LEN   big-endian, the whole block including CAT and LEN (4..65535)
 *   octets 3..   one or more records, filling the block exactly
 * record
 *   FSPEC        octets of 7 presence bits (MSB first: FRN 1..7, 8..14, …) and FX in the
 *                LSB (1 = another FSPEC octet follows)
 *   items        the present items in FRN order, each sized by its type in the
 *                category's UAP ({@link Cat048Uap}, {@link Cat062Uap}, {@link Cat010Uap})
 * </pre>
 *
 * <p>Worked example (CAT048, 26 octets):
 * <pre>
 * 30 00 1a      CAT 48, LEN 26
 * f1 1e         FSPEC: FRN 1, 2, 3, 4 (+FX); FRN 11, 12, 13, 14
 * 19 0c         I048/010  SAC 25, SIC 12              → tags sac=25, sic=12
 * 2a 30 00      I048/140  2764800 / 128 s             → time_of_day_s 21600.0 (06:00:00)
 * 20            I048/020  sized, skipped              → skipped_items 1
 * 0c 80 40 00   I048/040  RHO 3200/256 NM, THETA 90°  → range_m 23150.0, bearing_deg 90.0
 * 01 01         I048/161  track 257                   → tag track=257
 * 06 40 ff 00   I048/042  X 1600/128 NM, Y -2 NM      → x_m 23150.0, y_m -3704.0
 * 00 40 80 00   I048/200  64 × 2^-14 NM/s, 180°       → speed_mps 7.234375, heading_deg 180.0
 * 00            I048/170  TRE absent                  → tag status=tracking
 * </pre>
 *
 * <p>Decoding is all-or-nothing per frame: the first record that cannot be sized or
 * holds an impossible value fails the frame with a {@link DecodeException} at the
 * item's first octet, reading {@code FRN 4 (I048/040): needs 4 octets, 2 left in the
 * data block}. A record without a track number, position or velocity (a CAT010 status
 * message, a bare plot header) yields no reading. Lengths claimed by the input (LEN,
 * REP, explicit lengths) are checked against the octets present before use; nothing is
 * allocated in proportion to them.
 *
 * <p>Immutable and thread-safe: one instance serves every source and thread.
 */
public final class AsterixDriver implements Driver {

    public static final String NAME = "radar-asterix";

    private static final int HEADER = 3;
    private static final int MAX_BLOCK = 65_535;
    /** 1/128 s, the LSB of a time of day, in whole µs (7 812.5 rounded down). */
    static final long PLOT_PRECISION_US = 7_812;

    private final String device;
    private final SensorPosition sensor;

    /**
     * @param device the device id every reading carries (the source knows which sensor it listens to)
     * @param sensor where the sensor (or the system reference point, for CAT062) stands, or null
     */
    AsterixDriver(String device, SensorPosition sensor) {
        this.device = device;
        this.sensor = sensor;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Framing framing() {
        return Framing.ASTERIX_BLOCK;
    }

    @Override
    public List<Reading> decode(Frame frame) throws DecodeException {
        byte[] b = frame.payload();
        if (b.length == 0) {
            throw DecodeException.atOffset(0, "empty frame: expected an ASTERIX data block (CAT, LEN, records)");
        }
        List<Reading> readings = new ArrayList<>();
        int block = 0;
        while (block < b.length) {
            if (b.length - block < HEADER) {
                throw DecodeException.atOffset(block, "data block header needs 3 octets (CAT, LEN), "
                        + (b.length - block) + " left in the frame");
            }
            int category = b[block] & 0xff;
            int length = (int) TrackItems.unsigned(b, block + 1, 2);
            if (length <= HEADER) {
                throw DecodeException.atOffset(block + 1, "LEN " + length
                        + " leaves no room for a record (a block is CAT, LEN and at least one record)");
            }
            if (length > b.length - block) {
                throw DecodeException.atOffset(block + 1, "LEN " + length + " runs past the end of the frame ("
                        + (b.length - block) + " octets left)");
            }
            Uap uap = uap(category);
            if (uap == null) {
                throw DecodeException.atOffset(block, "category " + category
                        + " is not supported (supported: 10, 48, 62)");
            }
            int end = block + length;
            int record = block + HEADER;
            while (record < end) {
                record = decodeRecord(uap, b, record, end, frame.receivedAt(), readings);
            }
            block = end;
        }
        return readings;
    }

    /** Decodes the record at {@code at}, adds its reading if it describes a target; returns the next record's offset. */
    private int decodeRecord(Uap uap, byte[] b, int at, int end, Instant receivedAt, List<Reading> readings)
            throws DecodeException {
        long present = 0;
        int fspec = 0;
        int maxOctets = uap.maxFspecOctets();
        do {
            if (fspec == maxOctets) {
                throw DecodeException.atOffset(at + fspec, "FSPEC longer than the " + maxOctets
                        + " octets CAT" + uap.label() + " defines");
            }
            if (at + fspec >= end) {
                throw DecodeException.atOffset(at + fspec, "FSPEC runs past the end of the data block");
            }
            int octet = b[at + fspec] & 0xff;
            for (int bit = 0; bit < 7; bit++) {
                if ((octet & (0x80 >>> bit)) != 0) {
                    present |= 1L << (fspec * 7 + bit);
                }
            }
            fspec++;
        } while ((b[at + fspec - 1] & 1) != 0);
        if (present == 0) {
            throw DecodeException.atOffset(at, "record with an empty FSPEC (no item present)");
        }
        TrackReport report = new TrackReport();
        int pos = at + fspec;
        for (int slot = 0; slot < 64; slot++) {
            if ((present & (1L << slot)) == 0) {
                continue;
            }
            int frn = slot + 1;
            DataItem item = uap.item(frn);
            if (item == null) {
                throw DecodeException.atOffset(pos, "FRN " + frn + " is not defined in the CAT" + uap.label()
                        + " UAP, so the record cannot be sized");
            }
            try {
                int size = item.format().size(b, pos, end);
                if (item.decoded()) {
                    item.codec().decode(b, pos, size, report);
                } else {
                    report.skipped++;
                }
                pos += size;
            } catch (DecodeException e) {
                throw DecodeException.atOffset(e.offset(), "FRN " + frn + " (" + item.id() + "): " + e.reason(), e);
            }
        }
        if (report.describesATarget()) {
            report.derive(sensor);
            Reading r = new Reading(device, "", TrackReport.KIND, report.tags(uap.category()), report.fields(),
                    report.deviceTime(receivedAt), receivedAt);
            readings.add(report.track < 0 ? EventKey.mark(r, plotPrecisionUs(r)) : r);
        }
        return pos;
    }

    /**
     * Encodes one {@code radar_track} reading as a data block of the category its tag
     * {@code category} names (10, 48 or 62), holding one record with the items that carry
     * its tags and fields. Values are rounded to the items' LSBs. Fields the decoder
     * derives (speed and heading from a Cartesian velocity, lat/lon from a local position
     * with a sensor position configured) are not written: decoding derives them again;
     * a reading may leave them out, and {@code skipped_items} too (decoding adds them).
     * {@code skipped_items = n} is written as n zero-filled placeholders of the first
     * items this driver only sizes, so that a decoded reading re-encodes to an equal one.
     *
     * @throws IllegalArgumentException naming the tag or field the category cannot carry
     */
    @Override
    public byte[] encode(Reading given) {
        Reading reading = withoutEventKey(given);
        if (!TrackReport.KIND.equals(reading.kind())) {
            throw new IllegalArgumentException("radar-asterix encodes kind radar_track, got " + reading.kind());
        }
        if (!device.equals(reading.deviceId())) {
            throw new IllegalArgumentException("this driver speaks for device " + device + ", got a reading of "
                    + reading.deviceId());
        }
        String categoryTag = reading.tags().get(TrackReport.TAG_CATEGORY);
        Uap uap = categoryTag == null ? null : switch (categoryTag) {
            case "10" -> Cat010Uap.UAP;
            case "48" -> Cat048Uap.UAP;
            case "62" -> Cat062Uap.UAP;
            default -> null;
        };
        if (uap == null) {
            throw new IllegalArgumentException("tag category must be 10, 48 or 62, got "
                    + (categoryTag == null ? "none" : "'" + categoryTag + "'"));
        }
        TrackReport from = TrackReport.of(reading.tags(), reading.fields());
        from.dropDerived(sensor);
        TrackReport written = new TrackReport();
        byte[][] items = new byte[uap.items().length][];
        int placeholders = from.skipped;
        for (DataItem item : uap.items()) {
            if (item == null) {
                continue;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(8);
            if (item.decoded() && item.codec().carries(from)) {
                item.codec().encode(from, written, out);
                items[item.frn() - 1] = out.toByteArray();
            } else if (!item.decoded() && placeholders > 0) {
                items[item.frn() - 1] = item.format().placeholder();
                placeholders--;
                written.skipped++;
            }
        }
        if (placeholders > 0) {
            throw new IllegalArgumentException("field skipped_items must be at most " + written.skipped
                    + " in CAT" + uap.label() + ", got " + from.skipped);
        }
        if (!written.describesATarget()) {
            throw new IllegalArgumentException("a radar_track reading needs a track number, a position or a velocity");
        }
        Set<String> carried = written.fields().keySet();
        written.derive(sensor);
        Map<String, Object> fields = written.fields();
        fields.keySet().removeIf(k -> !carried.contains(k) && !reading.fields().containsKey(k));
        if (!reading.fields().containsKey(TrackReport.SKIPPED)) {
            fields.remove(TrackReport.SKIPPED);
        }
        if (!fields.keySet().equals(reading.fields().keySet())) {
            throw new IllegalArgumentException("CAT" + uap.label() + (sensor == null ? " without a sensor position" : "")
                    + " carries the fields " + fields.keySet() + " of this reading, not " + reading.fields().keySet());
        }
        if (!written.tags(uap.category()).equals(reading.tags())) {
            throw new IllegalArgumentException("CAT" + uap.label() + " carries the tags "
                    + written.tags(uap.category()) + " of this reading, not " + reading.tags());
        }
        return block(uap.category(), items);
    }

    /** The reading without its event mark, which is derived on decoding, after checking it. */
    private static Reading withoutEventKey(Reading reading) {
        Object precision = reading.fields().get(EventKey.FIELD);
        if (precision == null) {
            return reading;
        }
        if (reading.tags().containsKey(TrackReport.TAG_TRACK) || !precision.equals(plotPrecisionUs(reading))) {
            throw new IllegalArgumentException("field " + EventKey.FIELD + " belongs to a plot (no track) only, and is "
                    + plotPrecisionUs(reading) + " for this one, got " + precision);
        }
        Map<String, Object> plain = new TreeMap<>(reading.fields());
        plain.remove(EventKey.FIELD);
        return new Reading(reading.deviceId(), reading.site(), reading.kind(), reading.tags(), plain,
                reading.deviceTime(), reading.receivedAt());
    }

    /**
     * A plot (a report without a track number) is an event: two plots of one sensor in one
     * time step must not share a store key ({@link EventKey}). Its device time's precision is
     * the time of day's LSB, 1/128 s, of which 7 812 whole µs; without a time of day it is
     * the receive time, kept apart below 1 ms.
     */
    static long plotPrecisionUs(Reading plot) {
        return plot.fields().containsKey(TrackReport.TIME_OF_DAY) ? PLOT_PRECISION_US : 1_000;
    }

    private static byte[] block(int category, byte[][] items) {
        int last = items.length;
        while (last > 0 && items[last - 1] == null) {
            last--;
        }
        int fspecOctets = (last + 6) / 7;
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        out.write(category);
        out.write(0);
        out.write(0);
        for (int octet = 0; octet < fspecOctets; octet++) {
            int bits = octet < fspecOctets - 1 ? 1 : 0;
            for (int bit = 0; bit < 7; bit++) {
                int slot = octet * 7 + bit;
                if (slot < last && items[slot] != null) {
                    bits |= 0x80 >>> bit;
                }
            }
            out.write(bits);
        }
        for (byte[] item : items) {
            if (item != null) {
                out.writeBytes(item);
            }
        }
        byte[] block = out.toByteArray();
        if (block.length > MAX_BLOCK) {
            throw new IllegalArgumentException("record too long for a data block: " + block.length + " octets");
        }
        block[1] = (byte) (block.length >>> 8);
        block[2] = (byte) block.length;
        return block;
    }

    static Uap uap(int category) {
        return switch (category) {
            case 10 -> Cat010Uap.UAP;
            case 48 -> Cat048Uap.UAP;
            case 62 -> Cat062Uap.UAP;
            default -> null;
        };
    }
}
