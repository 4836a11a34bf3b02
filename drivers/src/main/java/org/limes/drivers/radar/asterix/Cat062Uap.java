package org.limes.drivers.radar.asterix;

import java.util.Arrays;
import org.limes.drivers.radar.asterix.ItemFormat.Compound;
import org.limes.drivers.radar.asterix.ItemFormat.Explicit;
import org.limes.drivers.radar.asterix.ItemFormat.Extended;
import org.limes.drivers.radar.asterix.ItemFormat.Fixed;
import org.limes.drivers.radar.asterix.ItemFormat.Repetitive;

/**
 * The User Application Profile of CAT062, SDPS system tracks (edition 1.18).
 *
 * <pre>
 * FRN  item      octets        decoded as
 * ---  --------  ------------  ------------------------------------------------------
 *  1   I062/010  2             tags sac, sic
 *  2   (spare)
 *  3   I062/015  1             (skipped)
 *  4   I062/070  3             time_of_day_s (LSB 1/128 s)
 *  5   I062/105  8             lat_deg, lon_deg (two's complement, LSB 180/2^25 deg)
 *  6   I062/100  6             x_m, y_m (two's complement 24 bits, LSB 0.5 m)
 *  7   I062/185  4             vx_mps, vy_mps (two's complement, LSB 0.25 m/s)
 *  8   I062/210  2             (skipped)
 *  9   I062/060  2             (skipped)
 * 10   I062/245  7             (skipped)
 * 11   I062/380  1+ compound   (skipped; 28 subfields, 4 primary octets)
 * 12   I062/040  2             tag track (16 bits)
 * 13   I062/080  1+ extended   tag status: ended when TSE (second octet, bit 7) is 1
 * 14   I062/290  1+ compound   (skipped; 10 subfields)
 * 15   I062/200  1             (skipped)
 * 16   I062/295  1+ compound   (skipped; 31 one-octet subfields)
 * 17   I062/136  2             (skipped)
 * 18   I062/130  2             (skipped)
 * 19   I062/135  2             (skipped)
 * 20   I062/220  2             (skipped)
 * 21   I062/390  1+ compound   (skipped; 18 subfields)
 * 22   I062/270  1+ extended   (skipped)
 * 23   I062/300  1             (skipped)
 * 24   I062/110  1+ compound   (skipped; 7 subfields)
 * 25   I062/120  2             (skipped)
 * 26   I062/510  3+ extended   (skipped; 3-octet extensions)
 * 27   I062/500  1+ compound   (skipped; 8 subfields)
 * 28   I062/340  1+ compound   (skipped; 6 subfields)
 * 29-33 (spare)
 * 34   RE        explicit      (skipped)
 * 35   SP        explicit      (skipped)
 * </pre>
 *
 * <p>I062/100 is relative to the system reference point; with the options
 * {@code sensor_lat}/{@code sensor_lon} set to that point it also yields lat/lon when
 * I062/105 is absent. Speed and heading are derived from I062/185.
 */
final class Cat062Uap {

    static final double LATLON_LSB_DEG = 180.0 / (1 << 25);

    static final Uap UAP = new Uap(62, "1.18", new DataItem[] {
        new DataItem(1, "I062/010", new Fixed(2), new TrackItems.Source()),
        null,
        new DataItem(3, "I062/015", new Fixed(1), null),
        new DataItem(4, "I062/070", new Fixed(3), new TrackItems.TimeOfDay()),
        new DataItem(5, "I062/105", new Fixed(8), new TrackItems.Wgs84(LATLON_LSB_DEG)),
        new DataItem(6, "I062/100", new Fixed(6), new TrackItems.Cartesian(3, 0.5)),
        new DataItem(7, "I062/185", new Fixed(4), new TrackItems.CartesianVelocity()),
        new DataItem(8, "I062/210", new Fixed(2), null),
        new DataItem(9, "I062/060", new Fixed(2), null),
        new DataItem(10, "I062/245", new Fixed(7), null),
        new DataItem(11, "I062/380", aircraftDerivedData(), null),
        new DataItem(12, "I062/040", new Fixed(2), new TrackItems.TrackNumber(16)),
        new DataItem(13, "I062/080", new Extended(1, 1), new TrackItems.TrackStatus(1, 0x40)),
        new DataItem(14, "I062/290", new Compound(f(1), f(1), f(1), f(1), f(2), f(1), f(1), f(1), f(1), f(1)), null),
        new DataItem(15, "I062/200", new Fixed(1), null),
        new DataItem(16, "I062/295", new Compound(ones(31)), null),
        new DataItem(17, "I062/136", new Fixed(2), null),
        new DataItem(18, "I062/130", new Fixed(2), null),
        new DataItem(19, "I062/135", new Fixed(2), null),
        new DataItem(20, "I062/220", new Fixed(2), null),
        new DataItem(21, "I062/390", new Compound(f(2), f(7), f(4), f(1), f(4), f(1), f(4), f(4), f(3), f(2), f(2),
                new Repetitive(4), f(6), f(1), f(7), f(7), f(2), f(7)), null),
        new DataItem(22, "I062/270", new Extended(1, 1), null),
        new DataItem(23, "I062/300", new Fixed(1), null),
        new DataItem(24, "I062/110", new Compound(f(1), f(4), f(6), f(2), f(2), f(1), f(1)), null),
        new DataItem(25, "I062/120", new Fixed(2), null),
        new DataItem(26, "I062/510", new Extended(3, 3), null),
        new DataItem(27, "I062/500", new Compound(f(4), f(2), f(4), f(1), f(1), f(2), f(2), f(1)), null),
        new DataItem(28, "I062/340", new Compound(f(2), f(4), f(2), f(2), f(2), f(1)), null),
        null, null, null, null, null,
        new DataItem(34, "RE", new Explicit(), null),
        new DataItem(35, "SP", new Explicit(), null),
    });

    private Cat062Uap() {
    }

    /** I062/380: ADR … BPS, 28 subfields in four primary octets. */
    private static Compound aircraftDerivedData() {
        return new Compound(
                f(3), f(6), f(2), f(2), f(2), f(2), f(2),
                new Extended(1, 1), new Repetitive(15), f(2), f(2), f(7), f(2), f(2),
                f(2), f(2), f(2), f(2), f(1), f(8), f(1),
                f(6), f(2), f(1), new Repetitive(8), f(2), f(2), f(2));
    }

    private static ItemFormat f(int octets) {
        return new Fixed(octets);
    }

    private static ItemFormat[] ones(int n) {
        ItemFormat[] formats = new ItemFormat[n];
        Arrays.fill(formats, f(1));
        return formats;
    }
}
