package org.limes.drivers;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One timestamped observation of one device.
 *
 * <p>Fields are in canonical SI units and their names carry the unit ({@code speed_mps},
 * {@code range_m}, {@code bearing_deg}); a field value is a {@link Double}, {@link Long},
 * {@link Boolean} or {@link String}. Tags are low-cardinality strings. Both maps are
 * copied into sorted, unmodifiable maps so that a reading has one canonical form.
 *
 * <p>A driver leaves {@code site} empty: the gateway's normaliser fills it from the
 * device inventory.
 *
 * @param deviceId   the device's identity as it reports it
 * @param site       the crossing, empty until normalised
 * @param kind       what was observed: {@code vehicle_count}, {@code radar_track}, …
 * @param tags       low-cardinality labels (lane, direction, …)
 * @param fields     the measured values
 * @param deviceTime the device's own timestamp of the observation
 * @param receivedAt when the gateway received the frame
 */
public record Reading(
        String deviceId,
        String site,
        String kind,
        Map<String, String> tags,
        Map<String, Object> fields,
        Instant deviceTime,
        Instant receivedAt) {

    public Reading {
        requireName(deviceId, "deviceId");
        Objects.requireNonNull(site, "site");
        requireName(kind, "kind");
        Objects.requireNonNull(deviceTime, "deviceTime");
        Objects.requireNonNull(receivedAt, "receivedAt");
        tags = Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(tags, "tags")));
        TreeMap<String, Object> copy = new TreeMap<>(Objects.requireNonNull(fields, "fields"));
        for (Map.Entry<String, Object> e : copy.entrySet()) {
            Object v = e.getValue();
            if (!(v instanceof Double || v instanceof Long || v instanceof Boolean || v instanceof String)) {
                throw new IllegalArgumentException("field " + e.getKey() + " must be Double, Long, Boolean or String, got "
                        + (v == null ? "null" : v.getClass().getSimpleName()));
            }
            if (v instanceof Double d && !Double.isFinite(d)) {
                throw new IllegalArgumentException("field " + e.getKey() + " must be finite, got " + d);
            }
        }
        if (copy.isEmpty()) {
            throw new IllegalArgumentException("a reading needs at least one field");
        }
        fields = Collections.unmodifiableMap(copy);
    }

    /** This reading with the site set. */
    public Reading withSite(String newSite) {
        return new Reading(deviceId, newSite, kind, tags, fields, deviceTime, receivedAt);
    }

    /** This reading with one more field, or that field replaced. */
    public Reading withField(String name, Object value) {
        TreeMap<String, Object> more = new TreeMap<>(fields);
        more.put(name, value);
        return new Reading(deviceId, site, kind, tags, more, deviceTime, receivedAt);
    }

    /** This reading with extra tags; existing tags of the same key are kept. */
    public Reading withExtraTags(Map<String, String> extra) {
        if (extra.isEmpty()) {
            return this;
        }
        TreeMap<String, String> merged = new TreeMap<>(extra);
        merged.putAll(tags);
        return new Reading(deviceId, site, kind, merged, fields, deviceTime, receivedAt);
    }

    /** A numeric field as a double, or NaN when absent or not numeric. */
    public double number(String field) {
        Object v = fields.get(field);
        if (v instanceof Double d) {
            return d;
        }
        if (v instanceof Long l) {
            return l;
        }
        return Double.NaN;
    }

    private static void requireName(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
    }
}
