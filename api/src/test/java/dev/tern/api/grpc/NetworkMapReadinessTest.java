package dev.tern.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import dev.tern.projector.NetworkMapEventHandler;
import java.util.Map;
import java.util.Optional;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;

class NetworkMapReadinessTest {
    private final EventProcessingConfiguration configuration = mock(EventProcessingConfiguration.class);
    private final StreamingEventProcessor processor = mock(StreamingEventProcessor.class);
    private final NetworkMapReadiness readiness = new NetworkMapReadiness(
            new StaticListableBeanFactory(Map.of("processing", configuration))
                    .getBeanProvider(EventProcessingConfiguration.class));

    private static EventTrackerStatus status(boolean caughtUp) {
        EventTrackerStatus status = mock(EventTrackerStatus.class);
        when(status.isCaughtUp()).thenReturn(caughtUp);
        return status;
    }

    @Test
    void readyOnlyOnceEverySegmentHasCaughtUpAndThenForGood() {
        when(configuration.eventProcessorByProcessingGroup(NetworkMapEventHandler.PROCESSING_GROUP,
                StreamingEventProcessor.class)).thenReturn(Optional.of(processor));

        EventTrackerStatus caughtUp = status(true);
        EventTrackerStatus replaying = status(false);
        when(processor.processingStatus()).thenReturn(Map.of());
        assertThat(readiness.getAsBoolean()).as("no segment claimed yet").isFalse();

        when(processor.processingStatus()).thenReturn(Map.of(0, caughtUp, 1, replaying));
        assertThat(readiness.getAsBoolean()).as("one segment still replaying").isFalse();

        when(processor.processingStatus()).thenReturn(Map.of(0, caughtUp, 1, caughtUp));
        assertThat(readiness.getAsBoolean()).isTrue();

        when(processor.processingStatus()).thenReturn(Map.of(0, replaying));
        assertThat(readiness.getAsBoolean()).as("stays ready").isTrue();
    }

    @Test
    void withoutTheProcessorItDoesNotRefuseForever() {
        when(configuration.eventProcessorByProcessingGroup(NetworkMapEventHandler.PROCESSING_GROUP,
                StreamingEventProcessor.class)).thenReturn(Optional.empty());
        assertThat(readiness.getAsBoolean()).isTrue();
    }
}
