package dev.tern.agent.routing;

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

    private final String ownKey;
    private final Host host;
    /** Group to the routing peer's key we use for it. */
    private final Map<String, String> chosenPeers = new HashMap<>();
    private List<Choice> choices = List.of();
    private List<RouteSpec> served = List.of();

    public Routing(String ownKey, Host host) {
        this.ownKey = ownKey;
        this.host = host;
    }

    /** Routes nothing (tests of other parts, and a daemon that has no key yet). */
    public static Routing none() {
        return new Routing("", Host.NONE);
    }

    /**
     * Chooses a routing peer per group among {@code mapPeers} ({@code connected} those with a fresh handshake) and
     * returns the networks each chosen peer's allowed IPs gain.
     */
    public Map<String, List<String>> select(List<RouteSpec> routes, Set<String> mapPeers, Set<String> connected) {
        List<RouteSpec> own = new ArrayList<>();
        Map<String, List<RouteSpec>> groups = new LinkedHashMap<>();
        for (RouteSpec route : routes) {
            if (route.peerKey().equals(ownKey)) {
                own.add(route);
            } else if (mapPeers.contains(route.peerKey())) {
                groups.computeIfAbsent(route.group(), g -> new ArrayList<>()).add(route);
            }
        }
        chosenPeers.keySet().retainAll(groups.keySet());
        List<Choice> next = new ArrayList<>();
        Map<String, List<String>> allowed = new LinkedHashMap<>();
        for (Map.Entry<String, List<RouteSpec>> group : groups.entrySet()) {
            RouteSpec chosen = choose(group.getValue(), chosenPeers.get(group.getKey()), connected);
            chosenPeers.put(group.getKey(), chosen.peerKey());
            next.add(new Choice(chosen, connected.contains(chosen.peerKey())));
            allowed.computeIfAbsent(chosen.peerKey(), k -> new ArrayList<>()).add(chosen.network());
        }
        this.choices = List.copyOf(next);
        this.served = List.copyOf(own);
        return allowed;
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

    /** What the firewall forwards for the routes we serve (nothing while we serve none). */
    public RoutedTraffic routedTraffic(MapRoutes routes) {
        List<String> masqueraded = new ArrayList<>();
        boolean serving = false;
        for (RouteSpec route : routes.routes()) {
            if (route.peerKey().equals(ownKey)) {
                serving = true;
                if (route.masquerade()) {
                    masqueraded.add(route.network());
                }
            }
        }
        return serving ? new RoutedTraffic(routes.forwardRules(), masqueraded) : RoutedTraffic.NONE;
    }

    /** Applies the last selection to the host: kernel routes for the chosen networks, forwarding while serving. */
    public void apply(Collection<String> keepOutside) {
        Set<String> networks = new TreeSet<>();
        choices.forEach(choice -> networks.add(choice.route().network()));
        host.forwarding(!served.isEmpty());
        host.routes(networks, keepOutside);
    }

    public List<Choice> choices() {
        return choices;
    }

    /** One line per used or served route; {@code names} turns a peer key into the peer's name. */
    public List<StatusReport.Route> status(Function<String, String> names) {
        List<StatusReport.Route> out = new ArrayList<>();
        for (Choice choice : choices) {
            RouteSpec route = choice.route();
            out.add(new StatusReport.Route(route.network(), route.netId(), names.apply(route.peerKey()),
                    route.peerKey(), choice.connected() ? ACTIVE : CONNECTING));
        }
        for (RouteSpec route : served) {
            out.add(new StatusReport.Route(route.network(), route.netId(), null, ownKey, SERVING));
        }
        return out;
    }

    public void close() {
        choices = List.of();
        served = List.of();
        host.close();
    }
}
