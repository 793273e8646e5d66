package dev.tern.projector;

import dev.tern.events.AccountEvent;
import java.util.HashSet;
import java.util.Set;
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
    /** Global positions of the events staged since the last committed batch. */
    private final Set<Long> stagedUncommitted = new HashSet<>();

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
        long position = token == null ? 0 : token.position().orElse(0);
        if (!CurrentUnitOfWork.isStarted()) {
            projector.stage(event, position);
            projector.flush();
            return;
        }
        UnitOfWork<?> batch = CurrentUnitOfWork.get().root();
        batch.getOrComputeResource(FLUSH_REGISTERED, key -> {
            batch.onPrepareCommit(unitOfWork -> projector.flush());
            batch.afterCommit(unitOfWork -> clearStagedUncommitted());
            return Boolean.TRUE;
        });
        // A batch that failed (this handler threw, or the flush did) is rolled back and handed over again from its
        // first event: the graph kept what those events did, so they must not be applied twice.
        synchronized (stagedUncommitted) {
            if (token != null && stagedUncommitted.contains(position)) {
                return;
            }
        }
        projector.stage(event, position);
        if (token != null) {
            synchronized (stagedUncommitted) {
                stagedUncommitted.add(position);
            }
        }
    }

    private void clearStagedUncommitted() {
        synchronized (stagedUncommitted) {
            stagedUncommitted.clear();
        }
    }

    @ResetHandler
    public void onReset() {
        clearStagedUncommitted();
        projector.reset();
    }
}
