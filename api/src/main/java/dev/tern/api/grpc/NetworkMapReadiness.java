package dev.tern.api.grpc;

import dev.tern.projector.NetworkMapEventHandler;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;

/**
 * Whether the in-memory network projector has replayed the event store since boot. Until it has, a key it does
 * not know may well belong to a registered peer, so the service answers UNAVAILABLE (retry) rather than
 * PERMISSION_DENIED, which would send a NetBird client back to needing a setup key after every server restart.
 * Once caught up it stays ready: later lag is milliseconds and Login waits for new peers' maps anyway.
 */
final class NetworkMapReadiness implements BooleanSupplier {
    private static final Logger log = LoggerFactory.getLogger(NetworkMapReadiness.class);

    private final ObjectProvider<EventProcessingConfiguration> processing;
    private volatile boolean ready;

    NetworkMapReadiness(ObjectProvider<EventProcessingConfiguration> processing) {
        this.processing = processing;
    }

    @Override
    public boolean getAsBoolean() {
        if (ready) {
            return true;
        }
        EventProcessingConfiguration configuration = processing.getIfAvailable();
        Optional<StreamingEventProcessor> processor = configuration == null ? Optional.empty()
                : configuration.eventProcessorByProcessingGroup(NetworkMapEventHandler.PROCESSING_GROUP,
                        StreamingEventProcessor.class);
        if (processor.isEmpty()) {
            // Without the processor the projector never fills; refusing forever would help no one.
            log.warn("no '{}' event processor; treating the network maps as loaded",
                    NetworkMapEventHandler.PROCESSING_GROUP);
            ready = true;
            return true;
        }
        Map<Integer, EventTrackerStatus> statuses = processor.get().processingStatus();
        if (!statuses.isEmpty() && statuses.values().stream().allMatch(EventTrackerStatus::isCaughtUp)) {
            ready = true;
            log.info("network maps loaded; management gRPC serves every known peer");
        }
        return ready;
    }
}
