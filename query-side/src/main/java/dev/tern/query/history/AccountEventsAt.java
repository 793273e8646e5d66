package dev.tern.query.history;

import dev.tern.events.AccountCreated;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventsourcing.eventstore.DomainEventStream;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * One account's events up to an instant, straight from the event store (never from an aggregate snapshot): the
 * input of every point-in-time answer. The account is the unit of work: one request reads one account's stream.
 *
 * <p>The streams of the {@value #CACHED_ACCOUNTS} accounts read last are kept in memory, read and deserialized
 * once: an account's stream only ever grows, so each later read asks the store only for the events after the
 * newest one held (and that one again, to make sure the store still holds the very event: a store wiped and
 * refilled under the same account id is read afresh). A stream longer than {@value #MAX_CACHED_EVENTS} events is
 * read from the store every time, which bounds what the cache holds.
 */
@Component
public class AccountEventsAt {
    /** Accounts whose streams are kept in memory, least recently read dropped first. */
    static final int CACHED_ACCOUNTS = 4;
    /** Longer streams are not kept (a few hundred bytes to a few kilobytes per event). */
    static final int MAX_CACHED_EVENTS = 200_000;

    private final ObjectProvider<EventStore> eventStore;
    private final Map<String, List<DomainEventMessage<?>>> streams = new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, List<DomainEventMessage<?>>> eldest) {
            return size() > CACHED_ACCOUNTS;
        }
    };

    public AccountEventsAt(ObjectProvider<EventStore> eventStore) {
        this.eventStore = eventStore;
    }

    /**
     * The account's events stamped at or before {@code at}, in stream order; empty when the account did not exist
     * yet. The prefix ends at the first later event: even if two nodes' clocks disagree by a little, an effect is
     * never applied without its cause.
     */
    public Optional<AccountEvents> upTo(String accountId, Instant at) {
        List<DomainEventMessage<?>> stream = stream(accountId);
        int end = 0;
        while (end < stream.size() && !stream.get(end).getTimestamp().isAfter(at)) {
            end++;
        }
        if (end == 0 || !(stream.get(0).getPayload() instanceof AccountCreated)) {
            return Optional.empty();
        }
        return Optional.of(new AccountEvents(accountId, at, stream.subList(0, end)));
    }

    /** Every event of the account, in stream order (empty for an unknown account). */
    public List<DomainEventMessage<?>> all(String accountId) {
        return upTo(accountId, Instant.MAX).map(AccountEvents::events).orElse(List.of());
    }

    /** The account's whole stream (immutable): what memory holds, plus what the store has after it. */
    private List<DomainEventMessage<?>> stream(String accountId) {
        List<DomainEventMessage<?>> held;
        synchronized (streams) {
            held = streams.get(accountId);
        }
        List<DomainEventMessage<?>> stream = held == null ? null : extended(accountId, held);
        if (stream == null) {
            stream = read(accountId, 0);
        }
        synchronized (streams) {
            if (stream.size() <= MAX_CACHED_EVENTS && !stream.isEmpty()) {
                List<DomainEventMessage<?>> now = streams.get(accountId);
                if (now == null || now.size() <= stream.size()) { // a concurrent read may have seen more
                    streams.put(accountId, stream);
                }
            } else {
                streams.remove(accountId);
            }
        }
        return stream;
    }

    /** {@code held} and the events the store has after it; null when the store no longer holds its last event. */
    private List<DomainEventMessage<?>> extended(String accountId, List<DomainEventMessage<?>> held) {
        DomainEventMessage<?> last = held.get(held.size() - 1);
        List<DomainEventMessage<?>> tail = read(accountId, last.getSequenceNumber());
        if (tail.isEmpty() || !tail.get(0).getIdentifier().equals(last.getIdentifier())) {
            return null;
        }
        if (tail.size() == 1) {
            return held;
        }
        List<DomainEventMessage<?>> stream = new ArrayList<>(held.size() + tail.size() - 1);
        stream.addAll(held);
        stream.addAll(tail.subList(1, tail.size()));
        return List.copyOf(stream);
    }

    private List<DomainEventMessage<?>> read(String accountId, long fromSequence) {
        List<DomainEventMessage<?>> events = new ArrayList<>();
        DomainEventStream stream = eventStore.getObject().readEvents(accountId, fromSequence);
        while (stream.hasNext()) {
            DomainEventMessage<?> event = stream.next();
            if (event.getSequenceNumber() >= fromSequence) {
                events.add(event);
            }
        }
        return List.copyOf(events);
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
