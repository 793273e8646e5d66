package dev.tern.agent.routing;

import dev.tern.agent.dataplane.ForwardRuleSpec;
import dev.tern.agent.dataplane.RoutedTraffic;
import dev.tern.agent.status.StatusReport;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The map's routes on this host, in both roles NetBird's route manager has:
 * <ul>
 *   <li>client: per high-availability group (network id and network) exactly one routing peer is used, the one
 *       with the lowest metric among those with a fresh handshake (or, while none has one, the lowest metric, so
 *       its tunnel can come up). The choice is kept while its peer stays connected and no connected peer has a
 *       strictly lower metric, and moves when its peer stops handshaking or leaves the map. The routed network
 *       becomes part of that peer's WireGuard allowed IPs (only that peer's) and a kernel route via the mesh
 *       interface;</li>
 *   <li>routing peer: the routes whose peer is our own key are served: IP forwarding on, traffic from the mesh
 *       forwarded as the map's route firewall rules allow, masqueraded when the route says so.</li>
 * </ul>
 * Domain routes, as NetBird's client applies them today (its DNS interceptor): the client's resolver asks the
 * chosen routing peer's DNS forwarder for the route's domains, and each address an answer carries becomes a host
 * route and an allowed IP of that peer ({@link #resolved}), for as long as the route stands, moving with the
 * group's failover; the routing peer forwards (and masquerades) towards the addresses its forwarder gave out
 * ({@link #forwarded}).
 * The engine calls it under its own lock, one map or tick at a time.
 */
public final class Routing {

    /** What routing changes on the host itself: kernel routes via the mesh interface and IP forwarding. */
    public interface Host {
        /**
         * Makes the kernel route exactly {@code networks} via the mesh interface; a default route (0.0.0.0/0) must
         * not take the path to {@code keepOutside} (the control plane's and peers' addresses) with it.
         */
        void routes(Set<String> networks, Collection<String> keepOutside);

        void forwarding(boolean on);

        /** IPv6 forwarding: on while we serve an IPv6 route. */
        default void forwardingIpv6(boolean on) {
        }

        /** Removes every route it installed and puts forwarding back as it found it. */
        void close();

        Host NONE = new Host() {
            @Override
            public void routes(Set<String> networks, Collection<String> keepOutside) {
            }

            @Override
            public void forwarding(boolean on) {
            }

            @Override
            public void close() {
            }
        };
    }

    /** The route used for one group, and whether its routing peer has a fresh handshake. */
    public record Choice(RouteSpec route, boolean connected) {
    }

    public static final String ACTIVE = "active";
    public static final String CONNECTING = "connecting";
    public static final String SERVING = "serving";
    /** A route with skipAutoApply nobody selected yet, or one deselected with {@code tern route deselect}. */
    public static final String NOT_SELECTED = "not-selected";
    /** An IPv6 route on a mesh that gives this peer no IPv6 address: nothing could be sent through it. */
    public static final String NO_IPV6 = "no-ipv6";

    private final String ownKey;
    private final Host host;
    /** Group to the routing peer's key we use for it. */
    private final Map<String, String> chosenPeers = new HashMap<>();
    /** Network ids turned on with {@code tern route select} (what skipAutoApply routes wait for). */
    private final Set<String> selected = new TreeSet<>();
    /** Network ids turned off with {@code tern route deselect}. */
    private final Set<String> deselected = new TreeSet<>();
    /** Client: per domain route group, per resolved name, the addresses routed through the group's peer. */
    private final Map<String, Map<String, Set<String>>> resolved = new HashMap<>();
    /** Routing peer: per name our DNS forwarder answered for a served domain route, the addresses it gave. */
    private final Map<String, Set<String>> forwarded = new HashMap<>();
    private List<Choice> choices = List.of();
    private List<RouteSpec> served = List.of();
    /** Routes the map offers that are not used: {@link #NOT_SELECTED} or {@link #NO_IPV6}, by route. */
    private Map<RouteSpec, String> leftOut = Map.of();
    /** Whether the last map gave us an IPv6 mesh address: resolved IPv6 addresses are routed only then. */
    private boolean meshIpv6;

    public Routing(String ownKey, Host host) {
        this.ownKey = ownKey;
        this.host = host;
    }

    /** Routes nothing (tests of other parts, and a daemon that has no key yet). */
    public static Routing none() {
        return new Routing("", Host.NONE);
    }

    /** An IPv4-only mesh's selection: see {@link #select(List, Set, Set, boolean)}. */
    public Map<String, List<String>> select(List<RouteSpec> routes, Set<String> mapPeers, Set<String> connected) {
        return select(routes, mapPeers, connected, false);
    }

    /**
     * Chooses a routing peer per group among {@code mapPeers} ({@code connected} those with a fresh handshake) and
     * returns the prefixes each chosen peer's allowed IPs gain: networks, and the addresses a domain route's
     * domains resolved to. IPv6 routes count only on an IPv6 mesh ({@code meshIpv6}); routes with skipAutoApply
     * only once selected, and deselected ones not at all.
     */
    public Map<String, List<String>> select(List<RouteSpec> routes, Set<String> mapPeers, Set<String> connected,
                                            boolean meshIpv6) {
        List<RouteSpec> own = new ArrayList<>();
        Map<String, List<RouteSpec>> groups = new LinkedHashMap<>();
        Map<RouteSpec, String> unused = new LinkedHashMap<>();
        for (RouteSpec route : routes) {
            if (route.peerKey().equals(ownKey)) {
                own.add(route);
            } else if (!mapPeers.contains(route.peerKey())) {
                continue;
            } else if (route.isIpv6() && !meshIpv6) {
                unused.put(route, NO_IPV6);
            } else if (!isSelected(route)) {
                unused.put(route, NOT_SELECTED);
            } else {
                groups.computeIfAbsent(route.group(), g -> new ArrayList<>()).add(route);
            }
        }
        chosenPeers.keySet().retainAll(groups.keySet());
        resolved.keySet().retainAll(groups.keySet());
        List<Choice> next = new ArrayList<>();
        Map<String, List<String>> allowed = new LinkedHashMap<>();
        for (Map.Entry<String, List<RouteSpec>> group : groups.entrySet()) {
            RouteSpec chosen = choose(group.getValue(), chosenPeers.get(group.getKey()), connected);
            chosenPeers.put(group.getKey(), chosen.peerKey());
            next.add(new Choice(chosen, connected.contains(chosen.peerKey())));
            List<String> prefixes = allowed.computeIfAbsent(chosen.peerKey(), k -> new ArrayList<>());
            if (chosen.isDomainRoute()) {
                prefixes.addAll(resolvedPrefixes(group.getKey(), meshIpv6));
            } else {
                prefixes.add(chosen.network());
            }
        }
        this.choices = List.copyOf(next);
        this.served = List.copyOf(own);
        this.leftOut = Map.copyOf(unused);
        this.meshIpv6 = meshIpv6;
        forwarded.keySet().removeIf(name -> served.stream().noneMatch(r -> r.coversDomain(name)));
        return allowed;
    }

    private boolean isSelected(RouteSpec route) {
        if (deselected.contains(route.netId())) {
            return false;
        }
        return !route.skipAutoApply() || selected.contains(route.netId());
    }

    /**
     * {@code tern route select}/{@code deselect}: turns the routes of network id {@code netId} on (also those with
     * skipAutoApply) or off; takes effect at the next {@link #select}. False (and nothing changes) when no route
     * of the last selection has that network id.
     */
    public boolean setSelected(String netId, boolean on) {
        boolean known = choices.stream().anyMatch(c -> c.route().netId().equals(netId))
                || leftOut.keySet().stream().anyMatch(r -> r.netId().equals(netId));
        if (!known) {
            return false;
        }
        if (on) {
            deselected.remove(netId);
            selected.add(netId);
        } else {
            selected.remove(netId);
            deselected.add(netId);
        }
        return true;
    }

    /** What {@code tern route select}/{@code deselect} chose: kept in the config dir across restarts. */
    public record Selection(List<String> selected, List<String> deselected) {
        public Selection {
            selected = selected == null ? List.of() : List.copyOf(selected);
            deselected = deselected == null ? List.of() : List.copyOf(deselected);
        }
    }

    public Selection selection() {
        return new Selection(List.copyOf(selected), List.copyOf(deselected));
    }

    /** The selection a previous run kept (its network ids need not be in any map yet). */
    public void restore(Selection selection) {
        selected.clear();
        selected.addAll(selection.selected());
        deselected.clear();
        deselected.addAll(selection.deselected());
        deselected.removeAll(selected);
    }

    /** The host prefixes ({@code /32}, {@code /128} on an IPv6 mesh) of what a domain route group resolved to. */
    private List<String> resolvedPrefixes(String group, boolean ipv6) {
        Set<String> out = new TreeSet<>();
        resolved.getOrDefault(group, Map.of()).values().forEach(addresses -> addresses.forEach(address -> {
            if (address.indexOf(':') < 0) {
                out.add(address + "/32");
            } else if (ipv6) {
                out.add(address + "/128");
            }
        }));
        return List.copyOf(out);
    }

    /**
     * A client's domain route answer: {@code name} of the domain route group {@code group} resolved to
     * {@code addresses}. They replace what the name resolved to before, unless the route keeps its routes
     * (keepRoute: the old addresses stay as well). True when what is routed changed (the caller applies it).
     */
    public boolean resolved(String group, String name, Collection<String> addresses) {
        Choice choice = choices.stream().filter(c -> c.route().group().equals(group)).findFirst().orElse(null);
        if (choice == null || !choice.route().isDomainRoute() || addresses.isEmpty()) {
            return false;
        }
        Map<String, Set<String>> names = resolved.computeIfAbsent(group, g -> new TreeMap<>());
        Set<String> before = names.getOrDefault(name, Set.of());
        Set<String> after = new TreeSet<>(addresses);
        if (choice.route().keepRoute()) {
            after.addAll(before);
        }
        if (after.equals(before)) {
            return false;
        }
        names.put(name, after);
        return true;
    }

    /**
     * A routing peer's forwarder answer: {@code name}, which one of our served domain routes covers, resolved to
     * {@code addresses}; the firewall forwards (and masquerades) towards them from then on. Addresses once
     * forwarded stay for as long as a served route covers the name (a client may keep routing them: keepRoute,
     * or a cached answer). True when that added something.
     */
    public boolean forwarded(String name, Collection<String> addresses) {
        if (served.stream().noneMatch(route -> route.coversDomain(name))) {
            return false;
        }
        return forwarded.computeIfAbsent(name, n -> new TreeSet<>()).addAll(addresses);
    }

    /** Whether {@code routes} has a domain route we are the routing peer of (our forwarder then answers). */
    public boolean servesDomainRoutes(MapRoutes routes) {
        return routes.routes().stream().anyMatch(route -> route.peerKey().equals(ownKey) && route.isDomainRoute());
    }

    /** The domains of the domain routes we serve: what our DNS forwarder answers for. */
    public List<String> servedDomains() {
        return served.stream().flatMap(route -> route.domains().stream()).distinct().sorted().toList();
    }

    /**
     * Lowest metric among the connected candidates (ties broken by key, so every client picks alike), unless the
     * current choice is connected and no worse; while none is connected, the current choice stays (or the lowest
     * metric is taken).
     */
    static RouteSpec choose(List<RouteSpec> candidates, String currentKey, Set<String> connected) {
        Comparator<RouteSpec> byPreference = Comparator.comparingLong(RouteSpec::metric)
                .thenComparing(RouteSpec::peerKey);
        RouteSpec current = candidates.stream().filter(r -> r.peerKey().equals(currentKey)).findFirst().orElse(null);
        RouteSpec bestConnected = candidates.stream().filter(r -> connected.contains(r.peerKey()))
                .min(byPreference).orElse(null);
        if (bestConnected == null) {
            return current != null ? current : candidates.stream().min(byPreference).orElseThrow();
        }
        if (current != null && connected.contains(current.peerKey())
                && current.metric() <= bestConnected.metric()) {
            return current;
        }
        return bestConnected;
    }

    /**
     * What the firewall forwards for the routes we serve (nothing while we serve none): the map's rules, a domain
     * route's rules towards each address our forwarder resolved its domains to, and masquerading for the
     * masqueraded routes' networks and resolved addresses.
     */
    public RoutedTraffic routedTraffic(MapRoutes routes) {
        List<String> masqueraded = new ArrayList<>();
        List<ForwardRuleSpec> rules = new ArrayList<>(routes.forwardRules());
        boolean serving = false;
        for (RouteSpec route : routes.routes()) {
            if (!route.peerKey().equals(ownKey)) {
                continue;
            }
            serving = true;
            if (route.masquerade() && !route.isDomainRoute()) {
                masqueraded.add(route.network());
            } else if (route.masquerade()) {
                forwarded.forEach((name, addresses) -> {
                    if (route.coversDomain(name)) {
                        addresses.forEach(address -> masqueraded.add(hostPrefix(address)));
                    }
                });
            }
        }
        for (DomainForwardRule rule : routes.domainForwardRules()) {
            forwarded.forEach((name, addresses) -> {
                if (rule.covers(name)) {
                    addresses.forEach(address -> rules.add(rule.forAddress(address)));
                }
            });
        }
        return serving ? new RoutedTraffic(rules, masqueraded.stream().distinct().toList()) : RoutedTraffic.NONE;
    }

    private static String hostPrefix(String address) {
        return address.indexOf(':') >= 0 ? address + "/128" : address + "/32";
    }

    /** Applies the last selection to the host: kernel routes for the chosen networks, forwarding while serving. */
    public void apply(Collection<String> keepOutside) {
        Set<String> networks = new TreeSet<>();
        for (Choice choice : choices) {
            if (choice.route().isDomainRoute()) {
                networks.addAll(resolvedPrefixes(choice.route().group(), meshIpv6));
            } else {
                networks.add(choice.route().network());
            }
        }
        host.forwarding(!served.isEmpty());
        host.forwardingIpv6(served.stream().anyMatch(RouteSpec::isIpv6));
        host.routes(networks, keepOutside);
    }

    public List<Choice> choices() {
        return choices;
    }

    /**
     * One line per used, served or left-out route; {@code names} turns a peer key into the peer's name. A domain
     * route shows its domains as the network and the addresses they resolved to.
     */
    public List<StatusReport.Route> status(Function<String, String> names) {
        List<StatusReport.Route> out = new ArrayList<>();
        for (Choice choice : choices) {
            RouteSpec route = choice.route();
            out.add(new StatusReport.Route(route.shownNetwork(), route.netId(), names.apply(route.peerKey()),
                    route.peerKey(), choice.connected() ? ACTIVE : CONNECTING,
                    route.isDomainRoute() ? resolvedAddresses(resolved.getOrDefault(route.group(), Map.of())) : null));
        }
        for (RouteSpec route : served) {
            out.add(new StatusReport.Route(route.shownNetwork(), route.netId(), null, ownKey, SERVING,
                    route.isDomainRoute() ? resolvedAddresses(forwarded.entrySet().stream()
                            .filter(e -> route.coversDomain(e.getKey()))
                            .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)))
                            : null));
        }
        leftOut.forEach((route, why) -> out.add(new StatusReport.Route(route.shownNetwork(), route.netId(),
                names.apply(route.peerKey()), route.peerKey(), why, null)));
        return out;
    }

    private static List<String> resolvedAddresses(Map<String, Set<String>> byName) {
        return byName.values().stream().flatMap(Set::stream).distinct().sorted().toList();
    }

    public void close() {
        choices = List.of();
        served = List.of();
        resolved.clear();
        forwarded.clear();
        host.close();
    }
}
