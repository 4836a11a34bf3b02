package org.limes.drivers;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One timestamped observation of one device.
 *
 * <p>Fields are in canonical SI units and their names carry the unit ({@code speed_mps},
 * {@code range_m}, {@code bearing_deg}); a field value is a {@link Double}, {@link Long},
 * {@link Boolean} or {@link String}. Tags are low-cardinality strings. Both maps are
 * held as immutable maps iterated in key order ({@link SortedArrayMap}) so that a reading has
 * one canonical form: a {@code SortedArrayMap} is kept as given, any other map is copied into
 * one (a driver builds its maps with {@link SortedArrayMap#builder} to skip that copy).
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
        SortedArrayMap<String> sortedTags = SortedArrayMap.copyOf(Objects.requireNonNull(tags, "tags"));
        SortedArrayMap<Object> sortedFields = SortedArrayMap.copyOf(Objects.requireNonNull(fields, "fields"));
        for (int i = 0; i < sortedFields.size(); i++) {
            Object v = sortedFields.valueAt(i);
            if (!(v instanceof Double || v instanceof Long || v instanceof Boolean || v instanceof String)) {
                throw new IllegalArgumentException("field " + sortedFields.keyAt(i) + " must be Double, Long, Boolean or String, got "
                        + (v == null ? "null" : v.getClass().getSimpleName()));
            }
            if (v instanceof Double d && !Double.isFinite(d)) {
                throw new IllegalArgumentException("field " + sortedFields.keyAt(i) + " must be finite, got " + d);
            }
        }
        if (sortedFields.isEmpty()) {
            throw new IllegalArgumentException("a reading needs at least one field");
        }
        tags = sortedTags;
        fields = sortedFields;
    }

    /** This reading with the site set. */
    public Reading withSite(String newSite) {
        return new Reading(deviceId, newSite, kind, tags, fields, deviceTime, receivedAt);
    }

    /** This reading with one more field, or that field replaced. */
    public Reading withField(String name, Object value) {
        SortedArrayMap.Builder<Object> more = SortedArrayMap.builder(fields.size() + 1);
        more.putAll(fields);
        more.put(name, value);
        return new Reading(deviceId, site, kind, tags, more.build(), deviceTime, receivedAt);
    }

    /** This reading with extra tags; existing tags of the same key are kept. */
    public Reading withExtraTags(Map<String, String> extra) {
        if (extra.isEmpty()) {
            return this;
        }
        SortedArrayMap.Builder<String> merged = SortedArrayMap.builder(extra.size() + tags.size());
        merged.putAll(extra);
        merged.putAll(tags);
        return new Reading(deviceId, site, kind, merged.build(), fields, deviceTime, receivedAt);
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
