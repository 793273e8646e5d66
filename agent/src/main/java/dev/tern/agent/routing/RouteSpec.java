package dev.tern.agent.routing;

import java.util.List;
import java.util.Locale;

/**
 * One route of a map, as NetBird's Route message carries it: the routed {@code network} (a CIDR, IPv4 or IPv6), or
 * for a domain route its {@code domains} (the network is then NetBird's placeholder), the routing peer's WireGuard
 * key, its metric (lower is preferred) and whether the routing peer masquerades. Routes with the same
 * {@link #group()} (network id and network, or network id and domains) are one network served by several routing
 * peers (high availability). {@code keepRoute}: addresses a domain once resolved to stay routed when it later
 * resolves elsewhere. {@code skipAutoApply}: the client uses the route only once it is selected
 * ({@code tern route select}).
 */
public record RouteSpec(String id, String netId, String network, String peerKey, long metric, boolean masquerade,
                        List<String> domains, boolean keepRoute, boolean skipAutoApply) {

    public RouteSpec {
        domains = domains == null ? List.of()
                : domains.stream().map(d -> d.toLowerCase(Locale.ROOT).replaceAll("\\.$", "")).toList();
    }

    /** A network route that is applied by itself. */
    public RouteSpec(String id, String netId, String network, String peerKey, long metric, boolean masquerade) {
        this(id, netId, network, peerKey, metric, masquerade, List.of(), false, false);
    }

    /** The high-availability group: a client uses exactly one routing peer per group (NetBird's HA id). */
    public String group() {
        return netId + "|" + (isDomainRoute() ? String.join(",", domains) : network);
    }

    /** A domain route: what it routes is whatever its domains resolve to. */
    public boolean isDomainRoute() {
        return !domains.isEmpty();
    }

    /** 0.0.0.0/0 (or ::/0): the routing peer is an exit node. */
    public boolean isDefault() {
        return !isDomainRoute() && network.endsWith("/0");
    }

    public boolean isIpv6() {
        return !isDomainRoute() && network.indexOf(':') >= 0;
    }

    /** What {@code tern status} shows as the route's network: the CIDR, or the domains. */
    public String shownNetwork() {
        return isDomainRoute() ? String.join(" ", domains) : network;
    }

    /**
     * Whether {@code name} (lower case, no trailing dot) is one of the route's domains: a domain matches itself, a
     * wildcard {@code *.example.com} every name below example.com, as NetBird's resolver matches route domains.
     */
    public boolean coversDomain(String name) {
        return domains.stream().anyMatch(pattern -> matches(pattern, name));
    }

    static boolean matches(String pattern, String name) {
        String n = name.toLowerCase(Locale.ROOT).replaceAll("\\.$", "");
        if (pattern.startsWith("*.")) {
            return n.endsWith(pattern.substring(1));
        }
        return n.equals(pattern);
    }
}
