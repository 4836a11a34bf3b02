package org.limes.gateway.pipeline;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.limes.drivers.Reading;
import org.limes.drivers.StoreNames;

/**
 * What a reading may write into the store, checked where readings enter the pipeline, before
 * any outbox: a reading the store could not take, or that would write over the gateway's own
 * names, never reaches an outbox, where it would stall the store or be refused after its device
 * was answered.
 *
 * <ul>
 * <li>Names ({@code invalid_name}): the measurement, tag keys and field keys are names the store
 *     can hold ({@link StoreNames#problem}); no two tags, no two fields, and no tag and field
 *     (the inventory's tags included) differ only in letter case, since the store's columns
 *     ignore case and keep the first.</li>
 * <li>The gateway's names ({@code gateway_name}): no tag or field is {@code device}, {@code site},
 *     {@code timestamp} or {@code time} in any letter case, nor an inventory tag of the device in
 *     another letter case (the same key is the inventory's: {@link Inventory#normalise}); the
 *     measurement is not {@code alert}, which only the rules write.</li>
 * <li>Field types ({@code field_type}): a field of a measurement Limes writes has the type
 *     {@link StoreNames#declaredType declared} for it; any other field has the type it had the
 *     first time it was accepted (QuestDB and InfluxDB fix a column's type at its first write,
 *     so one reading with a string where counters write numbers would make the store refuse
 *     every later number). The first types are kept for up to {@code maxFieldTypes}
 *     measurement/field pairs; once full, a reading with a pair not yet seen is refused
 *     ({@code field_types_full}) rather than written unchecked.</li>
 * </ul>
 *
 * <p>A refused reading is refused whole, with the reason; its other fields are not stored (a
 * reading is one observation, and a partial one would read as complete). Good readings are
 * never refused because of another device's bad one.
 *
 * <p>Threading: safe for concurrent use by every source thread; the first-type map is
 * concurrent and bounded.
 */
final class StoreGuard {

    /** Measurement/field pairs whose first type is remembered, over all measurements. */
    static final int MAX_FIELD_TYPES = 10_000;

    private final ConcurrentMap<String, Class<?>> firstTypes = new ConcurrentHashMap<>();
    private final int maxFieldTypes;

    StoreGuard(int maxFieldTypes) {
        if (maxFieldTypes < 1) {
            throw new IllegalArgumentException("maxFieldTypes must be at least 1, got " + maxFieldTypes);
        }
        this.maxFieldTypes = maxFieldTypes;
    }

    /** Why a reading is refused: the {@code limes.dropped} reason and a message for the log. */
    record Refusal(String reason, String why) {
    }

    /**
     * The refusal of reading {@code r}, or null when the store may take it.
     *
     * @param inventoryTags the tags the inventory adds to this device's readings
     * @param remember      whether a field's first type may be learnt from this reading (false for
     *                      a reading that will be dropped anyway, so it cannot fix a type)
     */
    Refusal check(Reading r, Map<String, String> inventoryTags, boolean remember) {
        String kind = r.kind();
        String problem = StoreNames.problem(kind);
        if (problem != null) {
            return new Refusal("invalid_name", "measurement " + shown(kind) + ": " + problem);
        }
        if (kind.equalsIgnoreCase(StoreNames.ALERT)) {
            return new Refusal("gateway_name", "measurement " + shown(kind)
                    + " holds the gateway's alert transitions; a device may not write it");
        }
        Map<String, String> inventory = new HashMap<>();
        inventoryTags.keySet().forEach(k -> inventory.put(k.toLowerCase(Locale.ROOT), k));
        Map<String, String> tags = new HashMap<>();
        for (String key : r.tags().keySet()) {
            problem = StoreNames.problem(key);
            if (problem != null) {
                return new Refusal("invalid_name", "tag key " + shown(key) + ": " + problem);
            }
            String lower = key.toLowerCase(Locale.ROOT);
            String own = inventory.get(lower);
            if (StoreNames.isGatewayKey(key) || (own != null && !own.equals(key))) {
                return new Refusal("gateway_name", "tag " + shown(key) + " is, in some letter case, a name the "
                        + "gateway writes itself (device, site, timestamp, time and the inventory's tags)");
            }
            String other = tags.putIfAbsent(lower, key);
            if (other != null) {
                return new Refusal("invalid_name", "tags " + shown(other) + " and " + shown(key)
                        + " differ only in letter case, and the store reads them as one");
            }
        }
        Map<String, String> fields = new HashMap<>();
        List<Map.Entry<String, Class<?>>> unseen = null;
        for (Map.Entry<String, Object> f : r.fields().entrySet()) {
            String key = f.getKey();
            problem = StoreNames.problem(key);
            if (problem != null) {
                return new Refusal("invalid_name", "field key " + shown(key) + ": " + problem);
            }
            String lower = key.toLowerCase(Locale.ROOT);
            if (StoreNames.isGatewayKey(key) || inventory.containsKey(lower)) {
                return new Refusal("gateway_name", "field " + shown(key) + " is, in some letter case, a name the "
                        + "gateway writes itself (device, site, timestamp, time and the inventory's tags)");
            }
            if (tags.containsKey(lower)) {
                return new Refusal("invalid_name", "field " + shown(key) + " has the name of tag "
                        + shown(tags.get(lower)) + ", and the store reads them as one column");
            }
            String other = fields.putIfAbsent(lower, key);
            if (other != null) {
                return new Refusal("invalid_name", "fields " + shown(other) + " and " + shown(key)
                        + " differ only in letter case, and the store reads them as one");
            }
            Class<?> type = f.getValue().getClass();
            Class<?> declared = StoreNames.declaredType(kind, key);
            if (declared != null) {
                if (declared != type) {
                    return typeConflict(kind, key, declared, type, "declared by Limes");
                }
                continue;
            }
            String pair = kind.toLowerCase(Locale.ROOT) + '\0' + lower;
            Class<?> first = firstTypes.get(pair);
            if (first == null) {
                if (unseen == null) {
                    unseen = new ArrayList<>(2);
                }
                unseen.add(Map.entry(pair, type));
            } else if (first != type) {
                return typeConflict(kind, key, first, type, "first written");
            }
        }
        if (unseen != null && remember) {
            for (Map.Entry<String, Class<?>> e : unseen) {
                String pair = e.getKey();
                Class<?> type = e.getValue();
                if (firstTypes.size() >= maxFieldTypes && !firstTypes.containsKey(pair)) {
                    return new Refusal("field_types_full", "the gateway already keeps the types of " + maxFieldTypes
                            + " measurement fields, the most it checks; a new field of " + shown(kind) + " is refused");
                }
                Class<?> first = firstTypes.putIfAbsent(pair, type);
                if (first != null && first != type) {
                    String field = pair.substring(pair.indexOf('\0') + 1);
                    return typeConflict(kind, field, first, type, "first written");
                }
            }
        }
        return null;
    }

    /** The number of measurement/field pairs whose first type is kept. */
    int fieldTypes() {
        return firstTypes.size();
    }

    private static Refusal typeConflict(String kind, String field, Class<?> stored, Class<?> got, String how) {
        return new Refusal("field_type", "field " + shown(field) + " of " + shown(kind) + " is "
                + article(StoreNames.typeName(stored)) + " in the store (" + how + "), got "
                + article(StoreNames.typeName(got)));
    }

    private static String article(String type) {
        return (type.equals("integer") ? "an " : "a ") + type;
    }

    private static String shown(String s) {
        return "'" + (s.length() <= 64 ? s : s.substring(0, 64) + "…") + "'";
    }
}
