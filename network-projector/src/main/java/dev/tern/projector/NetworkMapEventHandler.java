package dev.tern.projector;

import dev.tern.events.AccountEvent;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.TrackingToken;

/**
 * Axon adapter: forwards every account event to the projector. Register it with a single-segment streaming
 * processor on an in-memory token store, so that each boot replays the whole stream into the fresh in-memory graph
 * in stream order (the graph needs a group before its members, a peer before its renames).
 */
@ProcessingGroup(NetworkMapEventHandler.PROCESSING_GROUP)
public class NetworkMapEventHandler {
    public static final String PROCESSING_GROUP = "network-map";

    private final NetworkMapProjector projector;

    public NetworkMapEventHandler(NetworkMapProjector projector) {
        this.projector = projector;
    }

    /** The token's position (the event's global index) becomes the serial of the maps the event changes. */
    @EventHandler
    public void on(AccountEvent event, TrackingToken token) {
        projector.apply(event, token == null ? 0 : token.position().orElse(0));
    }

    @ResetHandler
    public void onReset() {
        projector.reset();
    }
}
