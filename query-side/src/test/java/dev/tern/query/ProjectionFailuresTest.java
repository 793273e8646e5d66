package dev.tern.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.events.GroupCreated;
import dev.tern.events.values.GroupIssuer;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventhandling.GenericTrackedDomainEventMessage;
import org.axonframework.eventhandling.GlobalSequenceTrackingToken;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.junit.jupiter.api.Test;

class ProjectionFailuresTest {
    final ProjectionFailures failures = new ProjectionFailures(Clock.fixed(Instant.EPOCH, ZoneOffset.UTC));

    static TrackedEventMessage<GroupCreated> event(String groupId, long sequence, long position) {
        GroupCreated payload = new GroupCreated("acc-1", groupId, "g", GroupIssuer.API);
        return new GenericTrackedDomainEventMessage<>(new GlobalSequenceTrackingToken(position),
                new GenericDomainEventMessage<>("Account", "acc-1", sequence, payload));
    }

    @Test
    void aFailureStopsTheProcessorUntilThatVeryEventGoesThrough() {
        TrackedEventMessage<GroupCreated> stuck = event("g1", 7, 42);
        failures.failed("read-model", stuck, new IllegalStateException("boom"));
        failures.failed("read-model", stuck, new IllegalStateException("boom again"));

        ProjectionFailures.Blocked blocked = failures.blocked("read-model").orElseThrow();
        assertThat(blocked.event()).isEqualTo("GroupCreated (aggregate acc-1, sequence 7, global position 42, event id "
                + stuck.getIdentifier() + ")");
        assertThat(blocked.error()).contains("boom again");
        assertThat(blocked.attempts()).isEqualTo(2);
        assertThat(failures.failureCount("read-model")).isEqualTo(2);
        assertThat(failures.blocked("network-map")).isEmpty();

        failures.handled("read-model", event("g0", 6, 41)); // an earlier event of the retried batch
        assertThat(failures.blocked("read-model")).isPresent();
        failures.handled("read-model", stuck);
        assertThat(failures.blocked("read-model")).isEmpty();
        assertThat(failures.failureCount("read-model")).as("the count stays").isEqualTo(2);
    }
}
