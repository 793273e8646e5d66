package dev.tern.command;

import org.axonframework.eventhandling.DomainEventData;
import org.axonframework.eventsourcing.snapshotting.SnapshotFilter;
import org.axonframework.serialization.Revision;

import java.util.Objects;

/**
 * Snapshots are a cache, events are the truth: an account snapshot written by an older shape of {@link Account}
 * (another {@link Revision}) is ignored and the account is rebuilt from its events, so changing the aggregate's
 * fields only needs a bumped revision, never a snapshot upcaster.
 */
final class SnapshotRevisionFilter implements SnapshotFilter {

    @Override
    public boolean test(DomainEventData<?> snapshot) {
        var type = snapshot.getPayload().getType();
        if (!Account.class.getName().equals(type.getName())) {
            return true;
        }
        return Objects.equals(type.getRevision(), Account.class.getAnnotation(Revision.class).value());
    }
}
