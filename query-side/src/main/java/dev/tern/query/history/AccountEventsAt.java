package dev.tern.query.history;

import dev.tern.events.AccountCreated;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventsourcing.eventstore.DomainEventStream;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * One account's events up to an instant, straight from the event store (never from an aggregate snapshot): the
 * input of every point-in-time answer. The account is the unit of work: one request reads one account's stream.
 */
@Component
public class AccountEventsAt {
    private final ObjectProvider<EventStore> eventStore;

    public AccountEventsAt(ObjectProvider<EventStore> eventStore) {
        this.eventStore = eventStore;
    }

    /**
     * The account's events stamped at or before {@code at}, in stream order; empty when the account did not exist
     * yet. The prefix ends at the first later event: even if two nodes' clocks disagree by a little, an effect is
     * never applied without its cause.
     */
    public Optional<AccountEvents> upTo(String accountId, Instant at) {
        List<DomainEventMessage<?>> events = new ArrayList<>();
        DomainEventStream stream = eventStore.getObject().readEvents(accountId, 0);
        while (stream.hasNext()) {
            DomainEventMessage<?> event = stream.next();
            if (event.getTimestamp().isAfter(at)) {
                break;
            }
            events.add(event);
        }
        if (events.isEmpty() || !(events.get(0).getPayload() instanceof AccountCreated)) {
            return Optional.empty();
        }
        return Optional.of(new AccountEvents(accountId, at, List.copyOf(events)));
    }

    /**
     * The account's events after its event number {@code afterSequence} up to {@code at}, in stream order, ending
     * at the first later event like {@link #upTo}: when no event up to {@code afterSequence} lies after {@code at}
     * (what a checkpoint there guarantees), they are exactly the rest of {@code upTo(accountId, at)}.
     */
    public List<DomainEventMessage<?>> after(String accountId, long afterSequence, Instant at) {
        List<DomainEventMessage<?>> events = new ArrayList<>();
        DomainEventStream stream = eventStore.getObject().readEvents(accountId, afterSequence + 1);
        while (stream.hasNext()) {
            DomainEventMessage<?> event = stream.next();
            if (event.getTimestamp().isAfter(at)) {
                break;
            }
            if (event.getSequenceNumber() > afterSequence) {
                events.add(event);
            }
        }
        return List.copyOf(events);
    }

    /** Every event of the account, in stream order (empty for an unknown account). */
    public List<DomainEventMessage<?>> all(String accountId) {
        return upTo(accountId, Instant.MAX).map(AccountEvents::events).orElse(List.of());
    }

    /**
     * An account's events up to an instant. {@link #lastSequence} names the state: two instants with the same last
     * event see the same state.
     */
    public record AccountEvents(String accountId, Instant at, List<DomainEventMessage<?>> events) {
        public long lastSequence() {
            return events.get(events.size() - 1).getSequenceNumber();
        }
    }
}
