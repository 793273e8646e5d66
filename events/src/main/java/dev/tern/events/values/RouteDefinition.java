package dev.tern.events.values;

import java.util.List;
import java.util.stream.Stream;

/**
 * Everything a route says (NetBird's Route), as created or replaced by an update: traffic to {@code network} (or,
 * for a dynamic route, to whatever {@code domains} resolve to) goes through the routing peer {@code peer} or
 * through each peer of {@code peerGroups} (high availability, lowest {@code metric} first). Peers in the
 * distribution {@code groups} get the route; with {@code accessControlGroups} only what policies allow towards those
 * groups may pass the routing peer. {@code 0.0.0.0/0} makes the routing peer an exit node.
 *
 * <p>The account checks references and ranges; the constructor only normalises lists (events are forever, so it
 * refuses nothing a stored event might hold).
 *
 * @param network null for a domain route
 * @param peer    null when the route is served by peer groups
 */
public record RouteDefinition(
        String description,
        String netId,
        boolean enabled,
        String peer,
        List<String> peerGroups,
        Cidr network,
        List<String> domains,
        int metric,
        boolean masquerade,
        List<String> groups,
        boolean keepRoute,
        List<String> accessControlGroups,
        boolean skipAutoApply) {

    /** NetBird's metric bounds: lower is preferred. */
    public static final int MIN_METRIC = 1;
    public static final int MAX_METRIC = 9999;
    /** NetBird's bound on {@code network_id}. */
    public static final int MAX_NET_ID = 40;
    /** NetBird's bound on the domains of one route. */
    public static final int MAX_DOMAINS = 32;
    /** NetBird's network type as the maps and the REST API name it ({@code route.NetworkType}). */
    public static final int NETWORK_TYPE_IPV4 = 1;
    public static final int NETWORK_TYPE_DOMAIN = 3;

    // Derived values are methods without get/is prefixes, so Jackson never writes them into stored events.
    public RouteDefinition {
        description = description == null ? "" : description;
        peer = peer == null || peer.isEmpty() ? null : peer;
        peerGroups = peerGroups == null ? List.of() : List.copyOf(peerGroups);
        domains = domains == null ? List.of() : List.copyOf(domains);
        groups = groups == null ? List.of() : List.copyOf(groups);
        accessControlGroups = accessControlGroups == null ? List.of() : List.copyOf(accessControlGroups);
    }

    /** A domain route: its network is resolved by the routing peer, not given. */
    public boolean dynamic() {
        return !domains.isEmpty();
    }

    /** {@code 0.0.0.0/0}: the routing peer is an exit node. */
    public boolean exitNode() {
        return network != null && network.prefixLength() == 0;
    }

    /** NetBird's {@code network_type} text: "IPv4" or "Domain". */
    public String networkTypeName() {
        return dynamic() ? "Domain" : "IPv4";
    }

    public int networkType() {
        return dynamic() ? NETWORK_TYPE_DOMAIN : NETWORK_TYPE_IPV4;
    }

    /**
     * The network as NetBird shows and sends it: a domain route carries the placeholder 192.0.2.0/32 (a documentation
     * range, so an old client that does not know domain routes routes nothing real).
     */
    public String networkText() {
        return network == null ? "192.0.2.0/32" : network.toString();
    }

    /** Every group the route references: peer groups, distribution groups, access-control groups. */
    public List<String> referencedGroups() {
        return Stream.of(peerGroups, groups, accessControlGroups).flatMap(List::stream).distinct().toList();
    }
}
