package org.limes.drivers;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The names a reading may give the store, one rule for the embedded QuestDB and for InfluxDB,
 * and the names Limes keeps for itself.
 *
 * <p><b>Store names.</b> A measurement, tag key or field key is 1..127 ASCII letters, digits
 * and underscores, starting with a letter. That is what QuestDB takes as a table or column
 * name without quoting (it rejects {@code -}, {@code .}, spaces and more), and it keeps clear
 * of InfluxDB's reserved {@code _measurement}, {@code _field}, {@code _time}, …. Names are
 * compared ignoring letter case wherever the store is involved: QuestDB's tables and columns
 * ignore case, so {@code Device} and {@code device} are one column, and the first of the two
 * in a line wins.
 *
 * <p><b>Names the gateway writes.</b> Every stored reading carries the tags {@link #GATEWAY_TAGS}
 * ({@code device}, {@code site}); the store keeps {@link #RESERVED_KEYS} ({@code timestamp},
 * QuestDB's designated timestamp, and {@code time}, InfluxDB's). A device's tag or field may be
 * none of these in any letter case. The {@link #LIMES_MEASUREMENTS} are the measurements Limes
 * itself writes: {@code alert} (alert transitions, written only by the rules) and the kinds of
 * its drivers, with their {@linkplain #declaredType declared field types}.
 *
 * <p>Stateless and thread-safe.
 */
public final class StoreNames {

    public static final int MAX_LENGTH = 127;

    /** The measurement of alert transitions, written by the gateway's rules only. */
    public static final String ALERT = "alert";

    /** Tags the gateway writes on every reading. */
    public static final Set<String> GATEWAY_TAGS = Set.of("device", "site");

    /** Column names the stores keep: QuestDB's designated timestamp and InfluxDB's time. */
    public static final Set<String> RESERVED_KEYS = Set.of("timestamp", "time");


    private static final Class<?> D = Double.class;
    private static final Class<?> L = Long.class;
    private static final Class<?> B = Boolean.class;
    private static final Class<?> S = String.class;

    /**
     * The measurements Limes writes, with the type of each field its drivers (and the gateway)
     * write there. A field not listed takes the type first written (see the gateway's pipeline).
     */
    private static final Map<String, Map<String, Class<?>>> DECLARED = Map.of(
            ALERT, Map.of("alert_id", S, "value", D, "threshold", D, "reason", S),
            "vehicle_count", Map.ofEntries(
                    Map.entry("count_total", L), Map.entry("count_car", L), Map.entry("count_truck", L),
                    Map.entry("count_bus", L), Map.entry("count_van", L), Map.entry("count_minibus", L),
                    Map.entry("count_motorcycle", L), Map.entry("count_bicycle", L), Map.entry("count_tanker", L),
                    Map.entry("count_truck_articulated", L), Map.entry("count_animal_cart", L),
                    Map.entry("count_in", L), Map.entry("count_out", L), Map.entry("interval_s", L),
                    Map.entry("occupancy_pct", D), Map.entry("speed_avg_mps", D)),
            "people_count", Map.of("count_in", L, "count_out", L, "count_total", L, "interval_s", L),
            "device_health", Map.ofEntries(Map.entry("online", B), Map.entry("tamper", B), Map.entry("video_loss", B),
                    Map.entry("fps", D), Map.entry("temperature_c", D), Map.entry("ok", B), Map.entry("system", S),
                    Map.entry("registered", B), Map.entry("node_type", S), Map.entry("mode", S),
                    Map.entry("power_level_pct", L), Map.entry("power_status", S), Map.entry("power_source", S),
                    Map.entry("lat_deg", D), Map.entry("lon_deg", D), Map.entry("alt_m", D)),
            "anpr_read", Map.of("plate", S, "confidence_pct", D, "picture_bytes", L, "picture_ref", S),
            "radar_track", Map.ofEntries(
                    Map.entry("bearing_deg", D), Map.entry("course_deg", D), Map.entry("cpa_m", D),
                    Map.entry("heading_deg", D), Map.entry("lat_deg", D), Map.entry("lon_deg", D),
                    Map.entry("range_m", D), Map.entry("speed_mps", D), Map.entry("tcpa_s", D),
                    Map.entry("time_of_day_s", D), Map.entry("vx_mps", D), Map.entry("vy_mps", D),
                    Map.entry("x_m", D), Map.entry("y_m", D), Map.entry("name", S), Map.entry("reference", B),
                    Map.entry("skipped_items", L), Map.entry("target", L), Map.entry("elevation_deg", D),
                    Map.entry("alt_m", D), Map.entry("bearing_datum", S), Map.entry("detection_confidence", D),
                    Map.entry("class_confidence", D), Map.entry("behaviour", S), Map.entry("behaviour_confidence", D)),
            "sapient_alert", Map.ofEntries(Map.entry("alert_id", S), Map.entry("description", S),
                    Map.entry("confidence", D), Map.entry("ranking", D), Map.entry("range_m", D),
                    Map.entry("bearing_deg", D), Map.entry("elevation_deg", D), Map.entry("bearing_datum", S),
                    Map.entry("lat_deg", D), Map.entry("lon_deg", D), Map.entry("alt_m", D)));

    /** The measurements Limes writes itself: {@code alert} and its drivers' kinds (lower case). */
    public static final Set<String> LIMES_MEASUREMENTS = DECLARED.keySet();

    private StoreNames() {
    }

    /**
     * Why {@code name} cannot be a store name (a measurement, tag key or field key), or null when
     * it can. The reason says what is allowed.
     */
    public static String problem(String name) {
        if (name == null || name.isEmpty()) {
            return "a name must not be empty";
        }
        if (name.length() > MAX_LENGTH || !isName(name)) {
            return "names the store can hold are 1.." + MAX_LENGTH
                    + " ASCII letters, digits or underscores, starting with a letter";
        }
        return null;
    }

    /** {@code [A-Za-z][A-Za-z0-9_]*} (the length is checked apart), by hand: every key of every line is checked, a regex matcher per key cost more than the rest of a short line. */
    private static boolean isName(String name) {
        char first = name.charAt(0);
        if (!((first >= 'A' && first <= 'Z') || (first >= 'a' && first <= 'z'))) {
            return false;
        }
        for (int k = 1; k < name.length(); k++) {
            char c = name.charAt(k);
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
                return false;
            }
        }
        return true;
    }

    /** True when {@code key} is a gateway tag or a store's reserved column, in any letter case. */
    public static boolean isGatewayKey(String key) {
        String lower = key.toLowerCase(Locale.ROOT);
        return GATEWAY_TAGS.contains(lower) || RESERVED_KEYS.contains(lower);
    }

    /** True when {@code measurement}, in any letter case, is one Limes writes itself. */
    public static boolean isLimesMeasurement(String measurement) {
        return LIMES_MEASUREMENTS.contains(measurement.toLowerCase(Locale.ROOT));
    }

    /**
     * The type Limes declares for a field of one of its measurements (compared ignoring case):
     * {@link Double}, {@link Long}, {@link Boolean} or {@link String}; null when not declared.
     */
    public static Class<?> declaredType(String measurement, String field) {
        Map<String, Class<?>> fields = DECLARED.get(measurement.toLowerCase(Locale.ROOT));
        return fields == null ? null : fields.get(field.toLowerCase(Locale.ROOT));
    }

    /** The name of a field type as the line protocol calls it: float, integer, boolean or string. */
    public static String typeName(Class<?> type) {
        if (type == Double.class) {
            return "float";
        }
        if (type == Long.class) {
            return "integer";
        }
        return type == Boolean.class ? "boolean" : "string";
    }
}
