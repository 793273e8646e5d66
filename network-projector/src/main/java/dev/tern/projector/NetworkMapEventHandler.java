package dev.tern.projector;

import dev.tern.events.AccountEvent;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.axonframework.messaging.unitofwork.UnitOfWork;

/**
 * Axon adapter: forwards every account event to the projector. Register it with a single-segment streaming
 * processor on an in-memory token store, so that each boot replays the whole stream into the fresh in-memory graph
 * in stream order (the graph needs a group before its members, a peer before its renames).
 */
@ProcessingGroup(NetworkMapEventHandler.PROCESSING_GROUP)
public class NetworkMapEventHandler {
    public static final String PROCESSING_GROUP = "network-map";
    /** How many events the processor hands over at most per batch, i.e. per map computation. */
    public static final int BATCH_SIZE = 256;
    private static final String FLUSH_REGISTERED = NetworkMapEventHandler.class.getName() + ".flush";

    private final NetworkMapProjector projector;

    public NetworkMapEventHandler(NetworkMapProjector projector) {
        this.projector = projector;
    }

    /**
     * Stages the event; the maps are computed once per batch the processor hands over, when its unit of work is
     * about to commit (outside a unit of work, at once). The position of the batch's last event (its global index)
     * becomes the serial of the maps the batch changed.
     */
    @EventHandler
    public void on(AccountEvent event, TrackingToken token) {
        projector.stage(event, token == null ? 0 : token.position().orElse(0));
        if (!CurrentUnitOfWork.isStarted()) {
            projector.flush();
            return;
        }
        UnitOfWork<?> batch = CurrentUnitOfWork.get().root();
        batch.getOrComputeResource(FLUSH_REGISTERED, key -> {
            batch.onPrepareCommit(unitOfWork -> projector.flush());
            return Boolean.TRUE;
        });
    }

    @ResetHandler
    public void onReset() {
        projector.reset();
    }
}
