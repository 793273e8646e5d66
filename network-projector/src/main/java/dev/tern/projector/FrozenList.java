package dev.tern.projector;

import java.util.AbstractList;
import java.util.RandomAccess;

/**
 * An unmodifiable list over an array nobody writes to after construction. The computer hands these to
 * {@link PeerNetworkMap}, which then keeps them as they are instead of copying: maps can hold thousands of entries
 * and an account update builds thousands of maps.
 */
final class FrozenList<E> extends AbstractList<E> implements RandomAccess {
    private final Object[] elements;
    private final int size;

    /** Takes ownership of the array: the caller must not touch it afterwards. */
    FrozenList(Object[] elements, int size) {
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
