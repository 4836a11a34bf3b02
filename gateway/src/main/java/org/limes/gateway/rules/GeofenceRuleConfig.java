package org.limes.gateway.rules;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.limes.gateway.config.Require;

/**
 * A {@code type: geofence} rule: a radar track ({@code radar_track}) of a watched class
 * inside a zone raises one alert per track and zone, which clears when the track leaves
 * the zone, ends ({@code status} {@code ended} or {@code lost}) or is not seen for
 * {@code track_timeout}.
 *
 * @param id           stable rule id
 * @param zonesFile    GeoJSON FeatureCollection of named Polygon/MultiPolygon zones;
 *                     relative to the file the rule is written in
 * @param classes      track classes watched, of {@code person}, {@code vehicle},
 *                     {@code unknown} (default all); a track's class is its {@code class}
 *                     tag, else {@code unknown}
 * @param trackTimeout a track not seen for this long has ended (default 60s, 1s..1h)
 * @param maxTracks    tracks inside a zone kept (default 10,000); beyond it the least
 *                     recently seen is cleared with reason {@code evicted}
 * @param severity     info, warning, critical (default critical)
 * @param zones        the zones as read by the configuration loader (not a YAML key)
 */
public record GeofenceRuleConfig(String id, String zonesFile, List<String> classes, String trackTimeout,
        Integer maxTracks, String severity, List<GeofenceZone> zones) implements RuleConfig {

    static final Set<String> CLASSES = Set.of("person", "vehicle", "unknown");
    static final long MAX_TIMEOUT_MS = 3_600_000L;

    public GeofenceRuleConfig {
        Require.identifier("id", id);
        Require.nonBlank("zones_file", zonesFile);
        if (classes == null) {
            classes = List.of("person", "unknown", "vehicle");
        } else {
            if (classes.isEmpty()) {
                throw new IllegalArgumentException("classes must name at least one of " + new TreeSet<>(CLASSES)
                        + " (leave it out to watch all)");
            }
            TreeSet<String> set = new TreeSet<>();
            for (int i = 0; i < classes.size(); i++) {
                String c = classes.get(i);
                if (c == null) {
                    throw new IllegalArgumentException("classes[" + i + "] must be one of " + new TreeSet<>(CLASSES));
                }
                set.add(Require.oneOf("classes[" + i + "]", c, null, CLASSES));
            }
            classes = List.copyOf(set);
        }
        Require.duration("track_timeout", trackTimeout, 60_000, 1_000, MAX_TIMEOUT_MS);
        maxTracks = (int) Require.range("max_tracks", maxTracks, 10_000, 1, 1_000_000);
        severity = Require.oneOf("severity", severity, "critical", Set.of("info", "warning", "critical"));
        zones = zones == null ? null : List.copyOf(zones);
    }

    /** The YAML keys; the zones are read later, by the configuration loader ({@link #withZones}). */
    @JsonCreator
    public static GeofenceRuleConfig of(@JsonProperty("id") String id, @JsonProperty("zones_file") String zonesFile,
            @JsonProperty("classes") List<String> classes, @JsonProperty("track_timeout") String trackTimeout,
            @JsonProperty("max_tracks") Integer maxTracks, @JsonProperty("severity") String severity) {
        return new GeofenceRuleConfig(id, zonesFile, classes, trackTimeout, maxTracks, severity, null);
    }

    /** This rule with its zones read from {@code resolvedFile}. */
    public GeofenceRuleConfig withZones(String resolvedFile, List<GeofenceZone> read) {
        return new GeofenceRuleConfig(id, resolvedFile, classes, trackTimeout, maxTracks, severity, read);
    }

    public long trackTimeoutMs() {
        return Require.duration("track_timeout", trackTimeout, 60_000, 1_000, MAX_TIMEOUT_MS);
    }

    /** True when tracks of class {@code cls} (a tag value, any case; null is {@code unknown}) are watched. */
    public boolean watches(String cls) {
        return classes.contains(cls == null ? "unknown" : cls.toLowerCase(Locale.ROOT));
    }
}
