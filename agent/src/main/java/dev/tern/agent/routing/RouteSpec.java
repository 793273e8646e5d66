package dev.tern.agent.routing;

/**
 * One route of a map, as NetBird's Route message carries it: the routed {@code network} (a CIDR), the routing peer's
 * WireGuard key, its metric (lower is preferred) and whether the routing peer masquerades. Routes with the same
 * {@link #group()} (network id and network) are one network served by several routing peers (high availability).
 */
public record RouteSpec(String id, String netId, String network, String peerKey, long metric, boolean masquerade) {

    /** The high-availability group: a client uses exactly one routing peer per group. */
    public String group() {
        return netId + "|" + network;
    }

    /** 0.0.0.0/0: the routing peer is an exit node. */
    public boolean isDefault() {
        return network.endsWith("/0");
    }
}
