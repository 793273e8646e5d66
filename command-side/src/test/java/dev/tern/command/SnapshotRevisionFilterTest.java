package dev.tern.command;

import org.axonframework.eventhandling.GenericDomainEventEntry;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class SnapshotRevisionFilterTest {
    private final SnapshotRevisionFilter filter = new SnapshotRevisionFilter();

    private static GenericDomainEventEntry<byte[]> snapshot(String type, String revision) {
        return new GenericDomainEventEntry<>("Account", "acc-1", 250, "evt-1", Instant.EPOCH, type, revision,
                new byte[0], new byte[0]);
    }

    @Test
    void aSnapshotOfTheCurrentAccountShapeIsUsed() {
        String current = Account.class.getAnnotation(org.axonframework.serialization.Revision.class).value();
        assertThat(filter.allow(snapshot(Account.class.getName(), current))).isTrue();
    }

    @Test
    void aSnapshotOfAnOlderAccountShapeIsIgnored() {
        assertThat(filter.allow(snapshot(Account.class.getName(), null))).isFalse();
        assertThat(filter.allow(snapshot(Account.class.getName(), "0"))).isFalse();
        // revision 1 had no login expiry state: its snapshots must be rebuilt from events
        assertThat(filter.allow(snapshot(Account.class.getName(), "1"))).isFalse();
    }

    @Test
    void otherAggregatesAreNotOurBusiness() {
        assertThat(filter.allow(snapshot("dev.tern.other.Thing", null))).isTrue();
    }
}
