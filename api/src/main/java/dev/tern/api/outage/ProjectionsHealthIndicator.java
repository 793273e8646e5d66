package dev.tern.api.outage;

import dev.tern.query.ProjectionFailures;
import java.util.LinkedHashMap;
import java.util.Map;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.EventProcessor;
import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/**
 * DOWN while any event processor (read model, network maps) is stopped at an event it cannot handle, or is in
 * Axon's retry mode for another reason (e.g. it cannot read the event store). The details name each such processor
 * with the event and the error, so an operator knows which projection disagrees with the event store and why.
 */
final class ProjectionsHealthIndicator implements HealthIndicator {
    private final ObjectProvider<EventProcessingConfiguration> processing;
    private final ProjectionFailures failures;

    ProjectionsHealthIndicator(ObjectProvider<EventProcessingConfiguration> processing, ProjectionFailures failures) {
        this.processing = processing;
        this.failures = failures;
    }

    @Override
    public Health health() {
        Map<String, Object> stopped = new LinkedHashMap<>();
        failures.blocked().forEach((processor, blocked) -> stopped.put(processor, Map.of(
                "status", "stopped at an event it cannot handle; retrying",
                "event", blocked.event(),
                "error", blocked.error(),
                "since", blocked.since().toString(),
                "attempts", blocked.attempts())));
        Map<String, Object> running = new LinkedHashMap<>();
        EventProcessingConfiguration configuration = processing.getIfAvailable();
        if (configuration != null) {
            for (EventProcessor processor : configuration.eventProcessors().values()) {
                if (!(processor instanceof StreamingEventProcessor streaming) || stopped.containsKey(processor.getName())) {
                    continue;
                }
                String error = null;
                for (EventTrackerStatus status : streaming.processingStatus().values()) {
                    if (status.isErrorState()) {
                        error = String.valueOf(status.getError()).replaceAll("\\s+", " ");
                    }
                }
                if (error != null) {
                    stopped.put(processor.getName(), Map.of("status", "in retry mode", "error", error));
                } else {
                    running.put(processor.getName(), streaming.isRunning() ? "running" : "not running");
                }
            }
        }
        Health.Builder health = stopped.isEmpty() ? Health.up() : Health.down();
        stopped.forEach(health::withDetail);
        running.forEach(health::withDetail);
        return health.build();
    }
}
