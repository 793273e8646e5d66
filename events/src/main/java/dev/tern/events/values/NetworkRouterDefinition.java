package dev.tern.events.values;

import java.util.List;

/**
 * A router of a network (NetBird's NetworkRouter): one routing peer or the peers of {@code peerGroups}, with the
 * metric (lower is preferred) and masquerading the routes to the network's resources get.
 *
 * @param peer null when the router is a set of peer groups
 */
public record NetworkRouterDefinition(String peer, List<String> peerGroups, int metric, boolean masquerade,
                                      boolean enabled) {
    public NetworkRouterDefinition {
        peer = peer == null || peer.isEmpty() ? null : peer;
        peerGroups = peerGroups == null ? List.of() : List.copyOf(peerGroups);
    }
}
