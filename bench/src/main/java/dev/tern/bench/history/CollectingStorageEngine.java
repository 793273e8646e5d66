package dev.tern.bench.history;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventsourcing.eventstore.DomainEventStream;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;

/**
 * The storage engine of {@link FleetHistory}'s in-memory command side: it keeps the events each command appends
 * until {@link #drain()} hands them on, and stores nothing else. The accounts stay in the aggregate cache for the
 * whole run, so the command side never reads an account back; a read fails loudly rather than load an empty one.
 */
final class CollectingStorageEngine implements EventStorageEngine {
    private final List<DomainEventMessage<?>> appended = new ArrayList<>();

    @Override
    public synchronized void appendEvents(List<? extends EventMessage<?>> events) {
        for (EventMessage<?> event : events) {
            appended.add((DomainEventMessage<?>) event);
        }
    }

    synchronized int size() {
        return appended.size();
    }

    /** The events appended since the last drain, in append order. */
    synchronized List<DomainEventMessage<?>> drain() {
        List<DomainEventMessage<?>> events = List.copyOf(appended);
        appended.clear();
        return events;
    }

    @Override
    public void storeSnapshot(DomainEventMessage<?> snapshot) {
        throw new UnsupportedOperationException("the generator takes no snapshots");
    }

    @Override
    public Stream<? extends TrackedEventMessage<?>> readEvents(TrackingToken trackingToken, boolean mayBlock) {
        throw new UnsupportedOperationException("the generator has no event processors");
    }

    @Override
    public DomainEventStream readEvents(String aggregateIdentifier, long firstSequenceNumber) {
        throw new IllegalStateException("account " + aggregateIdentifier + " fell out of the aggregate cache; "
                + "the generator keeps every account loaded");
    }

    @Override
    public Optional<DomainEventMessage<?>> readSnapshot(String aggregateIdentifier) {
        return Optional.empty();
    }

    @Override
    public TrackingToken createTailToken() {
        throw new UnsupportedOperationException();
    }

    @Override
    public TrackingToken createHeadToken() {
        throw new UnsupportedOperationException();
    }

    @Override
    public TrackingToken createTokenAt(Instant dateTime) {
        throw new UnsupportedOperationException();
    }
}
