package org.limes.drivers;

import java.util.AbstractCollection;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Collection;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * An immutable map of string keys, iterated in the keys' natural ({@link String#compareTo})
 * order, kept in two small sorted arrays: the form of a {@link Reading}'s tags and fields.
 *
 * <p>Why not a {@code TreeMap} behind {@code Collections.unmodifiableMap}: a reading has a
 * handful of entries and every decoded frame makes one or two; a tree node per entry and a
 * wrapper per map were most of the bytes a decode allocated. Lookups are a binary search.
 * It implements {@link Map} itself rather than extending {@code AbstractMap}, whose two
 * cached view fields would cost every map 8 bytes; its views are made on each call.
 *
 * <p>Contract, as {@code Collections.unmodifiableMap(new TreeMap<>(m))} had it: every
 * mutator throws {@link UnsupportedOperationException}; a null key is refused
 * ({@link NullPointerException}); {@code equals}, {@code hashCode} and {@code toString}
 * are those of {@link Map}, so it equals any map of the same entries. A driver fills one
 * with a {@link Builder} and hands it to {@link Reading}, which keeps it without a copy.
 *
 * <p>Immutable and thread-safe once built; a {@link Builder} is confined to one thread.
 *
 * @param <V> the value type
 */
public final class SortedArrayMap<V> implements Map<String, V> {

    private static final String[] NO_KEYS = {};
    private static final Object[] NO_VALUES = {};
    private static final SortedArrayMap<?> EMPTY = new SortedArrayMap<>(NO_KEYS, NO_VALUES, 0);

    private final String[] keys;
    private final Object[] values;
    private final int size;

    private SortedArrayMap(String[] keys, Object[] values, int size) {
        this.keys = keys;
        this.values = values;
        this.size = size;
    }

    /** The empty map. */
    @SuppressWarnings("unchecked")
    public static <V> SortedArrayMap<V> of() {
        return (SortedArrayMap<V>) EMPTY;
    }

    /** A builder for about {@code expected} entries (it grows when given more). */
    public static <V> Builder<V> builder(int expected) {
        return new Builder<>(expected);
    }

    /**
     * {@code map} itself when it is a {@code SortedArrayMap} (it is immutable), else a sorted
     * copy of it.
     *
     * @throws NullPointerException when {@code map} or one of its keys is null
     */
    @SuppressWarnings("unchecked")
    public static <V> SortedArrayMap<V> copyOf(Map<String, ? extends V> map) {
        Objects.requireNonNull(map, "map");
        if (map instanceof SortedArrayMap<?> sorted) {
            return (SortedArrayMap<V>) sorted;
        }
        int n = map.size();
        if (n == 0) {
            return of();
        }
        String[] k = new String[n];
        Object[] v = new Object[n];
        int i = 0;
        for (Map.Entry<String, ? extends V> e : map.entrySet()) {
            k[i] = Objects.requireNonNull(e.getKey(), "a key must not be null");
            v[i] = e.getValue();
            i++;
        }
        if (!(map instanceof SortedMap<?, ?> s && s.comparator() == null)) {
            sort(k, v, n);
        }
        return new SortedArrayMap<>(k, v, n);
    }

    /** Insertion sort of parallel arrays by key: readings have a handful of entries. */
    private static void sort(String[] k, Object[] v, int n) {
        for (int i = 1; i < n; i++) {
            String key = k[i];
            Object value = v[i];
            int j = i - 1;
            while (j >= 0 && k[j].compareTo(key) > 0) {
                k[j + 1] = k[j];
                v[j + 1] = v[j];
                j--;
            }
            k[j + 1] = key;
            v[j + 1] = value;
        }
    }

    private static int search(String[] keys, int size, String key) {
        int lo = 0;
        int hi = size - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = keys[mid].compareTo(key);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
    }

    private int indexOf(Object key) {
        Objects.requireNonNull(key, "key");
        return key instanceof String s ? search(keys, size, s) : -1;
    }

    /** The {@code i}-th key in key order, {@code 0 <= i < size()}: iterating without an iterator or entries. */
    public String keyAt(int i) {
        Objects.checkIndex(i, size);
        return keys[i];
    }

    /** The value of {@link #keyAt keyAt(i)}. */
    @SuppressWarnings("unchecked")
    public V valueAt(int i) {
        Objects.checkIndex(i, size);
        return (V) values[i];
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public boolean isEmpty() {
        return size == 0;
    }

    @Override
    public boolean containsKey(Object key) {
        return indexOf(key) >= 0;
    }

    @Override
    @SuppressWarnings("unchecked")
    public V get(Object key) {
        int i = indexOf(key);
        return i >= 0 ? (V) values[i] : null;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void forEach(BiConsumer<? super String, ? super V> action) {
        for (int i = 0; i < size; i++) {
            action.accept(keys[i], (V) values[i]);
        }
    }

    /** The entries, keys or values in key order: one iterator over the positions 0..size-1. */
    private abstract class Positions<T> implements Iterator<T> {
        private int next;

        abstract T at(int i);

        @Override
        public boolean hasNext() {
            return next < size;
        }

        @Override
        public T next() {
            if (next >= size) {
                throw new NoSuchElementException();
            }
            return at(next++);
        }
    }

    @Override
    public Set<Map.Entry<String, V>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Map.Entry<String, V>> iterator() {
                return new Positions<>() {
                    @Override
                    @SuppressWarnings("unchecked")
                    Map.Entry<String, V> at(int i) {
                        return new AbstractMap.SimpleImmutableEntry<>(keys[i], (V) values[i]);
                    }
                };
            }

            @Override
            public int size() {
                return size;
            }
        };
    }

    @Override
    public boolean containsValue(Object value) {
        for (int i = 0; i < size; i++) {
            if (Objects.equals(values[i], value)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Set<String> keySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<String> iterator() {
                return new Positions<>() {
                    @Override
                    String at(int i) {
                        return keys[i];
                    }
                };
            }

            @Override
            public boolean contains(Object o) {
                return o != null && containsKey(o);
            }

            @Override
            public int size() {
                return size;
            }
        };
    }

    @Override
    public Collection<V> values() {
        return new AbstractCollection<>() {
            @Override
            public Iterator<V> iterator() {
                return new Positions<>() {
                    @Override
                    @SuppressWarnings("unchecked")
                    V at(int i) {
                        return (V) values[i];
                    }
                };
            }

            @Override
            public int size() {
                return size;
            }
        };
    }

    @Override
    public boolean equals(Object o) {
        if (o == this) {
            return true;
        }
        if (o instanceof SortedArrayMap<?> other) {
            if (other.size != size) {
                return false;
            }
            for (int i = 0; i < size; i++) {
                if (!keys[i].equals(other.keys[i]) || !Objects.equals(values[i], other.values[i])) {
                    return false;
                }
            }
            return true;
        }
        // As AbstractMap.equals: the same size and every entry found in the other map.
        if (!(o instanceof Map<?, ?> other) || other.size() != size) {
            return false;
        }
        try {
            for (int i = 0; i < size; i++) {
                Object v = values[i];
                if (v == null ? !(other.get(keys[i]) == null && other.containsKey(keys[i])) : !v.equals(other.get(keys[i]))) {
                    return false;
                }
            }
        } catch (ClassCastException | NullPointerException unused) {
            return false;
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 0;
        for (int i = 0; i < size; i++) {
            h += keys[i].hashCode() ^ Objects.hashCode(values[i]);
        }
        return h;
    }

    /** As {@code AbstractMap.toString}: {@code {k1=v1, k2=v2}} in key order. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < size; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(keys[i]).append('=').append(values[i] == this ? "(this Map)" : values[i]);
        }
        return sb.append('}').toString();
    }

    // Immutable: every mutator refuses, as Collections.unmodifiableMap's do (even when it would change nothing).

    @Override
    public V put(String key, V value) {
        throw new UnsupportedOperationException();
    }

    @Override
    public V remove(Object key) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void putAll(Map<? extends String, ? extends V> m) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void clear() {
        throw new UnsupportedOperationException();
    }

    @Override
    public void replaceAll(BiFunction<? super String, ? super V, ? extends V> function) {
        throw new UnsupportedOperationException();
    }

    @Override
    public V putIfAbsent(String key, V value) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean remove(Object key, Object value) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean replace(String key, V oldValue, V newValue) {
        throw new UnsupportedOperationException();
    }

    @Override
    public V replace(String key, V value) {
        throw new UnsupportedOperationException();
    }

    @Override
    public V computeIfAbsent(String key, Function<? super String, ? extends V> mappingFunction) {
        throw new UnsupportedOperationException();
    }

    @Override
    public V computeIfPresent(String key, BiFunction<? super String, ? super V, ? extends V> remappingFunction) {
        throw new UnsupportedOperationException();
    }

    @Override
    public V compute(String key, BiFunction<? super String, ? super V, ? extends V> remappingFunction) {
        throw new UnsupportedOperationException();
    }

    @Override
    public V merge(String key, V value, BiFunction<? super V, ? super V, ? extends V> remappingFunction) {
        throw new UnsupportedOperationException();
    }

    /**
     * A sorted set of keys that many maps share, for a driver whose readings come in a few
     * shapes: the driver makes its keys once and each map it builds {@linkplain #map keeps only
     * its values}, with no key array, builder or sort per map. {@link #subset} gives the keys of
     * a shape with some keys absent, made once per shape.
     *
     * <p>Immutable and thread-safe; {@link #subset} fills a table of at most
     * 2<sup>{@link #size}</sup> entries (at most 2<sup>{@value #MAX_SUBSET_KEYS}</sup>), each
     * made on first use and holding no table of its own, so its memory is bounded by
     * construction.
     */
    public static final class Keys {

        /** The most keys a {@code Keys} answers {@link #subset} for: 4,096 shapes. */
        public static final int MAX_SUBSET_KEYS = 12;

        private final String[] sorted;
        /** Subsets by mask, made on first use; a race makes an equal one twice, never a wrong one. */
        private final Keys[] subsets;

        private Keys(String[] sorted, boolean withSubsets) {
            this.sorted = sorted;
            this.subsets = withSubsets && sorted.length <= MAX_SUBSET_KEYS ? new Keys[1 << sorted.length] : null;
        }

        /**
         * The given keys, sorted.
         *
         * @throws NullPointerException     when a key is null
         * @throws IllegalArgumentException when a key is given twice
         */
        public static Keys of(String... keys) {
            String[] k = keys.clone();
            for (String key : k) {
                Objects.requireNonNull(key, "a key must not be null");
            }
            Arrays.sort(k);
            for (int i = 1; i < k.length; i++) {
                if (k[i].equals(k[i - 1])) {
                    throw new IllegalArgumentException("key " + k[i] + " given twice");
                }
            }
            return new Keys(k, true);
        }

        /** How many keys. */
        public int size() {
            return sorted.length;
        }

        /** The key at {@code index}, in key order. */
        public String key(int index) {
            return sorted[index];
        }

        /** The index of {@code key} in key order, or -1. */
        public int indexOf(String key) {
            int i = search(sorted, sorted.length, key);
            return i >= 0 ? i : -1;
        }

        /**
         * The keys whose bit is set in {@code mask} (bit {@code i} for {@link #key key(i)}), in
         * key order; made on the first call for that mask, the same instance after.
         *
         * @throws IllegalArgumentException when the mask names a key beyond {@link #size}, when
         *                                  there are more than {@value #MAX_SUBSET_KEYS} keys, or
         *                                  when these keys are themselves a subset
         */
        public Keys subset(int mask) {
            if (subsets == null || mask < 0 || mask >= subsets.length) {
                throw new IllegalArgumentException("mask " + Integer.toBinaryString(mask) + " beyond " + sorted.length + " keys");
            }
            Keys s = subsets[mask];
            if (s == null) {
                String[] k = new String[Integer.bitCount(mask)];
                int n = 0;
                for (int i = 0; i < sorted.length; i++) {
                    if ((mask & (1 << i)) != 0) {
                        k[n++] = sorted[i];
                    }
                }
                s = new Keys(k, false);
                subsets[mask] = s;
            }
            return s;
        }

        /**
         * The map of these keys to {@code values}, {@code values[i]} being the value of
         * {@link #key key(i)}. The map keeps the array itself, so the caller hands it over: a
         * fresh array, never changed after.
         *
         * @throws IllegalArgumentException when there is not one value per key
         */
        public <V> SortedArrayMap<V> map(Object[] values) {
            if (values.length != sorted.length) {
                throw new IllegalArgumentException(sorted.length + " keys, " + values.length + " values");
            }
            return sorted.length == 0 ? SortedArrayMap.of() : new SortedArrayMap<>(sorted, values, values.length);
        }
    }

    /**
     * Collects entries in key order as they are put; {@link #build} hands its arrays to the
     * map without a copy, after which the builder refuses further use.
     *
     * @param <V> the value type
     */
    public static final class Builder<V> {

        private String[] keys;
        private Object[] values;
        private int size;
        private boolean built;

        private Builder(int expected) {
            int n = Math.max(expected, 1);
            keys = new String[n];
            values = new Object[n];
        }

        /** Starts from every entry of {@code map}. */
        public Builder<V> putAll(Map<String, ? extends V> map) {
            if (map instanceof SortedArrayMap<? extends V> sorted) {
                for (int i = 0; i < sorted.size(); i++) {
                    put(sorted.keyAt(i), sorted.valueAt(i));
                }
                return this;
            }
            for (Map.Entry<String, ? extends V> e : map.entrySet()) {
                put(e.getKey(), e.getValue());
            }
            return this;
        }

        /**
         * Puts one entry, replacing the value of an equal key.
         *
         * @return the value it replaced, or null
         * @throws NullPointerException when {@code key} is null
         */
        @SuppressWarnings("unchecked")
        public V put(String key, V value) {
            Objects.requireNonNull(key, "key");
            if (built) {
                throw new IllegalStateException("this builder has built its map");
            }
            int i = search(keys, size, key);
            if (i >= 0) {
                V old = (V) values[i];
                values[i] = value;
                return old;
            }
            int at = -(i + 1);
            if (size == keys.length) {
                keys = Arrays.copyOf(keys, size * 2);
                values = Arrays.copyOf(values, size * 2);
            }
            System.arraycopy(keys, at, keys, at + 1, size - at);
            System.arraycopy(values, at, values, at + 1, size - at);
            keys[at] = key;
            values[at] = value;
            size++;
            return null;
        }

        /** The value put under {@code key}, or null. */
        @SuppressWarnings("unchecked")
        public V get(String key) {
            int i = search(keys, size, key);
            return i >= 0 ? (V) values[i] : null;
        }

        /** How many entries have been put. */
        public int size() {
            return size;
        }

        /** The map of the entries put; the builder cannot be used after. */
        public SortedArrayMap<V> build() {
            if (built) {
                throw new IllegalStateException("this builder has built its map");
            }
            built = true;
            return size == 0 ? of() : new SortedArrayMap<>(keys, values, size);
        }
    }
}
