package dev.tern.query.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.tern.events.AccountCreated;
import dev.tern.events.GroupCreated;
import dev.tern.events.values.Cidr;
import dev.tern.events.values.GroupIssuer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventsourcing.eventstore.DomainEventStream;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.ObjectProvider;

/**
 * An account's stream is read from the store once and then only extended: later reads ask the store for the events
 * after the newest one held, and a store that no longer holds that very event is read afresh.
 */
class AccountEventsAtCacheTest {
    private static final String ACCOUNT = "acc";
    private static final Instant T0 = Instant.parse("2026-06-01T03:00:00Z");

    private final List<DomainEventMessage<?>> stored = new ArrayList<>();
    private final EventStore store = mock(EventStore.class);
    private final AccountEventsAt events;

    @SuppressWarnings("unchecked")
    AccountEventsAtCacheTest() {
        ObjectProvider<EventStore> provider = mock(ObjectProvider.class);
        when(provider.getObject()).thenReturn(store);
        when(store.readEvents(eq(ACCOUNT), anyLong())).thenAnswer(inv -> {
            long from = inv.getArgument(1);
            return DomainEventStream.of(stored.stream().filter(e -> e.getSequenceNumber() >= from)
                    .map(e -> (DomainEventMessage<?>) e).toList());
        });
        events = new AccountEventsAt(provider);
    }

    private DomainEventMessage<?> append(String groupName) {
        int sequence = stored.size();
        Object payload = sequence == 0 ? new AccountCreated(ACCOUNT, new Cidr("100.64.0.0", 16), "tern.internal", T0)
                : new GroupCreated(ACCOUNT, "g" + sequence, groupName, GroupIssuer.API);
        DomainEventMessage<?> event = new GenericDomainEventMessage<>("Account", ACCOUNT, sequence, payload,
                org.axonframework.messaging.MetaData.emptyInstance(), java.util.UUID.randomUUID().toString(),
                T0.plusSeconds(sequence));
        stored.add(event);
        return event;
    }

    @Test
    void laterReadsAskTheStoreOnlyForWhatCameSinceAndSeeIt() {
        append("a");
        append("b");
        append("c");
        assertThat(events.all(ACCOUNT)).containsExactlyElementsOf(stored);
        verify(store, times(1)).readEvents(ACCOUNT, 0);

        append("d");
        assertThat(events.all(ACCOUNT)).containsExactlyElementsOf(stored);
        assertThat(events.upTo(ACCOUNT, T0.plusSeconds(1)).orElseThrow().events()).containsExactlyElementsOf(
                stored.subList(0, 2));
        assertThat(events.upTo(ACCOUNT, T0.plusSeconds(2)).orElseThrow().events()).containsExactlyElementsOf(
                stored.subList(0, 3));
        verify(store, times(1)).readEvents(ACCOUNT, 0);
        verify(store, times(1)).readEvents(ACCOUNT, 2); // the held newest event again, and what followed it
        verify(store, never()).readEvents(ACCOUNT, 1);
    }

    @Test
    void aStoreThatNoLongerHoldsTheNewestHeldEventIsReadAfresh() {
        append("a");
        append("b");
        assertThat(events.all(ACCOUNT)).hasSize(2);
        stored.clear(); // wiped and refilled under the same account id
        append("x");
        append("y");
        append("z");
        assertThat(events.all(ACCOUNT)).containsExactlyElementsOf(stored);
        verify(store, times(2)).readEvents(ACCOUNT, 0);
    }
}
