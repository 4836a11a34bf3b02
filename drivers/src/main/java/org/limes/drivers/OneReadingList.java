package org.limes.drivers;

import java.util.AbstractCollection;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.ListIterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * The immutable list of the one reading most frames decode to, as a driver's
 * {@link Driver#decode} returns it: {@code List.of(r)} and {@code Collections.singletonList(r)}
 * cost 24 bytes each (a spare element slot, a modification count), this 16, on every frame.
 *
 * <p>A {@link List} by its contract: {@code equals} and {@code hashCode} as every list's, every
 * mutator throws {@link UnsupportedOperationException}. Immutable and thread-safe.
 */
public final class OneReadingList extends AbstractCollection<Reading> implements List<Reading>, RandomAccess {

    private final Reading reading;

    private OneReadingList(Reading reading) {
        this.reading = reading;
    }

    /** The list of {@code reading} alone. */
    public static List<Reading> of(Reading reading) {
        return new OneReadingList(Objects.requireNonNull(reading, "reading"));
    }

    @Override
    public int size() {
        return 1;
    }

    @Override
    public Reading get(int index) {
        Objects.checkIndex(index, 1);
        return reading;
    }

    @Override
    public Iterator<Reading> iterator() {
        return listIterator(0);
    }

    @Override
    public ListIterator<Reading> listIterator() {
        return listIterator(0);
    }

    @Override
    public ListIterator<Reading> listIterator(int index) {
        Objects.checkIndex(index, 2);
        return new ListIterator<>() {
            private int next = index;

            @Override
            public boolean hasNext() {
                return next == 0;
            }

            @Override
            public Reading next() {
                if (next != 0) {
                    throw new NoSuchElementException();
                }
                next = 1;
                return reading;
            }

            @Override
            public boolean hasPrevious() {
                return next == 1;
            }

            @Override
            public Reading previous() {
                if (next != 1) {
                    throw new NoSuchElementException();
                }
                next = 0;
                return reading;
            }

            @Override
            public int nextIndex() {
                return next;
            }

            @Override
            public int previousIndex() {
                return next - 1;
            }

            @Override
            public void remove() {
                throw new UnsupportedOperationException();
            }

            @Override
            public void set(Reading r) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void add(Reading r) {
                throw new UnsupportedOperationException();
            }
        };
    }

    @Override
    public boolean contains(Object o) {
        return reading.equals(o);
    }

    @Override
    public int indexOf(Object o) {
        return reading.equals(o) ? 0 : -1;
    }

    @Override
    public int lastIndexOf(Object o) {
        return indexOf(o);
    }

    @Override
    public List<Reading> subList(int fromIndex, int toIndex) {
        Objects.checkFromToIndex(fromIndex, toIndex, 1);
        return fromIndex == toIndex ? List.of() : this;
    }

    @Override
    public boolean equals(Object o) {
        if (o == this) {
            return true;
        }
        if (!(o instanceof List<?> other) || other.size() != 1) {
            return false;
        }
        return reading.equals(other.get(0));
    }

    @Override
    public int hashCode() {
        return 31 + reading.hashCode();
    }

    // Immutable: every mutator refuses.

    @Override
    public Reading set(int index, Reading element) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void add(int index, Reading element) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Reading remove(int index) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean addAll(int index, Collection<? extends Reading> c) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean add(Reading r) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean remove(Object o) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean addAll(Collection<? extends Reading> c) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean removeAll(Collection<?> c) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean retainAll(Collection<?> c) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean removeIf(java.util.function.Predicate<? super Reading> filter) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void clear() {
        throw new UnsupportedOperationException();
    }
}
