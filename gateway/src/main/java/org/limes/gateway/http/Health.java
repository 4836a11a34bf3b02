package org.limes.gateway.http;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The gateway's health as served on {@code GET /health}: up or down, plus details (component
 * states, counts) rendered as JSON.
 *
 * @param up whether the gateway does its job; {@code false} answers 503
 * @param degraded up, but not doing all of it (e.g. the outbox disk cannot sync): status
 *                 {@code DEGRADED}, still 200, so a liveness probe does not restart it for that
 * @param details JSON-serialisable values by name; copied, insertion order kept
 */
public record Health(boolean up, boolean degraded, Map<String, Object> details) {

    public Health {
        details = details == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    /** Up or down, not degraded. */
    public Health(boolean up, Map<String, Object> details) {
        this(up, false, details);
    }

    /** Up, with details. */
    public static Health up(Map<String, Object> details) {
        return new Health(true, details);
    }

    /** Down, with details saying why. */
    public static Health down(Map<String, Object> details) {
        return new Health(false, details);
    }
}
