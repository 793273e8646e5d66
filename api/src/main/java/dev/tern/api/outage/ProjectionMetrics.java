package dev.tern.api.outage;

import dev.tern.query.ProjectionFailures;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;

/**
 * {@code tern_projection_failures_total{processor}}: failed attempts to handle an event (each retry of a stuck
 * event counts); {@code tern_projection_blocked{processor}}: 1 while the processor is stopped at an event. Alert on
 * the gauge: a projection that stopped lags the event store until someone looks.
 */
final class ProjectionMetrics implements MeterBinder {
    private final ProjectionFailures failures;
    private final List<String> processors;

    ProjectionMetrics(ProjectionFailures failures, List<String> processors) {
        this.failures = failures;
        this.processors = List.copyOf(processors);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (String processor : processors) {
            FunctionCounter.builder("tern.projection.failures", failures, f -> f.failureCount(processor))
                    .description("failed attempts of a projection to handle an event")
                    .tag("processor", processor)
                    .register(registry);
            Gauge.builder("tern.projection.blocked", failures, f -> f.blocked(processor).isPresent() ? 1 : 0)
                    .description("1 while the projection is stopped at an event it cannot handle")
                    .tag("processor", processor)
                    .register(registry);
        }
    }
}
