package dev.tern.command;

import dev.tern.events.CommandRejected;
import org.axonframework.common.Registration;
import org.axonframework.common.caching.Cache;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.axonframework.messaging.unitofwork.ExecutionResult;
import org.axonframework.messaging.unitofwork.UnitOfWork;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Keeps the most recently used accounts loaded, strongly referenced, up to a fixed number. Axon's
 * {@code WeakReferenceCache} was the first choice, but Axon caches a fresh wrapper object per commit and holds it
 * only weakly, so the next young-generation collection drops it: under load a 10,000-peer account would be
 * re-read from its snapshot (megabytes of JSON) after every GC. Accounts past the capacity are evicted least
 * recently used first and simply reloaded from snapshot and events when needed again.
 *
 * <p>Axon removes an aggregate from the cache whenever its unit of work rolls back, because a failed command may
 * have left the cached instance half-changed. A {@link CommandRejected} cannot have: every {@link Account} handler
 * checks everything before it applies the first event. So a rollback caused by a rejection keeps the entry —
 * otherwise each refused request (a fleet retrying with a used-up setup key, a typo in a group id) would cost a
 * reload of the account.
 */
final class AccountCache implements Cache {
    private final int capacity;
    private final LinkedHashMap<Object, Object> entries = new LinkedHashMap<>(16, 0.75f, true);
    private final List<EntryListener> listeners = new CopyOnWriteArrayList<>();

    AccountCache(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.capacity = capacity;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <K, V> V get(K key) {
        Object value;
        synchronized (this) {
            value = entries.get(key);
        }
        if (value != null) {
            listeners.forEach(l -> l.onEntryRead(key, value));
        }
        return (V) value;
    }

    @Override
    public void put(Object key, Object value) {
        Object old;
        List<Object> evicted;
        synchronized (this) {
            old = entries.put(key, value);
            evicted = evictOverflow();
        }
        if (old == null) {
            listeners.forEach(l -> l.onEntryCreated(key, value));
        } else {
            listeners.forEach(l -> l.onEntryUpdated(key, value));
        }
        evicted.forEach(k -> listeners.forEach(l -> l.onEntryExpired(k)));
    }

    @Override
    public boolean putIfAbsent(Object key, Object value) {
        List<Object> evicted;
        synchronized (this) {
            if (entries.containsKey(key)) {
                return false;
            }
            entries.put(key, value);
            evicted = evictOverflow();
        }
        listeners.forEach(l -> l.onEntryCreated(key, value));
        evicted.forEach(k -> listeners.forEach(l -> l.onEntryExpired(k)));
        return true;
    }

    @Override
    @SuppressWarnings("unchecked")
    public synchronized <T> T computeIfAbsent(Object key, Supplier<T> valueSupplier) {
        Object value = entries.get(key);
        if (value == null) {
            value = valueSupplier.get();
            entries.put(key, value);
            evictOverflow();
        }
        return (T) value;
    }

    @Override
    @SuppressWarnings("unchecked")
    public synchronized <V> void computeIfPresent(Object key, UnaryOperator<V> update) {
        Object value = entries.get(key);
        if (value != null) {
            Object updated = update.apply((V) value);
            if (updated == null) {
                entries.remove(key);
            } else {
                entries.put(key, updated);
            }
        }
    }

    @Override
    public boolean remove(Object key) {
        if (rollingBackARejectedCommand()) {
            return false;
        }
        boolean removed;
        synchronized (this) {
            removed = entries.remove(key) != null;
        }
        if (removed) {
            listeners.forEach(l -> l.onEntryRemoved(key));
        }
        return removed;
    }

    @Override
    public void removeAll() {
        List<Object> keys;
        synchronized (this) {
            keys = new ArrayList<>(entries.keySet());
            entries.clear();
        }
        keys.forEach(k -> listeners.forEach(l -> l.onEntryRemoved(k)));
    }

    @Override
    public synchronized boolean containsKey(Object key) {
        return entries.containsKey(key);
    }

    synchronized int size() {
        return entries.size();
    }

    @Override
    public Registration registerCacheEntryListener(EntryListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    private static boolean rollingBackARejectedCommand() {
        if (!CurrentUnitOfWork.isStarted()) {
            return false;
        }
        UnitOfWork<?> unitOfWork = CurrentUnitOfWork.get();
        ExecutionResult result = unitOfWork.getExecutionResult();
        return unitOfWork.phase() == UnitOfWork.Phase.ROLLBACK && result != null && result.isExceptionResult()
                && result.getExceptionResult() instanceof CommandRejected;
    }

    /** Drops least recently used entries beyond the capacity; returns their keys. Caller holds the lock. */
    private List<Object> evictOverflow() {
        List<Object> evicted = new ArrayList<>(0);
        Iterator<Map.Entry<Object, Object>> eldestFirst = entries.entrySet().iterator();
        while (entries.size() > capacity && eldestFirst.hasNext()) {
            evicted.add(eldestFirst.next().getKey());
            eldestFirst.remove();
        }
        return evicted;
    }
}
