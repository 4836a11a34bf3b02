package org.limes.gateway.rules;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.limes.gateway.config.ConfigException;

/**
 * Reads the zones of a geofence rule from a GeoJSON file (RFC 7946): a
 * {@code FeatureCollection} whose features each have a {@code Polygon} or
 * {@code MultiPolygon} geometry and a unique, non-blank {@code name} property.
 *
 * <p>Checked: every ring has at least 4 positions and is closed (last = first), every
 * position is {@code [lon, lat]} (an altitude is ignored) with lon in -180..180 and lat in
 * -90..90. Errors name the file and the place: {@code zones.geojson: features[2].geometry
 * .coordinates[0] must be a closed ring (last position = first), got …}. At most
 * {@link #MAX_FILE_BYTES} bytes and {@link #MAX_POSITIONS} positions in all.
 */
public final class GeofenceZonesFile {

    static final long MAX_FILE_BYTES = 16L << 20;
    static final int MAX_POSITIONS = 1_000_000;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private final String file;
    private int positions;

    private GeofenceZonesFile(String file) {
        this.file = file;
    }

    public static List<GeofenceZone> read(Path path) {
        String name = path.toString();
        JsonNode root;
        try {
            if (Files.size(path) > MAX_FILE_BYTES) {
                throw new ConfigException(name, "", "is larger than " + MAX_FILE_BYTES + " bytes", null);
            }
            root = JSON.readTree(Files.readAllBytes(path));
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr();
            throw new ConfigException(name, "", "is not valid JSON" + where + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new ConfigException(name, "", "cannot be read: " + e, e);
        }
        return new GeofenceZonesFile(name).zones(root);
    }

    private List<GeofenceZone> zones(JsonNode root) {
        if (root == null || !root.isObject() || !"FeatureCollection".equals(root.path("type").asText())) {
            throw error("", "must be a GeoJSON FeatureCollection (an object with \"type\": \"FeatureCollection\")");
        }
        JsonNode features = root.path("features");
        if (!features.isArray() || features.isEmpty()) {
            throw error("features", "must be a non-empty list of Feature objects");
        }
        List<GeofenceZone> zones = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < features.size(); i++) {
            String at = "features[" + i + "]";
            JsonNode f = features.get(i);
            if (!f.isObject() || !"Feature".equals(f.path("type").asText())) {
                throw error(at, "must be an object with \"type\": \"Feature\"");
            }
            JsonNode nameNode = f.path("properties").path("name");
            if (!nameNode.isTextual() || nameNode.asText().isBlank()) {
                throw error(at + ".properties.name", "is required: the zone's name, a non-blank string");
            }
            String zone = nameNode.asText().trim();
            if (!names.add(zone)) {
                throw error(at + ".properties.name", "must be unique, '" + zone + "' is used twice");
            }
            JsonNode g = f.path("geometry");
            String type = g.path("type").asText();
            JsonNode coordinates = g.path("coordinates");
            String cat = at + ".geometry.coordinates";
            double[][][] polygons;
            if ("Polygon".equals(type)) {
                polygons = new double[][][] {polygon(coordinates, cat)};
            } else if ("MultiPolygon".equals(type)) {
                if (!coordinates.isArray() || coordinates.isEmpty()) {
                    throw error(cat, "must be a non-empty list of polygons");
                }
                polygons = new double[coordinates.size()][][];
                for (int p = 0; p < coordinates.size(); p++) {
                    polygons[p] = polygon(coordinates.get(p), cat + "[" + p + "]");
                }
            } else {
                throw error(at + ".geometry.type", "must be Polygon or MultiPolygon, got '" + type + "'");
            }
            zones.add(new GeofenceZone(zone, polygons));
        }
        return List.copyOf(zones);
    }

    private double[][] polygon(JsonNode rings, String at) {
        if (!rings.isArray() || rings.isEmpty()) {
            throw error(at, "must be a list of rings: the outer one, then any holes");
        }
        double[][] out = new double[rings.size()][];
        for (int r = 0; r < rings.size(); r++) {
            out[r] = ring(rings.get(r), at + "[" + r + "]");
        }
        return out;
    }

    private double[] ring(JsonNode ring, String at) {
        if (!ring.isArray() || ring.size() < 4) {
            throw error(at, "must be a ring of at least 4 positions (a closed triangle), got "
                    + (ring.isArray() ? ring.size() + " positions" : ring.getNodeType().toString().toLowerCase()));
        }
        positions += ring.size();
        if (positions > MAX_POSITIONS) {
            throw error(at, "is past the limit of " + MAX_POSITIONS + " positions in a zones file");
        }
        double[] out = new double[ring.size() * 2];
        for (int k = 0; k < ring.size(); k++) {
            JsonNode p = ring.get(k);
            String pat = at + "[" + k + "]";
            if (!p.isArray() || p.size() < 2 || !p.get(0).isNumber() || !p.get(1).isNumber()) {
                throw error(pat, "must be a position [lon, lat] in degrees, got " + p);
            }
            double lon = p.get(0).asDouble();
            double lat = p.get(1).asDouble();
            if (!(lon >= -180 && lon <= 180)) {
                throw error(pat, "longitude must be -180..180, got " + p.get(0) + " (GeoJSON is [lon, lat])");
            }
            if (!(lat >= -90 && lat <= 90)) {
                throw error(pat, "latitude must be -90..90, got " + p.get(1) + " (GeoJSON is [lon, lat])");
            }
            out[2 * k] = lon;
            out[2 * k + 1] = lat;
        }
        int last = out.length - 2;
        if (out[0] != out[last] || out[1] != out[last + 1]) {
            throw error(at, "must be a closed ring (last position = first), got first " + ring.get(0) + " and last "
                    + ring.get(ring.size() - 1));
        }
        return out;
    }

    private ConfigException error(String path, String problem) {
        return new ConfigException(file, path, problem, null);
    }
}
