package dev.tern.api.outage;

import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.sql.SQLTransientConnectionException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.EventProcessor;
import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.common.jdbc.JdbcException;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;

class RestartProcessorsOnRecoveryTest {

    StreamingEventProcessor processor(String name, Throwable error) {
        StreamingEventProcessor processor = mock(StreamingEventProcessor.class);
        AtomicBoolean running = new AtomicBoolean(true);
        when(processor.getName()).thenReturn(name);
        when(processor.isRunning()).thenAnswer(call -> running.get());
        when(processor.shutdownAsync()).thenAnswer(call -> {
            running.set(false);
            return CompletableFuture.completedFuture(null);
        });
        EventTrackerStatus status = mock(EventTrackerStatus.class);
        when(status.isErrorState()).thenReturn(error != null);
        when(status.getError()).thenReturn(error);
        when(processor.processingStatus()).thenReturn(Map.of(0, status));
        return processor;
    }

    @Test
    void onlyProcessorsInRetryModeBecauseOfTheDatabaseAreRestarted() {
        StreamingEventProcessor readModel = processor("read-model",
                new JdbcException("fetch failed", new SQLTransientConnectionException("connection is not available")));
        StreamingEventProcessor poisoned = processor("network-map", new IllegalStateException("cannot take event"));
        StreamingEventProcessor healthy = processor("other", null);
        EventProcessingConfiguration configuration = mock(EventProcessingConfiguration.class);
        when(configuration.eventProcessors()).thenReturn(Map.<String, EventProcessor>of(
                "read-model", readModel, "network-map", poisoned, "other", healthy));
        StaticListableBeanFactory beans = new StaticListableBeanFactory();
        beans.addBean("processing", configuration);

        new RestartProcessorsOnRecovery(beans.getBeanProvider(EventProcessingConfiguration.class)).run();

        verify(readModel).shutdownAsync();
        verify(readModel).start();
        verify(poisoned, never()).shutdownAsync();
        verify(healthy, never()).shutdownAsync();
    }
}
