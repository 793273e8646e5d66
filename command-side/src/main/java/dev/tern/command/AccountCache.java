package dev.tern.command;

import dev.tern.events.CommandRejected;
import org.axonframework.common.Registration;
import org.axonframework.common.caching.Cache;
import org.axonframework.eventsourcing.AggregateCacheEntry;
import org.axonframework.eventsourcing.EventSourcedAggregate;
import org.axonframework.eventsourcing.NoSnapshotTriggerDefinition;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.axonframework.messaging.unitofwork.ExecutionResult;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.axonframework.modelling.command.inspection.AggregateModel;
import org.axonframework.modelling.command.inspection.AnnotatedAggregateMetaModelFactory;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 *
 * <p>Several tern-server nodes share one event store, and each caches the accounts it handled. An account loaded
 * here misses what other nodes appended since: a decision taken on it could refuse a command the account now allows
 * (a setup key created through another node: "setup key not found"), and since a refusal keeps the entry, it would go
 * on refusing. So each read compares the entry's version with the event store's last sequence number for the
 * account (one indexed query) and reloads an account that is behind. The entry's version is the one its aggregate
 * was saved with, read through Axon's own API (no reflection into its fields).
 */
final class AccountCache implements Cache {
    /** The event store's last sequence number of an account, empty when it has no events. */
    interface LastSequenceNumber {
        Optional<Long> of(String accountId);
    }

    private final int capacity;
    private final LastSequenceNumber eventStore;
    private final LinkedHashMap<Object, Object> entries = new LinkedHashMap<>(16, 0.75f, true);
    private final List<EntryListener> listeners = new CopyOnWriteArrayList<>();

    /** A cache that trusts its entries: for one process alone on its event store (tests). */
    AccountCache(int capacity) {
        this(capacity, accountId -> Optional.empty());
    }

    AccountCache(int capacity, LastSequenceNumber eventStore) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.capacity = capacity;
        this.eventStore = eventStore;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <K, V> V get(K key) {
        Object value;
        synchronized (this) {
            value = entries.get(key);
        }
        if (value != null && isBehindTheEventStore(key, value)) {
            boolean removed;
            synchronized (this) {
                removed = entries.remove(key, value);
            }
            if (removed) {
                listeners.forEach(l -> l.onEntryRemoved(key));
            }
            return null; // the repository loads the account from its snapshot and events
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

    private boolean isBehindTheEventStore(Object key, Object value) {
        Long cachedVersion = cachedVersion(value);
        if (cachedVersion == null) {
            return false;
        }
        Optional<Long> stored = eventStore.of(String.valueOf(key));
        return stored.isPresent() && stored.get() > cachedVersion;
    }

    /**
     * The sequence number of the last event the cached account has seen; null for anything but Axon's entry. Axon's
     * entry holds the account's {@link EventSourcedAggregate} it was made from and hands that back as it is (the
     * arguments only matter for an entry that was serialised, which this in-memory cache never does), so its
     * version is the one the repository saved the account with.
     */
    @SuppressWarnings("unchecked")
    private static Long cachedVersion(Object value) {
        if (!(value instanceof AggregateCacheEntry<?> entry)) {
            return null;
        }
        EventSourcedAggregate<Account> aggregate = ((AggregateCacheEntry<Account>) entry).recreateAggregate(
                ACCOUNT_MODEL, null, null, NoSnapshotTriggerDefinition.INSTANCE);
        return aggregate.version();
    }

    /** The account's model, for an entry without its aggregate (never one this cache made). */
    private static final AggregateModel<Account> ACCOUNT_MODEL =
            AnnotatedAggregateMetaModelFactory.inspectAggregate(Account.class);

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
