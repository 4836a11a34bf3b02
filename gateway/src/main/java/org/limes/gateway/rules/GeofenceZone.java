package org.limes.gateway.rules;

import java.util.Arrays;
import java.util.Objects;

/**
 * One named zone: one or more polygons (a GeoJSON Polygon or MultiPolygon), each an outer
 * ring and optional holes, positions in degrees WGS-84, longitude first.
 *
 * <p>{@link #contains} casts a ray on the plane of longitude and latitude (even-odd rule
 * over every ring of a polygon, so a point in a hole is outside). Treating degrees as plane
 * coordinates is fine at the scale of a crossing (a few kilometres, far from the poles and
 * the antimeridian); edges are straight in degrees, not great circles. A point exactly on
 * an edge may fall either side. A bounding box is checked first. Immutable.
 */
public final class GeofenceZone {

    private final String name;
    /** polygons → rings → interleaved lon, lat, closed (last position = first). */
    private final double[][][] polygons;
    private final double minLon;
    private final double minLat;
    private final double maxLon;
    private final double maxLat;

    public GeofenceZone(String name, double[][][] polygons) {
        this.name = Objects.requireNonNull(name, "name");
        this.polygons = polygons;
        double x0 = Double.POSITIVE_INFINITY;
        double y0 = Double.POSITIVE_INFINITY;
        double x1 = Double.NEGATIVE_INFINITY;
        double y1 = Double.NEGATIVE_INFINITY;
        for (double[][] polygon : polygons) {
            double[] outer = polygon[0];
            for (int i = 0; i < outer.length; i += 2) {
                x0 = Math.min(x0, outer[i]);
                x1 = Math.max(x1, outer[i]);
                y0 = Math.min(y0, outer[i + 1]);
                y1 = Math.max(y1, outer[i + 1]);
            }
        }
        this.minLon = x0;
        this.minLat = y0;
        this.maxLon = x1;
        this.maxLat = y1;
    }

    public String name() {
        return name;
    }

    /**
     * The zone's polygons, each an outer ring then its holes, each ring interleaved longitude,
     * latitude and closed; a copy (the status page's map draws them).
     */
    public double[][][] polygons() {
        double[][][] copy = new double[polygons.length][][];
        for (int p = 0; p < polygons.length; p++) {
            copy[p] = new double[polygons[p].length][];
            for (int r = 0; r < polygons[p].length; r++) {
                copy[p][r] = polygons[p][r].clone();
            }
        }
        return copy;
    }

    /** True when the position lies inside one of the zone's polygons (and in none of its holes). */
    public boolean contains(double lon, double lat) {
        if (lon < minLon || lon > maxLon || lat < minLat || lat > maxLat) {
            return false;
        }
        for (double[][] polygon : polygons) {
            boolean inside = false;
            for (double[] ring : polygon) {
                int n = ring.length / 2;
                for (int i = 0, j = n - 1; i < n; j = i++) {
                    double xi = ring[2 * i];
                    double yi = ring[2 * i + 1];
                    double xj = ring[2 * j];
                    double yj = ring[2 * j + 1];
                    if ((yi > lat) != (yj > lat) && lon < (xj - xi) * (lat - yi) / (yj - yi) + xi) {
                        inside = !inside;
                    }
                }
            }
            if (inside) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GeofenceZone z && z.name.equals(name) && Arrays.deepEquals(z.polygons, polygons);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.deepHashCode(polygons);
    }

    @Override
    public String toString() {
        return "GeofenceZone[" + name + ", " + polygons.length + " polygon(s)]";
    }
}
