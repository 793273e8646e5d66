package dev.tern.api.history;

import dev.tern.events.AccountEvent;
import dev.tern.events.PeerRegistered;
import dev.tern.events.meta.Actor;
import dev.tern.projector.ReachChanges;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.axonframework.eventhandling.DomainEventMessage;

/**
 * A peer's timeline: the events of its account that changed what it could reach ({@link ReachChanges}), newest
 * first, each with its instant and actor.
 */
public final class PeerTimeline {
    private PeerTimeline() {
    }

    /** One event of the timeline and what it changed. */
    public record Entry(String eventId, Instant timestamp, String eventType, Actor actor, ReachChanges.Change change) {
    }

    /**
     * The timeline of {@code peerId} over the account's events (stream order); empty when the peer never
     * registered in them (unknown or foreign ids).
     */
    public static Optional<List<Entry>> of(String accountId, String peerId, List<DomainEventMessage<?>> events) {
        List<AccountEvent> payloads = new ArrayList<>(events.size());
        List<DomainEventMessage<?>> messages = new ArrayList<>(events.size());
        boolean registered = false;
        for (DomainEventMessage<?> event : events) {
            if (event.getPayload() instanceof AccountEvent accountEvent) {
                payloads.add(accountEvent);
                messages.add(event);
                registered |= accountEvent instanceof PeerRegistered r && r.peerId().equals(peerId);
            }
        }
        if (!registered) {
            return Optional.empty();
        }
        List<Entry> entries = new ArrayList<>();
        for (ReachChanges.Change change : ReachChanges.of(accountId, peerId, payloads)) {
            DomainEventMessage<?> message = messages.get(change.index());
            entries.add(new Entry(message.getIdentifier(), message.getTimestamp(),
                    message.getPayloadType().getSimpleName(), Actor.fromMetadata(message.getMetaData()), change));
        }
        Collections.reverse(entries);
        return Optional.of(entries);
    }
}
