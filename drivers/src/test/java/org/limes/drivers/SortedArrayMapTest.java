package org.limes.drivers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

/** SortedArrayMap behaves as the {@code unmodifiableMap(new TreeMap<>(m))} Reading used to hold. */
class SortedArrayMapTest {

    @Property(tries = 300)
    void actsAsAnUnmodifiableTreeMap(@ForAll @Size(max = 12) Map<@AlphaChars @StringLength(min = 1, max = 6) String, Integer> source) {
        TreeMap<String, Integer> tree = new TreeMap<>(source);
        SortedArrayMap<Integer> copy = SortedArrayMap.copyOf(source);
        SortedArrayMap.Builder<Integer> builder = SortedArrayMap.builder(2);
        source.forEach(builder::put);
        SortedArrayMap<Integer> built = builder.build();
        for (SortedArrayMap<Integer> m : List.of(copy, built)) {
            assertThat(m).isEqualTo(tree);
            assertThat(tree).isEqualTo(m);
            assertThat(m.hashCode()).isEqualTo(tree.hashCode());
            assertThat(m.toString()).isEqualTo(tree.toString());
            assertThat(new ArrayList<>(m.keySet())).containsExactlyElementsOf(tree.keySet());
            assertThat(new ArrayList<>(m.values())).containsExactlyElementsOf(tree.values());
            for (String k : source.keySet()) {
                assertThat(m.get(k)).isEqualTo(tree.get(k));
                assertThat(m.containsKey(k)).isTrue();
            }
            assertThat(m.get("~absent")).isNull();
        }
        assertThat(copy).isEqualTo(built);
    }

    @Test
    void refusesEveryMutationAndNullKeys() {
        SortedArrayMap<Object> m = SortedArrayMap.copyOf(Map.of("b", 2L, "a", 1L));
        assertThatThrownBy(() -> m.put("c", 3L)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> m.remove("a")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(m::clear).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> m.entrySet().iterator().next().setValue(5L)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> m.keySet().iterator().remove()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> m.get(null)).isInstanceOf(NullPointerException.class);
        HashMap<String, Object> withNull = new HashMap<>();
        withNull.put(null, 1L);
        assertThatThrownBy(() -> SortedArrayMap.copyOf(withNull)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void builderReplacesAnEqualKeyAndIsDoneOnceBuilt() {
        SortedArrayMap.Builder<String> b = SortedArrayMap.builder(1);
        assertThat(b.put("z", "1")).isNull();
        assertThat(b.put("a", "2")).isNull();
        assertThat(b.put("z", "3")).isEqualTo("1");
        SortedArrayMap<String> m = b.build();
        assertThat(m).containsExactly(Map.entry("a", "2"), Map.entry("z", "3"));
        assertThatThrownBy(() -> b.put("q", "4")).isInstanceOf(IllegalStateException.class);
        assertThat(m).hasSize(2);
    }

    @Test
    void aReadingKeepsAGivenSortedArrayMapAndCopiesAnyOtherMap() {
        SortedArrayMap<Object> fields = SortedArrayMap.copyOf(Map.of("b", 2L, "a", 1.5));
        SortedArrayMap<String> tags = SortedArrayMap.copyOf(Map.of("lane", "1"));
        Reading kept = new Reading("d", "", "k", tags, fields, Instant.EPOCH, Instant.EPOCH);
        assertThat(kept.fields()).isSameAs(fields);
        assertThat(kept.tags()).isSameAs(tags);
        HashMap<String, Object> mutable = new HashMap<>(Map.of("b", 2L, "a", 1.5));
        Reading copied = new Reading("d", "", "k", Map.of("lane", "1"), mutable, Instant.EPOCH, Instant.EPOCH);
        mutable.put("c", 3L);
        assertThat(copied).isEqualTo(kept);
        assertThat(copied.hashCode()).isEqualTo(kept.hashCode());
        assertThat(copied.fields()).containsOnlyKeys("a", "b");
        assertThat(copied.withField("0", true).fields().keySet()).containsExactly("0", "a", "b");
        assertThat(copied.withExtraTags(Map.of("lane", "9", "dir", "in")).tags())
                .containsExactly(Map.entry("dir", "in"), Map.entry("lane", "1"));
        assertThatThrownBy(() -> new Reading("d", "", "k", Map.of(), SortedArrayMap.copyOf(Map.of("x", 1)),
                Instant.EPOCH, Instant.EPOCH)).hasMessageContaining("field x must be Double, Long, Boolean or String");
    }

    @Property(tries = 300)
    void keysMakeTheMapABuilderMakes(@ForAll @Size(max = 8) Map<@AlphaChars @StringLength(min = 1, max = 6) String, Integer> source,
            @ForAll int maskSeed) {
        SortedArrayMap.Keys keys = SortedArrayMap.Keys.of(source.keySet().toArray(new String[0]));
        int mask = source.isEmpty() ? 0 : maskSeed & ((1 << source.size()) - 1);
        SortedArrayMap.Keys subset = keys.subset(mask);
        Object[] values = new Object[subset.size()];
        TreeMap<String, Integer> expected = new TreeMap<>();
        for (int i = 0; i < subset.size(); i++) {
            values[i] = source.get(subset.key(i));
            expected.put(subset.key(i), source.get(subset.key(i)));
        }

        SortedArrayMap<Integer> m = subset.map(values);

        assertThat(m).isEqualTo(expected);
        assertThat(m.toString()).isEqualTo(expected.toString());
        assertThat(new ArrayList<>(m.keySet())).containsExactlyElementsOf(expected.keySet());
        assertThat(keys.subset(mask)).isSameAs(subset);
        for (int i = 0; i < keys.size(); i++) {
            assertThat(keys.indexOf(keys.key(i))).isEqualTo(i);
            assertThat(subset.indexOf(keys.key(i)) >= 0).isEqualTo((mask & (1 << i)) != 0);
        }
    }

    @Test
    void keysRefuseDuplicatesNullsAndAWrongCount() {
        assertThatThrownBy(() -> SortedArrayMap.Keys.of("a", "b", "a")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("key a given twice");
        assertThatThrownBy(() -> SortedArrayMap.Keys.of("a", null)).isInstanceOf(NullPointerException.class);
        SortedArrayMap.Keys keys = SortedArrayMap.Keys.of("b", "a");
        assertThat(keys.key(0)).isEqualTo("a");
        assertThatThrownBy(() -> keys.map(new Object[] {1})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> keys.subset(4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> keys.subset(1).subset(1)).isInstanceOf(IllegalArgumentException.class);
        SortedArrayMap<Object> m = keys.map(new Object[] {1L, 2L});
        assertThatThrownBy(() -> m.put("c", 3L)).isInstanceOf(UnsupportedOperationException.class);
        assertThat(m.containsValue(2L)).isTrue();
        assertThat(m.containsValue(3L)).isFalse();
        assertThat(m.keySet().contains(null)).isFalse();
        assertThat(m).isNotEqualTo(Map.of("a", 1L)).isNotEqualTo(List.of());
    }

    @Test
    void oneReadingListIsAnImmutableListOfOne() {
        Reading r = new Reading("d", "", "k", Map.of(), Map.of("x", 1L), Instant.EPOCH, Instant.EPOCH);
        List<Reading> one = OneReadingList.of(r);
        assertThat(one).isEqualTo(List.of(r)).hasSize(1).containsExactly(r);
        assertThat(List.of(r)).isEqualTo(one);
        assertThat(one.hashCode()).isEqualTo(List.of(r).hashCode());
        assertThat(one.indexOf(r)).isZero();
        assertThat(one.subList(0, 1)).isEqualTo(one);
        assertThat(one.subList(1, 1)).isEmpty();
        assertThatThrownBy(() -> one.get(1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> one.add(r)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> one.set(0, r)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> one.removeIf(x -> false)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> one.iterator().remove()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> OneReadingList.of(null)).isInstanceOf(NullPointerException.class);
    }
}
