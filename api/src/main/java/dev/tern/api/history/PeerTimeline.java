package dev.tern.api.history;

import dev.tern.events.AccountEvent;
import dev.tern.events.meta.Actor;
import dev.tern.projector.ReachChanges;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.axonframework.eventhandling.DomainEventMessage;
import org.springframework.stereotype.Component;

/**
 * A peer's timeline: the events of its account that changed what it could reach ({@link ReachChanges}), newest
 * first, each with its instant and actor.
 *
 * <p>Working a timeline out costs one map of the peer per event that may touch it: at 24,000 events, about half a
 * second. The timelines of the {@value #CACHED} most recently asked peers are kept with the state they reached and
 * only fed the events appended since; a timeline as of an earlier instant is the kept one cut at that instant (a
 * change at an event depends only on the events up to it). So paging through a timeline, or asking it as of many
 * instants, works the history out once.
 */
@Component
public class PeerTimeline {
    /** Timelines kept; each holds a graph of its peer's account. */
    static final int CACHED = 4;

    /** One event of the timeline and what it changed. */
    public record Entry(String eventId, Instant timestamp, String eventType, Actor actor, ReachChanges.Change change) {
    }

    private record Key(String accountId, String peerId) {
    }

    /** A timeline worked out over {@code fed}, the account's events it was fed so far. */
    private record Kept(ReachChanges.Tracker tracker, List<DomainEventMessage<?>> fed) {
    }

    private final Map<Key, Kept> kept = new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Kept> eldest) {
            return size() > CACHED;
        }
    };

    /**
     * The timeline of {@code peerId} over the account's events (stream order, from its first); empty when the peer
     * never registered in them (unknown or foreign ids).
     */
    public Optional<List<Entry>> of(String accountId, String peerId, List<DomainEventMessage<?>> events) {
        List<AccountEvent> payloads = new ArrayList<>(events.size());
        List<DomainEventMessage<?>> messages = new ArrayList<>(events.size());
        for (DomainEventMessage<?> event : events) {
            if (event.getPayload() instanceof AccountEvent accountEvent) {
                payloads.add(accountEvent);
                messages.add(event);
            }
        }
        Key key = new Key(accountId, peerId);
        Kept timeline;
        synchronized (kept) {
            timeline = kept.computeIfAbsent(key, k -> fresh(accountId, peerId));
        }
        List<ReachChanges.Change> changes;
        synchronized (timeline) {
            if (!continues(timeline.fed(), messages)) {
                timeline = fresh(accountId, peerId); // another stream (a store read afresh): worked out anew
            }
            if (timeline.tracker().fed() < payloads.size()) {
                timeline.tracker().advanceTo(payloads);
                timeline.fed().addAll(messages.subList(timeline.fed().size(), messages.size()));
            }
            if (!timeline.tracker().registeredWithin(payloads.size())) {
                return Optional.empty();
            }
            changes = timeline.tracker().changesWithin(payloads.size());
        }
        synchronized (kept) {
            kept.put(key, timeline);
        }
        List<Entry> entries = new ArrayList<>(changes.size());
        for (ReachChanges.Change change : changes) {
            DomainEventMessage<?> message = messages.get(change.index());
            entries.add(new Entry(message.getIdentifier(), message.getTimestamp(),
                    message.getPayloadType().getSimpleName(), Actor.fromMetadata(message.getMetaData()), change));
        }
        Collections.reverse(entries);
        return Optional.of(entries);
    }

    private static Kept fresh(String accountId, String peerId) {
        return new Kept(new ReachChanges.Tracker(accountId, peerId), new ArrayList<>());
    }

    /** Forgets every kept timeline (the benchmark's cold reads). */
    public void forget() {
        synchronized (kept) {
            kept.clear();
        }
    }

    /** Whether the events a timeline was fed and those asked about are the same stream up to the shorter's end. */
    private static boolean continues(List<DomainEventMessage<?>> fed, List<DomainEventMessage<?>> asked) {
        int common = Math.min(fed.size(), asked.size());
        return common == 0 || fed.get(common - 1).getIdentifier().equals(asked.get(common - 1).getIdentifier());
    }
}
