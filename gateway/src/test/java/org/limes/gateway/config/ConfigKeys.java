package org.limes.gateway.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The YAML keys the configuration records accept, found the way Jackson finds them: a record's
 * components in snake_case (or the name its {@code @JsonProperty} gives), or the parameters of
 * its {@code @JsonCreator} factory when it has one (then components that are not parameters —
 * a rule's loaded zones or list — are not keys); lists and maps are followed to their element
 * records, and an interface with {@code @JsonSubTypes} to every subtype, plus its type key.
 */
final class ConfigKeys {

    /** A top-level key, live or commented out as a whole section ({@code # cluster:}, an opt-in mode). */
    private static final Pattern TOP_LEVEL = Pattern.compile("^(?:# )?([a-z_]+):");

    private ConfigKeys() {
    }

    /** A key and the type of its value. */
    record Key(String name, Type type) {
    }

    /**
     * The keys by top-level section: {@code ""} holds the top-level keys themselves, each other
     * entry every key at any depth under that section.
     */
    static Map<String, Set<String>> bySection(Class<?> root) {
        Map<String, Set<String>> out = new TreeMap<>();
        for (Key k : keys(root)) {
            out.computeIfAbsent("", x -> new TreeSet<>()).add(k.name());
            Set<String> under = new TreeSet<>();
            collect(k.type(), under, new HashSet<>());
            if (!under.isEmpty()) {
                out.put(k.name(), under);
            }
        }
        return out;
    }

    /** The text of each top-level section of a YAML file, by its key. */
    static Map<String, String> sections(String yaml) {
        Map<String, String> out = new LinkedHashMap<>();
        String current = null;
        StringBuilder text = new StringBuilder();
        for (String line : yaml.split("\n", -1)) {
            Matcher m = TOP_LEVEL.matcher(line);
            if (m.find()) {
                if (current != null) {
                    out.put(current, text.toString());
                }
                current = m.group(1);
                text.setLength(0);
            }
            text.append(line).append('\n');
        }
        if (current != null) {
            out.put(current, text.toString());
        }
        return out;
    }

    /** Whether {@code text} writes {@code key:} as a key, live or commented out, block or flow style. */
    static boolean names(String text, String key) {
        return Pattern.compile("(?<![\\w.])" + Pattern.quote(key) + ":").matcher(text).find();
    }

    private static void collect(Type type, Set<String> out, Set<Class<?>> seen) {
        if (type instanceof ParameterizedType p) {
            Class<?> raw = (Class<?>) p.getRawType();
            Type[] args = p.getActualTypeArguments();
            if (Collection.class.isAssignableFrom(raw)) {
                collect(args[0], out, seen);
            } else if (Map.class.isAssignableFrom(raw)) {
                collect(args[1], out, seen);
            }
            return;
        }
        if (!(type instanceof Class<?> c) || !seen.add(c)) {
            return;
        }
        JsonSubTypes subTypes = c.getAnnotation(JsonSubTypes.class);
        if (subTypes != null) {
            JsonTypeInfo info = c.getAnnotation(JsonTypeInfo.class);
            out.add(info == null || info.property().isEmpty() ? "@type" : info.property());
            for (JsonSubTypes.Type t : subTypes.value()) {
                collect(t.value(), out, seen);
            }
            return;
        }
        if (c.isRecord()) {
            for (Key k : keys(c)) {
                out.add(k.name());
                collect(k.type(), out, seen);
            }
        }
    }

    /** The keys of one record. */
    static List<Key> keys(Class<?> record) {
        List<Key> keys = new ArrayList<>();
        for (Method m : record.getDeclaredMethods()) {
            if (Modifier.isStatic(m.getModifiers()) && m.isAnnotationPresent(JsonCreator.class)) {
                for (Parameter p : m.getParameters()) {
                    JsonProperty named = p.getAnnotation(JsonProperty.class);
                    keys.add(new Key(named != null ? named.value() : snake(p.getName()), p.getParameterizedType()));
                }
                return keys;
            }
        }
        for (RecordComponent rc : record.getRecordComponents()) {
            JsonProperty named = rc.getAccessor().getAnnotation(JsonProperty.class);
            if (named == null) {
                named = rc.getAnnotation(JsonProperty.class);
            }
            String name = named != null && !named.value().isEmpty() ? named.value() : snake(rc.getName());
            keys.add(new Key(name, rc.getGenericType()));
        }
        return keys;
    }

    /** Jackson's SNAKE_CASE: {@code maxAgeS} → {@code max_age_s}, {@code tokenSha256} → {@code token_sha256}. */
    static String snake(String camel) {
        StringBuilder out = new StringBuilder();
        for (char ch : camel.toCharArray()) {
            if (Character.isUpperCase(ch)) {
                if (!out.isEmpty()) {
                    out.append('_');
                }
                out.append(Character.toLowerCase(ch));
            } else {
                out.append(ch);
            }
        }
        return out.toString();
    }
}
