package dev.tern.api.outage;

import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.EventProcessor;
import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;

/**
 * When PostgreSQL answers again, restarts the event processors that went into Axon's retry mode because of it. Axon
 * doubles a processor's pause after every failed attempt up to a minute, so after an outage of a minute or more the
 * read model (and every REST write waiting for it) and the network maps would lag for up to another minute. A
 * restart resumes from the processor's last committed token at once; nothing is skipped. A processor stopped at an
 * event it cannot handle is left to its own retries.
 */
final class RestartProcessorsOnRecovery implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(RestartProcessorsOnRecovery.class);

    private final ObjectProvider<EventProcessingConfiguration> processing;

    RestartProcessorsOnRecovery(ObjectProvider<EventProcessingConfiguration> processing) {
        this.processing = processing;
    }

    @Override
    public void run() {
        EventProcessingConfiguration configuration = processing.getIfAvailable();
        if (configuration == null) {
            return;
        }
        for (EventProcessor processor : configuration.eventProcessors().values()) {
            if (processor instanceof StreamingEventProcessor streaming && failedForTheDatabase(streaming)) {
                log.info("restarting event processor '{}' now that PostgreSQL is back", processor.getName());
                streaming.shutdownAsync().thenRun(() -> {
                    if (!streaming.isRunning()) {
                        streaming.start();
                    }
                });
            }
        }
    }

    static boolean failedForTheDatabase(StreamingEventProcessor processor) {
        if (!processor.isRunning()) {
            return false; // stopped on purpose (shutdown, reset): not ours to start
        }
        for (EventTrackerStatus status : processor.processingStatus().values()) {
            if (status.isErrorState() && DatabaseFailures.isUnavailable(status.getError())) {
                return true;
            }
        }
        return false;
    }
}
