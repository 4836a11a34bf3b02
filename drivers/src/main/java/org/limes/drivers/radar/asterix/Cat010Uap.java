package org.limes.drivers.radar.asterix;

import org.limes.drivers.radar.asterix.ItemFormat.Explicit;
import org.limes.drivers.radar.asterix.ItemFormat.Extended;
import org.limes.drivers.radar.asterix.ItemFormat.Fixed;
import org.limes.drivers.radar.asterix.ItemFormat.Repetitive;

/**
 * The User Application Profile of CAT010, monosensor surface movement data (edition 1.1).
 *
 * <pre>
 * FRN  item      octets        decoded as
 * ---  --------  ------------  ------------------------------------------------------
 *  1   I010/010  2             tags sac, sic
 *  2   I010/000  1             message type: a type other than 1 (target report) yields no reading
 *  3   I010/020  1+ extended   (skipped)
 *  4   I010/140  3             time_of_day_s (LSB 1/128 s)
 *  5   I010/041  8             lat_deg, lon_deg (two's complement, LSB 180/2^31 deg)
 *  6   I010/040  4             range_m (RHO LSB 1 m), bearing_deg (360/2^16)
 *  7   I010/042  4             x_m, y_m (two's complement, LSB 1 m)
 *  8   I010/200  4             speed_mps (LSB 2^-14 NM/s), heading_deg (360/2^16)
 *  9   I010/202  4             vx_mps, vy_mps (two's complement, LSB 0.25 m/s)
 * 10   I010/161  2             tag track (12 bits)
 * 11   I010/170  1+ extended   tag status: ended when TRE (first octet, bit 7) is 1
 * 12   I010/060  2             (skipped)
 * 13   I010/220  3             (skipped)
 * 14   I010/245  7             (skipped)
 * 15   I010/250  1+8n          (skipped)
 * 16   I010/300  1             (skipped)
 * 17   I010/090  2             (skipped)
 * 18   I010/091  2             (skipped)
 * 19   I010/270  1+ extended   (skipped)
 * 20   I010/550  1             (skipped)
 * 21   I010/310  1             (skipped)
 * 22   I010/500  4             (skipped)
 * 23   I010/280  1+2n          (skipped)
 * 24   I010/131  1             (skipped)
 * 25   I010/210  2             (skipped)
 * 26   (spare)
 * 27   SP        explicit      (skipped)
 * 28   RE        explicit      (skipped)
 * </pre>
 */
final class Cat010Uap {

    static final double LATLON_LSB_DEG = 180.0 / (1L << 31);

    static final Uap UAP = new Uap(10, "1.1", new DataItem[] {
        new DataItem(1, "I010/010", new Fixed(2), new TrackItems.Source()),
        new DataItem(2, "I010/000", new Fixed(1), new TrackItems.MessageType()),
        new DataItem(3, "I010/020", new Extended(1, 1), null),
        new DataItem(4, "I010/140", new Fixed(3), new TrackItems.TimeOfDay()),
        new DataItem(5, "I010/041", new Fixed(8), new TrackItems.Wgs84(LATLON_LSB_DEG)),
        new DataItem(6, "I010/040", new Fixed(4), new TrackItems.Polar(1)),
        new DataItem(7, "I010/042", new Fixed(4), new TrackItems.Cartesian(2, 1)),
        new DataItem(8, "I010/200", new Fixed(4), new TrackItems.PolarVelocity()),
        new DataItem(9, "I010/202", new Fixed(4), new TrackItems.CartesianVelocity()),
        new DataItem(10, "I010/161", new Fixed(2), new TrackItems.TrackNumber(12)),
        new DataItem(11, "I010/170", new Extended(1, 1), new TrackItems.TrackStatus(0, 0x40)),
        new DataItem(12, "I010/060", new Fixed(2), null),
        new DataItem(13, "I010/220", new Fixed(3), null),
        new DataItem(14, "I010/245", new Fixed(7), null),
        new DataItem(15, "I010/250", new Repetitive(8), null),
        new DataItem(16, "I010/300", new Fixed(1), null),
        new DataItem(17, "I010/090", new Fixed(2), null),
        new DataItem(18, "I010/091", new Fixed(2), null),
        new DataItem(19, "I010/270", new Extended(1, 1), null),
        new DataItem(20, "I010/550", new Fixed(1), null),
        new DataItem(21, "I010/310", new Fixed(1), null),
        new DataItem(22, "I010/500", new Fixed(4), null),
        new DataItem(23, "I010/280", new Repetitive(2), null),
        new DataItem(24, "I010/131", new Fixed(1), null),
        new DataItem(25, "I010/210", new Fixed(2), null),
        null,
        new DataItem(27, "SP", new Explicit(), null),
        new DataItem(28, "RE", new Explicit(), null),
    });

    private Cat010Uap() {
    }
}
