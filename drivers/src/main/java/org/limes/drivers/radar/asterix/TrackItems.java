package org.limes.drivers.radar.asterix;

import java.io.ByteArrayOutputStream;
import org.limes.drivers.DecodeException;

/**
 * The codecs of the track items, shared by the categories: each one a layout that
 * several categories use with their own least significant bit (LSB).
 *
 * <pre>
 * codec              octets  layout (big-endian)                         reading values
 * -----------------  ------  ------------------------------------------  ------------------------------
 * Source             2       SAC u8, SIC u8                              tags sac, sic
 * TimeOfDay          3       u24 × 1/128 s since midnight UTC            time_of_day_s, device time
 * Polar              4       RHO u16 × lsb m, THETA u16 × 360/2^16 deg   range_m, bearing_deg
 * Cartesian          2n      X, Y signed n-octet × lsb m                 x_m (east), y_m (north)
 * Wgs84              8       LAT, LON s32 × lsb deg                      lat_deg, lon_deg
 * PolarVelocity      4       GSP u16 × 2^-14 NM/s, HDG u16 × 360/2^16    speed_mps, heading_deg
 * CartesianVelocity  4       VX, VY s16 × 0.25 m/s                       vx_mps, vy_mps
 * TrackNumber        2       u16, the low {@code bits} bits              tag track
 * TrackStatus        1+      extended; one bit marks the track's end     tag status (tracking | ended)
 * MessageType        1       u8; 1 = target report                       (other types: no reading)
 * </pre>
 *
 * <p>Example: Polar with lsb 1852/256 m decodes {@code 0x0C 0x80 0x40 0x00} to RHO
 * 3200/256 = 12.5 NM = 23150 m and THETA 16384 × 360/65536 = 90°.
 *
 * <p>All codecs are immutable records, safe to share between threads.
 */
final class TrackItems {

    static final double METRES_PER_NM = 1852;
    static final double ANGLE_LSB_DEG = 360.0 / 65536;
    static final double SPEED_LSB_MPS = METRES_PER_NM / 16384;
    static final double TIME_LSB_S = 1.0 / 128;
    /** The largest time of day accepted: a day that ends in a leap second. */
    static final double MAX_TIME_OF_DAY_S = 86_401;

    private TrackItems() {
    }

    /** I0xx/010: SAC and SIC, one octet each. */
    record Source() implements ItemCodec {
        @Override
        public void decode(byte[] b, int at, int length, TrackReport into) {
            into.sac = b[at] & 0xff;
            into.sic = b[at + 1] & 0xff;
        }

        @Override
        public boolean carries(TrackReport from) {
            return from.sac >= 0;
        }

        @Override
        public void encode(TrackReport from, TrackReport written, ByteArrayOutputStream out) {
            out.write(from.sac);
            out.write(from.sic);
            written.sac = from.sac;
            written.sic = from.sic;
        }
    }

    /** Time of day: three octets, LSB 1/128 s, since midnight UTC. */
    record TimeOfDay() implements ItemCodec {
        @Override
        public void decode(byte[] b, int at, int length, TrackReport into) throws DecodeException {
            double t = unsigned(b, at, 3) * TIME_LSB_S;
            if (t >= MAX_TIME_OF_DAY_S) {
                throw DecodeException.atOffset(at, "time of day " + t + " s is not within a day (0..86401 s)");
            }
            into.timeOfDay = t;
        }

        @Override
        public boolean carries(TrackReport from) {
            return !Double.isNaN(from.timeOfDay);
        }

        @Override
        public void encode(TrackReport from, TrackReport written, ByteArrayOutputStream out) {
            long k = quantise(TrackReport.TIME_OF_DAY, from.timeOfDay, TIME_LSB_S, 0, MAX_TIME_OF_DAY_S / TIME_LSB_S - 1);
            write(out, k, 3);
            written.timeOfDay = k * TIME_LSB_S;
        }
    }

    /** Polar position: RHO (unsigned, {@code rhoLsb} metres) and THETA (360/2^16 deg). */
    record Polar(double rhoLsb) implements ItemCodec {
        @Override
        public void decode(byte[] b, int at, int length, TrackReport into) {
            into.range = unsigned(b, at, 2) * rhoLsb;
            into.bearing = unsigned(b, at + 2, 2) * ANGLE_LSB_DEG;
        }

        @Override
        public boolean carries(TrackReport from) {
            return !Double.isNaN(from.range) || !Double.isNaN(from.bearing);
        }

        @Override
        public void encode(TrackReport from, TrackReport written, ByteArrayOutputStream out) {
            pair(TrackReport.RANGE, from.range, TrackReport.BEARING, from.bearing);
            long rho = quantise(TrackReport.RANGE, from.range, rhoLsb, 0, 65_535);
            long theta = angle(TrackReport.BEARING, from.bearing);
            write(out, rho, 2);
            write(out, theta, 2);
            written.range = rho * rhoLsb;
            written.bearing = theta * ANGLE_LSB_DEG;
        }
    }

    /** Cartesian position: X (east) and Y (north), two's complement, {@code octets} each, LSB {@code lsb} m. */
    record Cartesian(int octets, double lsb) implements ItemCodec {
        @Override
        public void decode(byte[] b, int at, int length, TrackReport into) {
            into.x = signed(b, at, octets) * lsb;
            into.y = signed(b, at + octets, octets) * lsb;
        }

        @Override
        public boolean carries(TrackReport from) {
            return !Double.isNaN(from.x) || !Double.isNaN(from.y);
        }

        @Override
        public void encode(TrackReport from, TrackReport written, ByteArrayOutputStream out) {
            pair(TrackReport.X, from.x, TrackReport.Y, from.y);
            long max = (1L << (8 * octets - 1)) - 1;
            long x = quantise(TrackReport.X, from.x, lsb, -max - 1, max);
            long y = quantise(TrackReport.Y, from.y, lsb, -max - 1, max);
            write(out, x, octets);
            write(out, y, octets);
            written.x = x * lsb;
            written.y = y * lsb;
        }
    }

    /** WGS-84 position: latitude and longitude, two's complement 32 bits, LSB {@code lsb} degrees. */
    record Wgs84(double lsb) implements ItemCodec {
        @Override
        public void decode(byte[] b, int at, int length, TrackReport into) throws DecodeException {
            double lat = signed(b, at, 4) * lsb;
            double lon = signed(b, at + 4, 4) * lsb;
            if (Math.abs(lat) > 90) {
                throw DecodeException.atOffset(at, "latitude " + lat + "° is outside -90..90");
            }
            if (Math.abs(lon) > 180) {
                throw DecodeException.atOffset(at + 4, "longitude " + lon + "° is outside -180..180");
            }
            into.lat = lat;
            into.lon = lon;
        }

        @Override
        public boolean carries(TrackReport from) {
            return !Double.isNaN(from.lat) || !Double.isNaN(from.lon);
        }

        @Override
        public void encode(TrackReport from, TrackReport written, ByteArrayOutputStream out) {
            pair(TrackReport.LAT, from.lat, TrackReport.LON, from.lon);
            long lat = quantise(TrackReport.LAT, from.lat, lsb, -Math.floor(90 / lsb), Math.floor(90 / lsb));
            long lon = quantise(TrackReport.LON, from.lon, lsb, -Math.floor(180 / lsb), Math.floor(180 / lsb));
            write(out, lat, 4);
            write(out, lon, 4);
            written.lat = lat * lsb;
            written.lon = lon * lsb;
        }
    }

    /** Polar velocity: ground speed (2^-14 NM/s) and heading (360/2^16 deg). */
    record PolarVelocity() implements ItemCodec {
        @Override
        public void decode(byte[] b, int at, int length, TrackReport into) {
            into.speed = unsigned(b, at, 2) * SPEED_LSB_MPS;
            into.heading = unsigned(b, at + 2, 2) * ANGLE_LSB_DEG;
        }

        @Override
        public boolean carries(TrackReport from) {
            return !Double.isNaN(from.speed) || !Double.isNaN(from.heading);
        }

        @Override
        public void encode(TrackReport from, TrackReport written, ByteArrayOutputStream out) {
            pair(TrackReport.SPEED, from.speed, TrackReport.HEADING, from.heading);
            long speed = quantise(TrackReport.SPEED, from.speed, SPEED_LSB_MPS, 0, 65_535);
            long heading = angle(TrackReport.HEADING, from.heading);
            write(out, speed, 2);
            write(out, heading, 2);
            written.speed = speed * SPEED_LSB_MPS;
            written.heading = heading * ANGLE_LSB_DEG;
        }
    }

    /** Cartesian velocity: VX (east) and VY (north), two's complement 16 bits, LSB 0.25 m/s. */
    record CartesianVelocity() implements ItemCodec {
        private static final double LSB = 0.25;

        @Override
        public void decode(byte[] b, int at, int length, TrackReport into) {
            into.vx = signed(b, at, 2) * LSB;
            into.vy = signed(b, at + 2, 2) * LSB;
        }

        @Override
        public boolean carries(TrackReport from) {
            return !Double.isNaN(from.vx) || !Double.isNaN(from.vy);
        }

        @Override
        public void encode(TrackReport from, TrackReport written, ByteArrayOutputStream out) {
            pair(TrackReport.VX, from.vx, TrackReport.VY, from.vy);
            long vx = quantise(TrackReport.VX, from.vx, LSB, -32_768, 32_767);
            long vy = quantise(TrackReport.VY, from.vy, LSB, -32_768, 32_767);
            write(out, vx, 2);
            write(out, vy, 2);
            written.vx = vx * LSB;
            written.vy = vy * LSB;
        }
    }

    /** Track number: the low {@code bits} bits of two octets (the rest spare). */
    record TrackNumber(int bits) implements ItemCodec {
        @Override
        public void decode(byte[] b, int at, int length, TrackReport into) {
            into.track = unsigned(b, at, 2) & ((1L << bits) - 1);
        }

        @Override
        public boolean carries(TrackReport from) {
            return from.track >= 0;
        }

        @Override
        public void encode(TrackReport from, TrackReport written, ByteArrayOutputStream out) {
            long max = (1L << bits) - 1;
            if (from.track > max) {
                throw new IllegalArgumentException("tag track must be 0.." + max + " in this category, got " + from.track);
            }
            write(out, from.track, 2);
            written.track = from.track;
        }
    }

    /**
     * Track status, an extended item: the track has ended when octet {@code endOctet}
     * (0-based) is present and has the bits of {@code endMask} set.
     */
    record TrackStatus(int endOctet, int endMask) implements ItemCodec {
        @Override
        public void decode(byte[] b, int at, int length, TrackReport into) {
            into.ended = length > endOctet && (b[at + endOctet] & endMask) != 0;
        }

        @Override
        public boolean carries(TrackReport from) {
            return from.ended != null;
        }

        @Override
        public void encode(TrackReport from, TrackReport written, ByteArrayOutputStream out) {
            int octets = from.ended ? endOctet + 1 : 1;
            for (int i = 0; i < octets; i++) {
                int value = i < octets - 1 ? 1 : 0;
                if (from.ended && i == endOctet) {
                    value |= endMask;
                }
                out.write(value);
            }
            written.ended = from.ended;
        }
    }

    /** CAT010 message type: a record of any type but 1 (target report) yields no reading. */
    record MessageType() implements ItemCodec {
        private static final int TARGET_REPORT = 1;

        @Override
        public void decode(byte[] b, int at, int length, TrackReport into) {
            if ((b[at] & 0xff) != TARGET_REPORT) {
                into.notATargetReport = true;
            }
        }

        @Override
        public boolean carries(TrackReport from) {
            return false;
        }

        @Override
        public void encode(TrackReport from, TrackReport written, ByteArrayOutputStream out) {
            out.write(TARGET_REPORT);
        }
    }

    static long unsigned(byte[] b, int at, int octets) {
        long v = 0;
        for (int i = 0; i < octets; i++) {
            v = (v << 8) | (b[at + i] & 0xff);
        }
        return v;
    }

    static long signed(byte[] b, int at, int octets) {
        int shift = 64 - 8 * octets;
        return (unsigned(b, at, octets) << shift) >> shift;
    }

    static void write(ByteArrayOutputStream out, long value, int octets) {
        for (int i = octets - 1; i >= 0; i--) {
            out.write((int) (value >>> (8 * i)) & 0xff);
        }
    }

    /** The number of LSBs nearest {@code value}, which must lie in {@code [min, max]} LSBs. */
    static long quantise(String field, double value, double lsb, double min, double max) {
        double k = Math.rint(value / lsb);
        if (!(k >= min && k <= max)) {
            throw new IllegalArgumentException("field " + field + " must be " + min * lsb + ".." + max * lsb
                    + " in this item, got " + value);
        }
        return (long) k;
    }

    /** An angle of 0..360 degrees in LSBs of 360/2^16, 360 wrapping to 0. */
    private static long angle(String field, double degrees) {
        return quantise(field, degrees, ANGLE_LSB_DEG, 0, 65_536) & 0xffff;
    }

    private static void pair(String a, double va, String b, double vb) {
        if (Double.isNaN(va) || Double.isNaN(vb)) {
            throw new IllegalArgumentException("fields " + a + " and " + b + " go together, got only "
                    + (Double.isNaN(va) ? b : a));
        }
    }
}
