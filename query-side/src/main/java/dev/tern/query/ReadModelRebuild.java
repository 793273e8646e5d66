package dev.tern.query;

import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.springframework.stereotype.Component;

/**
 * Drops and rebuilds every read table from the event store: the read-model processor stops, its tokens reset
 * (the projections' reset handlers truncate their tables), and it starts replaying from the first event. Reads
 * see partial tables until the replay has caught up ({@link ReadYourWrites} waits for it). With several nodes,
 * stop the read-model processor on the others first: a reset needs every segment released.
 */
@Component
public class ReadModelRebuild {
    private final EventProcessingConfiguration processing;

    public ReadModelRebuild(EventProcessingConfiguration processing) {
        this.processing = processing;
    }

    public void rebuild() {
        StreamingEventProcessor processor = processing
                .eventProcessor(QuerySideConfiguration.READ_MODEL, StreamingEventProcessor.class)
                .orElseThrow(() -> new IllegalStateException("no " + QuerySideConfiguration.READ_MODEL
                        + " streaming processor is configured"));
        processor.shutDown();
        processor.resetTokens();
        processor.start();
    }
}
