package org.limes.drivers.sapient;

import java.util.Locale;
import java.util.Map;
import org.limes.drivers.DecodeException;
import org.limes.drivers.SortedArrayMap;
import org.limes.drivers.radar.asterix.SensorPosition;
import org.limes.drivers.sapient.proto.Location;
import org.limes.drivers.sapient.proto.LocationCoordinateSystem;
import org.limes.drivers.sapient.proto.LocationDatum;
import org.limes.drivers.sapient.proto.RangeBearing;
import org.limes.drivers.sapient.proto.RangeBearingCoordinateSystem;
import org.limes.drivers.sapient.proto.RangeBearingDatum;

/**
 * SAPIENT positions to and from reading fields in canonical units, whatever the sender's
 * coordinate system:
 *
 * <pre>
 * RangeBearing  range (m or km), azimuth and elevation (degrees or radians), datum
 *               → range_m, bearing_deg (0..360), elevation_deg, bearing_datum (when not true north),
 *                 and lat_deg/lon_deg through the sensor's position when the datum is true north
 * Location      x = longitude, y = latitude (degrees or radians), z = altitude (m)
 *               → lon_deg, lat_deg, alt_m
 * </pre>
 *
 * Immutable and thread-safe.
 */
final class Positions {

    static final String RANGE = "range_m";
    static final String BEARING = "bearing_deg";
    static final String ELEVATION = "elevation_deg";
    static final String BEARING_DATUM = "bearing_datum";
    static final String LAT = "lat_deg";
    static final String LON = "lon_deg";
    static final String ALT = "alt_m";

    private final SensorPosition sensor;

    /** @param sensor where the sensor stands, or null: range/bearing then yields no lat/lon */
    Positions(SensorPosition sensor) {
        this.sensor = sensor;
    }

    void rangeBearing(RangeBearing rb, String field, SortedArrayMap.Builder<Object> out) throws DecodeException {
        double toDeg;
        double toM;
        switch (rb.getCoordinateSystem()) {
            case RANGE_BEARING_COORDINATE_SYSTEM_DEGREES_M -> { toDeg = 1; toM = 1; }
            case RANGE_BEARING_COORDINATE_SYSTEM_RADIANS_M -> { toDeg = 180 / Math.PI; toM = 1; }
            case RANGE_BEARING_COORDINATE_SYSTEM_DEGREES_KM -> { toDeg = 1; toM = 1000; }
            case RANGE_BEARING_COORDINATE_SYSTEM_RADIANS_KM -> { toDeg = 180 / Math.PI; toM = 1000; }
            case RANGE_BEARING_COORDINATE_SYSTEM_UNSPECIFIED -> throw DecodeException.atField(field
                    + ".coordinate_system", "is required: the units of range and angles (degrees or radians, m or km)");
            default -> throw DecodeException.atField(field + ".coordinate_system", "value "
                    + rb.getCoordinateSystemValue() + " is not a v2.0 range/bearing system (1..4)");
        }
        if (!rb.hasRange() || !rb.hasAzimuth()) {
            throw DecodeException.atField(field, "needs range and azimuth");
        }
        double range = rb.getRange() * toM;
        if (!Double.isFinite(range) || range < 0 || range > 1e8) {
            throw DecodeException.atField(field + ".range", "must be 0..100000 km, got " + rb.getRange());
        }
        double bearing = rb.getAzimuth() * toDeg;
        if (!Double.isFinite(bearing) || Math.abs(bearing) > 1e6) {
            throw DecodeException.atField(field + ".azimuth", "must be a finite angle, got " + rb.getAzimuth());
        }
        bearing = bearing % 360;
        if (bearing < 0) {
            bearing += 360;
        }
        if (bearing >= 360) {
            bearing = 0; // -1e-20 % 360 + 360 rounds to 360
        }
        out.put(RANGE, range);
        out.put(BEARING, bearing);
        if (rb.hasElevation()) {
            double elevation = rb.getElevation() * toDeg;
            if (!(elevation >= -90 && elevation <= 90)) {
                throw DecodeException.atField(field + ".elevation", "must be -90..90 degrees, got " + elevation);
            }
            out.put(ELEVATION, elevation);
        }
        RangeBearingDatum datum = rb.getDatum();
        switch (datum) {
            case RANGE_BEARING_DATUM_TRUE -> {
                if (sensor != null) {
                    double rad = Math.toRadians(bearing);
                    double[] latLon = sensor.locate(range * Math.sin(rad), range * Math.cos(rad));
                    out.put(LAT, latLon[0]);
                    out.put(LON, latLon[1]);
                }
            }
            case RANGE_BEARING_DATUM_MAGNETIC, RANGE_BEARING_DATUM_GRID, RANGE_BEARING_DATUM_PLATFORM ->
                    out.put(BEARING_DATUM, datum.name().substring("RANGE_BEARING_DATUM_".length()).toLowerCase(Locale.ROOT));
            case RANGE_BEARING_DATUM_UNSPECIFIED -> throw DecodeException.atField(field + ".datum",
                    "is required: the north the azimuth is measured from (true, magnetic, grid, platform)");
            default -> throw DecodeException.atField(field + ".datum", "value " + rb.getDatumValue()
                    + " is not a v2.0 datum (1..4)");
        }
    }

    static void location(Location loc, String field, SortedArrayMap.Builder<Object> out) throws DecodeException {
        double toDeg = switch (loc.getCoordinateSystem()) {
            case LOCATION_COORDINATE_SYSTEM_LAT_LNG_DEG_M -> 1;
            case LOCATION_COORDINATE_SYSTEM_LAT_LNG_RAD_M -> 180 / Math.PI;
            case LOCATION_COORDINATE_SYSTEM_UTM_M -> throw DecodeException.atField(field + ".coordinate_system",
                    "UTM is not supported: configure the sensor for LAT_LNG_DEG_M or LAT_LNG_RAD_M");
            case LOCATION_COORDINATE_SYSTEM_UNSPECIFIED -> throw DecodeException.atField(field + ".coordinate_system",
                    "is required: the units of x (longitude), y (latitude) and z (altitude)");
            default -> throw DecodeException.atField(field + ".coordinate_system", "value "
                    + loc.getCoordinateSystemValue() + " is not a v2.0 location system (1, 2, 5)");
        };
        if (!loc.hasX() || !loc.hasY()) {
            throw DecodeException.atField(field, "needs x (longitude) and y (latitude)");
        }
        double lat = loc.getY() * toDeg;
        double lon = loc.getX() * toDeg;
        if (!(lat >= -90 && lat <= 90)) {
            throw DecodeException.atField(field + ".y", "latitude must be -90..90 degrees, got " + lat);
        }
        if (!(lon >= -180 && lon <= 180)) {
            throw DecodeException.atField(field + ".x", "longitude must be -180..180 degrees, got " + lon);
        }
        out.put(LAT, lat);
        out.put(LON, lon);
        if (loc.hasZ()) {
            if (!Double.isFinite(loc.getZ()) || Math.abs(loc.getZ()) > 1e7) {
                throw DecodeException.atField(field + ".z", "altitude must be a finite number of metres, got "
                        + loc.getZ());
            }
            out.put(ALT, loc.getZ());
        }
    }

    /** True when the fields carry a range and bearing (written as the position, lat/lon then derived). */
    static boolean hasRangeBearing(Map<String, Object> fields) {
        return fields.containsKey(RANGE) && fields.containsKey(BEARING);
    }

    static boolean hasLocation(Map<String, Object> fields) {
        return fields.containsKey(LAT) && fields.containsKey(LON);
    }

    static RangeBearing toRangeBearing(Map<String, Object> fields) {
        RangeBearing.Builder rb = RangeBearing.newBuilder()
                .setRange(number(fields, RANGE))
                .setAzimuth(number(fields, BEARING))
                .setCoordinateSystem(RangeBearingCoordinateSystem.RANGE_BEARING_COORDINATE_SYSTEM_DEGREES_M);
        if (fields.containsKey(ELEVATION)) {
            rb.setElevation(number(fields, ELEVATION));
        }
        Object datum = fields.get(BEARING_DATUM);
        if (datum == null) {
            rb.setDatum(RangeBearingDatum.RANGE_BEARING_DATUM_TRUE);
        } else {
            try {
                rb.setDatum(RangeBearingDatum.valueOf("RANGE_BEARING_DATUM_" + datum.toString().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("field bearing_datum must be magnetic, grid or platform, got " + datum, e);
            }
        }
        return rb.build();
    }

    static Location toLocation(Map<String, Object> fields) {
        Location.Builder loc = Location.newBuilder()
                .setX(number(fields, LON))
                .setY(number(fields, LAT))
                .setCoordinateSystem(LocationCoordinateSystem.LOCATION_COORDINATE_SYSTEM_LAT_LNG_DEG_M)
                .setDatum(LocationDatum.LOCATION_DATUM_WGS84_E);
        if (fields.containsKey(ALT)) {
            loc.setZ(number(fields, ALT));
        }
        return loc.build();
    }

    static double number(Map<String, Object> fields, String name) {
        Object v = fields.get(name);
        if (v instanceof Double d) {
            return d;
        }
        if (v instanceof Long l) {
            return l;
        }
        throw new IllegalArgumentException("field " + name + " must be a number, got " + v);
    }
}
