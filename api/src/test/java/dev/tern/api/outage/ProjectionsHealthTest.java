package dev.tern.api.outage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.events.GroupCreated;
import dev.tern.events.values.GroupIssuer;
import dev.tern.query.ProjectionFailures;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventhandling.GenericTrackedDomainEventMessage;
import org.axonframework.eventhandling.GlobalSequenceTrackingToken;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;

class ProjectionsHealthTest {
    final ProjectionFailures failures = new ProjectionFailures(Clock.systemUTC());
    final ProjectionsHealth projections = new ProjectionsHealth(
            new StaticListableBeanFactory().getBeanProvider(EventProcessingConfiguration.class), failures,
            List.of("read-model", "network-map"));

    @Test
    void aStoppedProjectionTurnsHealthDownNamingTheProcessorAndTheEventAndCountsInMetrics() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new ProjectionMetrics(failures, List.of("read-model", "network-map")).bindTo(registry);
        assertThat(projections.health("network-map").getStatus()).as("no processors configured")
                .isEqualTo(Status.UNKNOWN);
        assertThat(registry.get("tern.projection.blocked").tag("processor", "network-map").gauge().value()).isZero();

        var event = new GenericTrackedDomainEventMessage<>(new GlobalSequenceTrackingToken(1234),
                new GenericDomainEventMessage<>("Account", "acc-9", 17,
                        new GroupCreated("acc-9", "g-1", "x", GroupIssuer.API)));
        failures.failed("network-map", event, new IllegalStateException("graph has no group g-0"));

        Health down = projections.health("network-map");
        assertThat(down.getStatus()).isEqualTo(Status.DOWN);
        assertThat(projections.getContributor("network-map")).isNotNull();
        Map<String, Object> networkMap = down.getDetails();
        assertThat(networkMap.get("event").toString())
                .contains("GroupCreated").contains("acc-9").contains("sequence 17").contains("global position 1234");
        assertThat(networkMap.get("error").toString()).contains("graph has no group g-0");
        assertThat(registry.get("tern.projection.blocked").tag("processor", "network-map").gauge().value()).isOne();
        assertThat(registry.get("tern.projection.failures").tag("processor", "network-map").functionCounter().count())
                .isOne();
        assertThat(registry.get("tern.projection.blocked").tag("processor", "read-model").gauge().value()).isZero();

        failures.handled("network-map", event);
        assertThat(projections.health("network-map").getStatus()).isNotEqualTo(Status.DOWN);
    }
}
