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
        assertThat(filter.allow(snapshot(Account.class.getName(), "1"))).isTrue();
    }

    @Test
    void aSnapshotOfAnOlderAccountShapeIsIgnored() {
        assertThat(filter.allow(snapshot(Account.class.getName(), null))).isFalse();
        assertThat(filter.allow(snapshot(Account.class.getName(), "0"))).isFalse();
    }

    @Test
    void otherAggregatesAreNotOurBusiness() {
        assertThat(filter.allow(snapshot("dev.tern.other.Thing", null))).isTrue();
    }
}
