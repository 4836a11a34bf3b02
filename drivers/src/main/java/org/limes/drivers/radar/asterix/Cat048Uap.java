package org.limes.drivers.radar.asterix;

import org.limes.drivers.radar.asterix.ItemFormat.Compound;
import org.limes.drivers.radar.asterix.ItemFormat.Explicit;
import org.limes.drivers.radar.asterix.ItemFormat.Extended;
import org.limes.drivers.radar.asterix.ItemFormat.Fixed;
import org.limes.drivers.radar.asterix.ItemFormat.Repetitive;

/**
 * The User Application Profile of CAT048, monoradar target reports (edition 1.2x).
 *
 * <pre>
 * FRN  item      octets        decoded as
 * ---  --------  ------------  ------------------------------------------------------
 *  1   I048/010  2             tags sac, sic
 *  2   I048/140  3             time_of_day_s (LSB 1/128 s)
 *  3   I048/020  1+ extended   (sized, skipped)
 *  4   I048/040  4             range_m (RHO LSB 1/256 NM), bearing_deg (360/2^16)
 *  5   I048/070  2             (skipped)
 *  6   I048/090  2             (skipped)
 *  7   I048/130  1+ compound   (skipped; 7 one-octet subfields)
 *  8   I048/220  3             (skipped)
 *  9   I048/240  6             (skipped)
 * 10   I048/250  1+8n          (skipped)
 * 11   I048/161  2             tag track (12 bits)
 * 12   I048/042  4             x_m, y_m (two's complement, LSB 1/128 NM)
 * 13   I048/200  4             speed_mps (LSB 2^-14 NM/s), heading_deg (360/2^16)
 * 14   I048/170  1+ extended   tag status: ended when TRE (first extension, bit 8) is 1
 * 15   I048/210  4             (skipped)
 * 16   I048/030  1+ extended   (skipped)
 * 17   I048/080  2             (skipped)
 * 18   I048/100  4             (skipped)
 * 19   I048/110  2             (skipped)
 * 20   I048/120  1+ compound   (skipped; CAL 2, RDS 1+6n)
 * 21   I048/230  2             (skipped)
 * 22   I048/260  7             (skipped)
 * 23   I048/055  1             (skipped)
 * 24   I048/050  2             (skipped)
 * 25   I048/065  1             (skipped)
 * 26   I048/060  2             (skipped)
 * 27   SP        explicit      (skipped)
 * 28   RE        explicit      (skipped)
 * </pre>
 *
 * <p>Example record: FSPEC {@code 0xD0 0x1A}, then I048/010 {@code 0x19 0x0C}, I048/140
 * {@code 0x2A 0x30 0x00}, I048/040 {@code 0x0C 0x80 0x40 0x00}, I048/042 …, I048/200 …,
 * I048/170 …: SAC 25, SIC 12, 21600 s (06:00:00), 23150 m at 90°.
 */
final class Cat048Uap {

    static final double RHO_LSB_M = TrackItems.METRES_PER_NM / 256;
    static final double XY_LSB_M = TrackItems.METRES_PER_NM / 128;

    static final Uap UAP = new Uap(48, "1.2x", new DataItem[] {
        new DataItem(1, "I048/010", new Fixed(2), new TrackItems.Source()),
        new DataItem(2, "I048/140", new Fixed(3), new TrackItems.TimeOfDay()),
        new DataItem(3, "I048/020", new Extended(1, 1), null),
        new DataItem(4, "I048/040", new Fixed(4), new TrackItems.Polar(RHO_LSB_M)),
        new DataItem(5, "I048/070", new Fixed(2), null),
        new DataItem(6, "I048/090", new Fixed(2), null),
        new DataItem(7, "I048/130", new Compound(one(), one(), one(), one(), one(), one(), one()), null),
        new DataItem(8, "I048/220", new Fixed(3), null),
        new DataItem(9, "I048/240", new Fixed(6), null),
        new DataItem(10, "I048/250", new Repetitive(8), null),
        new DataItem(11, "I048/161", new Fixed(2), new TrackItems.TrackNumber(12)),
        new DataItem(12, "I048/042", new Fixed(4), new TrackItems.Cartesian(2, XY_LSB_M)),
        new DataItem(13, "I048/200", new Fixed(4), new TrackItems.PolarVelocity()),
        new DataItem(14, "I048/170", new Extended(1, 1), new TrackItems.TrackStatus(1, 0x80)),
        new DataItem(15, "I048/210", new Fixed(4), null),
        new DataItem(16, "I048/030", new Extended(1, 1), null),
        new DataItem(17, "I048/080", new Fixed(2), null),
        new DataItem(18, "I048/100", new Fixed(4), null),
        new DataItem(19, "I048/110", new Fixed(2), null),
        new DataItem(20, "I048/120", new Compound(new Fixed(2), new Repetitive(6)), null),
        new DataItem(21, "I048/230", new Fixed(2), null),
        new DataItem(22, "I048/260", new Fixed(7), null),
        new DataItem(23, "I048/055", new Fixed(1), null),
        new DataItem(24, "I048/050", new Fixed(2), null),
        new DataItem(25, "I048/065", new Fixed(1), null),
        new DataItem(26, "I048/060", new Fixed(2), null),
        new DataItem(27, "SP", new Explicit(), null),
        new DataItem(28, "RE", new Explicit(), null),
    });

    private Cat048Uap() {
    }

    private static ItemFormat one() {
        return new Fixed(1);
    }
}
