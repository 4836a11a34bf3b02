package org.limes.drivers.radar.asterix;

import org.limes.drivers.DriverOptions;

/**
 * Where the sensor stands, and the latitude and longitude of a point given east and
 * north of it in metres.
 *
 * <p>Method: the point is placed on the plane tangent to the WGS-84 ellipsoid at the
 * sensor (local east-north-up, up = 0), converted exactly to Earth-centred Earth-fixed
 * coordinates, and from there to geodetic latitude and longitude (iterated to below
 * 1e-12 rad). Measured along the tangent plane, a point at distance d lies beyond the
 * surface point at the same ground distance by about d³/(3R²): 0.07 m at 20 km, 1 m at
 * 50 km, 8 m at 100 km, 0.9 km at the 474 km limit of CAT048 polar positions. Radar
 * slant range is used as ground range; for a target h metres above the sensor that adds
 * h²/(2d) (5 m for 300 m at 10 km).
 *
 * <p>Also used by the SAPIENT driver for range/bearing detections. Immutable and thread-safe.
 */
public final class SensorPosition {

    /** The driver options that place a sensor, degrees. */
    public static final String LAT_OPTION = "sensor_lat";
    public static final String LON_OPTION = "sensor_lon";

    private static final double A = 6_378_137.0;
    private static final double F = 1 / 298.257223563;
    private static final double E2 = F * (2 - F);
    private static final int ITERATIONS = 6;

    private final double latDeg;
    private final double lonDeg;
    private final double sinLat;
    private final double cosLat;
    private final double sinLon;
    private final double cosLon;
    private final double x0;
    private final double y0;
    private final double z0;

    public SensorPosition(double latDeg, double lonDeg) {
        if (!(latDeg >= -90 && latDeg <= 90) || !(lonDeg >= -180 && lonDeg <= 180)) {
            throw new IllegalArgumentException("sensor position must be lat -90..90, lon -180..180, got "
                    + latDeg + ", " + lonDeg);
        }
        this.latDeg = latDeg;
        this.lonDeg = lonDeg;
        double phi = Math.toRadians(latDeg);
        double lambda = Math.toRadians(lonDeg);
        sinLat = Math.sin(phi);
        cosLat = Math.cos(phi);
        sinLon = Math.sin(lambda);
        cosLon = Math.cos(lambda);
        double n = A / Math.sqrt(1 - E2 * sinLat * sinLat);
        x0 = n * cosLat * cosLon;
        y0 = n * cosLat * sinLon;
        z0 = n * (1 - E2) * sinLat;
    }

    /**
     * The position a driver's options give: {@code sensor_lat} and {@code sensor_lon} (degrees,
     * both or neither), or null when neither is set. The ASTERIX and SAPIENT drivers take them.
     *
     * @throws IllegalArgumentException naming the option when only one is set or one is out of range
     */
    public static SensorPosition fromOptions(DriverOptions options) {
        boolean hasLat = options.asMap().containsKey(LAT_OPTION);
        boolean hasLon = options.asMap().containsKey(LON_OPTION);
        if (hasLat != hasLon) {
            throw new IllegalArgumentException("options sensor_lat and sensor_lon go together, got only "
                    + (hasLat ? LAT_OPTION : LON_OPTION));
        }
        if (!hasLat) {
            return null;
        }
        double lat = options.number(LAT_OPTION, Double.NaN);
        double lon = options.number(LON_OPTION, Double.NaN);
        if (!(lat >= -90 && lat <= 90)) {
            throw new IllegalArgumentException("option sensor_lat must be -90..90 degrees, got " + lat);
        }
        if (!(lon >= -180 && lon <= 180)) {
            throw new IllegalArgumentException("option sensor_lon must be -180..180 degrees, got " + lon);
        }
        return new SensorPosition(lat, lon);
    }

    public double latDeg() {
        return latDeg;
    }

    public double lonDeg() {
        return lonDeg;
    }

    /** {latitude, longitude} in degrees of the point {@code east} and {@code north} metres from the sensor. */
    public double[] locate(double east, double north) {
        double x = x0 - sinLon * east - sinLat * cosLon * north;
        double y = y0 + cosLon * east - sinLat * sinLon * north;
        double z = z0 + cosLat * north;
        double p = Math.hypot(x, y);
        double phi = Math.atan2(z, p * (1 - E2));
        for (int i = 0; i < ITERATIONS; i++) {
            double s = Math.sin(phi);
            double n = A / Math.sqrt(1 - E2 * s * s);
            double h = p * Math.cos(phi) + z * s - A * A / n;
            phi = Math.atan2(z, p * (1 - E2 * n / (n + h)));
        }
        return new double[] {Math.toDegrees(phi), Math.toDegrees(Math.atan2(y, x))};
    }
}
