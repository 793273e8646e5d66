package dev.tern.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GapAwareTrackingToken;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventhandling.GenericTrackedEventMessage;
import org.axonframework.eventhandling.GlobalSequenceTrackingToken;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventsourcing.eventstore.DomainEventStream;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.junit.jupiter.api.Test;

/** The rebuild's reader thread: the events up to the position in order, gaps left out, and its failures handed on. */
class RebuildEventsAheadTest {
    @Test
    void handsTheEventsUpToThePositionInOrderWithoutTheGaps() {
        StoredEvents store = new StoredEvents(LongStream.rangeClosed(0, 2_000).boxed().toList(), -1);
        List<Long> read = new ArrayList<>();
        try (ReadModelRebuild.EventsAhead events = new ReadModelRebuild.EventsAhead(store,
                GapAwareTrackingToken.newInstance(1_500, List.of(3L, 700L)))) {
            for (TrackedEventMessage<?> event = events.next(); event != null; event = events.next()) {
                read.add(event.trackingToken().position().orElseThrow());
            }
        }
        List<Long> expected = new ArrayList<>(LongStream.rangeClosed(0, 1_500).boxed().toList());
        expected.removeAll(List.of(3L, 700L));
        assertThat(read).isEqualTo(expected);
    }

    @Test
    void aReadThatFailsFailsTheRebuildInsteadOfEndingItEarly() {
        StoredEvents store = new StoredEvents(LongStream.rangeClosed(0, 2_000).boxed().toList(), 1_200);
        List<Long> read = new ArrayList<>();
        try (ReadModelRebuild.EventsAhead events = new ReadModelRebuild.EventsAhead(store,
                GapAwareTrackingToken.newInstance(2_000, List.of()))) {
            assertThatThrownBy(() -> {
                for (TrackedEventMessage<?> event = events.next(); event != null; event = events.next()) {
                    read.add(event.trackingToken().position().orElseThrow());
                }
            }).isInstanceOf(IllegalStateException.class).hasMessageContaining("reading the events to replay failed")
                    .hasRootCauseMessage("connection lost at 1200");
        }
        assertThat(read).hasSizeLessThanOrEqualTo(1_200);
    }

    @Test
    void closingEarlyStopsTheReader() {
        StoredEvents store = new StoredEvents(LongStream.rangeClosed(0, 100_000).boxed().toList(), -1);
        ReadModelRebuild.EventsAhead events = new ReadModelRebuild.EventsAhead(store,
                GapAwareTrackingToken.newInstance(100_000, List.of()));
        assertThat(events.next()).isNotNull();
        events.close();
        assertThat(store.read.get()).as("the reader stopped well before the end").isLessThan(100_000);
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("read-model-rebuild-reader"));
    }

    /** A store that holds these positions and, when failAt is one of them, fails as it reaches it. */
    private static final class StoredEvents implements EventStorageEngine {
        private final List<Long> positions;
        private final long failAt;
        final AtomicInteger read = new AtomicInteger();

        StoredEvents(List<Long> positions, long failAt) {
            this.positions = positions;
            this.failAt = failAt;
        }

        @Override
        public Stream<? extends TrackedEventMessage<?>> readEvents(TrackingToken trackingToken, boolean mayBlock) {
            return positions.stream().map(position -> {
                if (position == failAt) {
                    throw new IllegalStateException("connection lost at " + position);
                }
                read.incrementAndGet();
                return new GenericTrackedEventMessage<>(new GlobalSequenceTrackingToken(position),
                        GenericEventMessage.asEventMessage("event " + position));
            });
        }

        @Override
        public void appendEvents(List<? extends EventMessage<?>> events) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void storeSnapshot(DomainEventMessage<?> snapshot) {
            throw new UnsupportedOperationException();
        }

        @Override
        public DomainEventStream readEvents(String aggregateIdentifier, long firstSequenceNumber) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<DomainEventMessage<?>> readSnapshot(String aggregateIdentifier) {
            return Optional.empty();
        }
    }
}
