package dev.tern.projector;

import dev.tern.events.values.WireGuardKey;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * One route in a peer's map, in NetBird's Route message shape: {@code id} is the route's id, or
 * {@code routeId:peerId} when the route reaches the routing peer through a peer group (one entry per routing peer,
 * as NetBird's getRoutingPeerRoutes makes them); {@code routingPeer} is the WireGuard key of the peer that routes.
 * A peer whose own key is {@code routingPeer} serves the route; every other peer uses it.
 */
public record PeerRoute(String id, String netId, String network, int networkType, List<String> domains,
                        WireGuardKey routingPeer, int metric, boolean masquerade, boolean keepRoute,
                        boolean skipAutoApply) {

    /** The order of a map's routes: by id (unique within a map). */
    static final Comparator<PeerRoute> ORDER = Comparator.comparing(PeerRoute::id);

    public PeerRoute {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(routingPeer, "routingPeer");
        domains = List.copyOf(domains);
    }
}
