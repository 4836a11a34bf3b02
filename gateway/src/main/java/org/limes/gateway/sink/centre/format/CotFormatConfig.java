package org.limes.gateway.sink.centre.format;

import java.util.Map;
import java.util.TreeMap;

/**
 * A centre's {@code cot:} section — how alerts map onto Cursor on Target events.
 *
 * @param types        CoT type per alert severity; defaults: {@code critical: b-a-o-c} (an alarm a
 *                     TAK client raises as an emergency), {@code warning} and {@code info}:
 *                     {@code b-m-p-s-m} (a map marker)
 * @param staleSeconds how long a raised alert stays current on a display (default 86400: it is not
 *                     refreshed, and must not vanish while it is still raised)
 * @param how          CoT {@code how} (default {@code h-e}: the point is the device's location from
 *                     the inventory, entered by people, not a live fix)
 */
public record CotFormatConfig(Map<String, String> types, Integer staleSeconds, String how) {

    static final Map<String, String> DEFAULT_TYPES = Map.of("critical", "b-a-o-c", "warning", "b-m-p-s-m",
            "info", "b-m-p-s-m");
    private static final String TYPE = "[a-z](-[A-Za-z0-9.]+)*";

    public CotFormatConfig {
        Map<String, String> merged = new TreeMap<>(DEFAULT_TYPES);
        if (types != null) {
            for (Map.Entry<String, String> e : types.entrySet()) {
                if (!DEFAULT_TYPES.containsKey(e.getKey())) {
                    throw new IllegalArgumentException("types." + e.getKey()
                            + " is not a severity; expected one of [critical, info, warning]");
                }
                if (e.getValue() == null || !e.getValue().matches(TYPE)) {
                    throw new IllegalArgumentException("types." + e.getKey()
                            + " must be a CoT type like b-a-o-c or a-u-G, got '" + e.getValue() + "'");
                }
                merged.put(e.getKey(), e.getValue());
            }
        }
        types = java.util.Collections.unmodifiableMap(merged);
        staleSeconds = (int) org.limes.gateway.config.Require.range("stale_seconds", staleSeconds, 86_400, 60,
                30L * 86_400);
        how = how == null ? "h-e" : how;
        if (!how.matches("[a-z](-[a-z]+)*")) {
            throw new IllegalArgumentException("how must be a CoT how like h-e or m-g, got '" + how + "'");
        }
    }

    public static CotFormatConfig defaults() {
        return new CotFormatConfig(null, null, null);
    }
}
