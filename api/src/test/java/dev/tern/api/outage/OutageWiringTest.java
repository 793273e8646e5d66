package dev.tern.api.outage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.api.support.TernIntegrationTest;
import dev.tern.api.support.TestHttp;
import dev.tern.projector.NetworkMapEventHandler;
import dev.tern.query.ProjectionFailureReporter;
import dev.tern.query.QuerySideConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.PropagatingErrorHandler;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The shared in-JVM server: projections that cannot handle an event stop and report; health and metrics show it. */
@TernIntegrationTest
class OutageWiringTest {
    @Autowired
    EventProcessingConfiguration processing;
    @Autowired
    TestHttp http;
    @Autowired
    MeterRegistry meters;

    @Test
    void neitherProjectionLogsAndSkipsAFailingEvent() {
        // Axon's default (LoggingErrorHandler) logs a handler's exception and moves on to the next event
        for (String group : List.of(QuerySideConfiguration.READ_MODEL, NetworkMapEventHandler.PROCESSING_GROUP)) {
            assertThat(processing.listenerInvocationErrorHandler(group)).as(group)
                    .isInstanceOf(PropagatingErrorHandler.class);
            assertThat(processing.interceptorsFor(group)).as(group)
                    .anyMatch(interceptor -> interceptor instanceof ProjectionFailureReporter);
        }
    }

    @Test
    void healthShowsTheDatabaseProbeAndTheProjectionsAndMetricsCountStops() {
        // components are shown to operators (a PAT of an owner here), never to anonymous callers
        TestHttp.Response health = http.get("/actuator/health", http.adminToken());
        assertThat(health.status()).as("%s", health).isEqualTo(200);
        assertThat(health.json().at("/components/db/status").asText()).isEqualTo("UP");
        assertThat(health.json().at("/components/projections/components/read-model/status").asText())
                .isEqualTo("UP");
        assertThat(health.json().at("/components/projections/components/network-map/status").asText())
                .isEqualTo("UP");
        // the meters behind /actuator/prometheus (whose access rules are not this test's business)
        for (String processor : List.of(QuerySideConfiguration.READ_MODEL, NetworkMapEventHandler.PROCESSING_GROUP)) {
            assertThat(meters.get("tern.projection.blocked").tag("processor", processor).gauge().value()).isZero();
            assertThat(meters.get("tern.projection.failures").tag("processor", processor).functionCounter())
                    .isNotNull();
        }
    }
}
