package dev.tern.projector;

import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;

/**
 * Unmodifiable lists over arrays nobody writes to after construction. The computer hands these to
 * {@link PeerNetworkMap}, which keeps them as they are instead of copying: maps can hold thousands of entries and an
 * account update builds thousands of maps.
 */
abstract sealed class FrozenList<E> extends AbstractList<E> implements RandomAccess {

    /** The first {@code size} elements of the array; the caller must not touch the array afterwards. */
    static <E> FrozenList<E> of(Object[] elements, int size) {
        return new Prefix<>(elements, size);
    }

    /**
     * Every element of an array (shared by many maps, or the map's own); the caller must not touch it afterwards.
     * Empty arrays all become {@link #empty()}.
     */
    static <E> FrozenList<E> all(Object[] shared) {
        return shared.length == 0 ? empty() : new Prefix<>(shared, shared.length);
    }

    /** The one empty list: most maps have no offline peers, and they all share it. */
    @SuppressWarnings("unchecked")
    static <E> FrozenList<E> empty() {
        return (FrozenList<E>) EMPTY;
    }

    private static final FrozenList<Object> EMPTY = new Prefix<>(new Object[0], 0);

    /**
     * Every element of a shared array but one: how all maps that see every other peer share one account-wide peer
     * list (each map costs one small object instead of a copy of the account).
     */
    static <E> FrozenList<E> allBut(Object[] shared, int skipped) {
        return new AllBut<>(shared, skipped);
    }

    private static final class Prefix<E> extends FrozenList<E> {
        private final Object[] elements;
        private final int size;

        Prefix(Object[] elements, int size) {
            this.elements = elements;
            this.size = size;
        }

        @Override
        @SuppressWarnings("unchecked")
        public E get(int index) {
            if (index < 0 || index >= size) {
                throw new IndexOutOfBoundsException(index);
            }
            return (E) elements[index];
        }

        @Override
        public int size() {
            return size;
        }
    }

    private static final class AllBut<E> extends FrozenList<E> {
        private final Object[] shared;
        private final int skipped;

        AllBut(Object[] shared, int skipped) {
            if (skipped < 0 || skipped >= shared.length) {
                throw new IllegalArgumentException("no element " + skipped + " to leave out");
            }
            this.shared = shared;
            this.skipped = skipped;
        }

        @Override
        @SuppressWarnings("unchecked")
        public E get(int index) {
            if (index < 0 || index >= shared.length - 1) {
                throw new IndexOutOfBoundsException(index);
            }
            return (E) shared[index < skipped ? index : index + 1];
        }

        @Override
        public int size() {
            return shared.length - 1;
        }

        @Override
        public boolean equals(Object o) {
            if (o instanceof AllBut<?> other && other.shared == shared) {
                return other.skipped == skipped;
            }
            // unequal sizes are the common case after a peer joins or leaves: answer without a walk
            return o instanceof List<?> list && list.size() == size() && super.equals(o);
        }

        @Override
        public int hashCode() {
            return super.hashCode();
        }
    }
}
