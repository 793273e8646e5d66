package dev.tern.api.outage;

import dev.tern.query.ProjectionFailures;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.health.CompositeHealthContributor;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthContributor;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.NamedContributor;

/**
 * {@code projections} in /actuator/health, one component per event processor (read model, network maps): DOWN while
 * the processor is stopped at an event it cannot handle, or is in Axon's retry mode for another reason (it cannot
 * read the event store, e.g. while PostgreSQL is away). The component's name says which projection disagrees with
 * the event store; its details (shown where health details are enabled) name the event and the error.
 */
final class ProjectionsHealth implements CompositeHealthContributor {
    private final ObjectProvider<EventProcessingConfiguration> processing;
    private final ProjectionFailures failures;
    private final List<String> processors;

    ProjectionsHealth(ObjectProvider<EventProcessingConfiguration> processing, ProjectionFailures failures,
                      List<String> processors) {
        this.processing = processing;
        this.failures = failures;
        this.processors = List.copyOf(processors);
    }

    @Override
    public HealthContributor getContributor(String name) {
        return processors.contains(name) ? indicator(name) : null;
    }

    @Override
    public Iterator<NamedContributor<HealthContributor>> iterator() {
        return processors.stream().map(name -> NamedContributor.of(name, (HealthContributor) indicator(name)))
                .iterator();
    }

    private HealthIndicator indicator(String processor) {
        return () -> health(processor);
    }

    Health health(String processor) {
        Optional<ProjectionFailures.Blocked> blocked = failures.blocked(processor);
        if (blocked.isPresent()) {
            return Health.down()
                    .withDetail("state", "stopped at an event it cannot handle; retrying it with backoff")
                    .withDetail("event", blocked.get().event())
                    .withDetail("error", blocked.get().error())
                    .withDetail("since", blocked.get().since().toString())
                    .withDetail("attempts", blocked.get().attempts())
                    .build();
        }
        EventProcessingConfiguration configuration = processing.getIfAvailable();
        Optional<StreamingEventProcessor> streaming = configuration == null ? Optional.empty()
                : configuration.eventProcessor(processor, StreamingEventProcessor.class);
        if (streaming.isEmpty()) {
            return Health.unknown().withDetail("state", "no such event processor").build();
        }
        for (EventTrackerStatus status : streaming.get().processingStatus().values()) {
            if (status.isErrorState()) {
                return Health.down().withDetail("state", "in retry mode")
                        .withDetail("error", String.valueOf(status.getError()).replaceAll("\\s+", " ")).build();
            }
        }
        return Health.up().withDetail("state", streaming.get().isRunning() ? "running" : "not running").build();
    }
}
