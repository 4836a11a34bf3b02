package org.limes.gateway.pipeline;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
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
 * <p>A reading with the shape of one admitted before (its kind, tag keys, field keys and field
 * types, and its device's inventory tag keys) is admitted without repeating the checks: their
 * verdict rests on nothing else, and a first type, once kept, is never replaced.
 *
 * <p>Public for cluster mode, whose rules check again, on the instance that owns the device, what
 * the source admitted (a frame's record carries its bytes, not the verdicts).
 *
 * <p>Threading: safe for concurrent use by every source thread; the first-type map and the
 * shapes are concurrent and bounded.
 */
public final class StoreGuard {

    /** Measurement/field pairs whose first type is remembered, over all measurements. */
    public static final int MAX_FIELD_TYPES = 10_000;

    /** Shapes of admitted readings kept, over all kinds, and per kind: bounded, the first ones seen. */
    static final int MAX_SHAPES = 1_000;
    static final int MAX_SHAPES_PER_KIND = 16;

    private final ConcurrentMap<String, Class<?>> firstTypes = new ConcurrentHashMap<>();
    /**
     * The shapes of readings admitted, by kind: a reading of a known shape is admitted without
     * the check's maps and lower-cased copies (each reading of a fleet has one of a few shapes).
     */
    private final ConcurrentMap<String, Shape[]> admitted = new ConcurrentHashMap<>();
    private final AtomicInteger shapes = new AtomicInteger();
    private final int maxFieldTypes;

    public StoreGuard(int maxFieldTypes) {
        if (maxFieldTypes < 1) {
            throw new IllegalArgumentException("maxFieldTypes must be at least 1, got " + maxFieldTypes);
        }
        this.maxFieldTypes = maxFieldTypes;
    }

    /** Why a reading is refused: the {@code limes.dropped} reason and a message for the log. */
    public record Refusal(String reason, String why) {
    }

    /**
     * The refusal of reading {@code r}, or null when the store may take it.
     *
     * @param inventoryTags the tags the inventory adds to this device's readings
     * @param remember      whether a field's first type may be learnt from this reading (false for
     *                      a reading that will be dropped anyway, so it cannot fix a type)
     */
    public Refusal check(Reading r, Map<String, String> inventoryTags, boolean remember) {
        Shape[] known = admitted.get(r.kind());
        if (known != null) {
            for (Shape s : known) {
                if (s.matches(r, inventoryTags)) {
                    return null;
                }
            }
        }
        Refusal refusal = checkNames(r, inventoryTags, remember);
        if (refusal == null && remember) {
            remember(r, inventoryTags);
        }
        return refusal;
    }

    /**
     * Remembers the shape of a reading just admitted, with every field's type now known: the
     * same shape is admitted again by {@link Shape#matches} alone, since nothing the check
     * rests on can change (names, declared types, and first types, which are never replaced).
     */
    private void remember(Reading r, Map<String, String> inventoryTags) {
        if (shapes.get() >= MAX_SHAPES) {
            return;
        }
        Shape shape = Shape.of(r, inventoryTags);
        admitted.compute(r.kind(), (k, was) -> {
            if (was == null) {
                shapes.incrementAndGet();
                return new Shape[] {shape};
            }
            if (was.length >= MAX_SHAPES_PER_KIND) {
                return was;
            }
            for (Shape s : was) {
                if (s.matches(r, inventoryTags)) {
                    return was;
                }
            }
            shapes.incrementAndGet();
            Shape[] more = Arrays.copyOf(was, was.length + 1);
            more[was.length] = shape;
            return more;
        });
    }

    /**
     * The names and types of a reading the check admitted, with the keys of its device's
     * inventory tags: a reading of the same kind, tag keys, field keys and field types, whose
     * device has the same inventory tag keys, is admitted too. Immutable.
     */
    private record Shape(String[] tags, String[] fields, Class<?>[] types, String[] inventory) {

        static Shape of(Reading r, Map<String, String> inventoryTags) {
            String[] fields = r.fields().keySet().toArray(String[]::new);
            Class<?>[] types = new Class<?>[fields.length];
            int i = 0;
            for (Object v : r.fields().values()) {
                types[i++] = v.getClass();
            }
            return new Shape(r.tags().keySet().toArray(String[]::new), fields, types,
                    inventoryTags.keySet().toArray(String[]::new));
        }

        /** True when {@code r} has exactly this shape; allocates nothing (the reading's maps are sorted). */
        boolean matches(Reading r, Map<String, String> inventoryTags) {
            if (r.tags().size() != tags.length || r.fields().size() != fields.length
                    || inventoryTags.size() != inventory.length) {
                return false;
            }
            int i = 0;
            for (String k : r.tags().keySet()) {
                if (!k.equals(tags[i++])) {
                    return false;
                }
            }
            i = 0;
            for (Map.Entry<String, Object> f : r.fields().entrySet()) {
                if (!f.getKey().equals(fields[i]) || f.getValue().getClass() != types[i]) {
                    return false;
                }
                i++;
            }
            for (String k : inventory) {
                if (!inventoryTags.containsKey(k)) {
                    return false;
                }
            }
            return true;
        }
    }

    private Refusal checkNames(Reading r, Map<String, String> inventoryTags, boolean remember) {
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
