package dev.tern.projector;

import dev.tern.events.values.PolicyDefinition;
import dev.tern.events.values.PolicyRule;
import dev.tern.events.values.PortRange;
import dev.tern.events.values.Protocol;
import dev.tern.events.values.RouteDefinition;
import dev.tern.events.values.RuleAction;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The routes of one account graph and what they put into each peer's map, with NetBird's semantics
 * (NetworkMapComponents: getRoutesToSync, getRoutingPeerRoutes, getPeerRoutesFirewallRules):
 * <ul>
 *   <li>a routing peer (the route's peer, or each member of its peer groups) gets its own enabled routes, with its
 *       own key as the route's peer, and so serves them; a route through a peer group becomes one route per member,
 *       with the id {@code routeId:peerId};</li>
 *   <li>a peer gets the enabled routes of the remote peers it may connect to (its online remote peers: NetBird's
 *       peers to connect) when it is in one of the route's distribution groups, except routes of a high-availability
 *       group (same network id and destination) it serves itself;</li>
 *   <li>a routing peer gets route firewall rules: a route without access-control groups lets everyone through
 *       (0.0.0.0/0); otherwise, for each access-control group, every enabled rule of every enabled policy that has a
 *       rule towards the group lets the rule's source peers that are in the route's distribution groups through.</li>
 * </ul>
 * The routing peer sees the peers it serves through the policies that let them reach it, as with NetBird: a route
 * never adds a remote peer that no policy allows. Not thread-safe, like the graph that owns it.
 */
final class RouteMaps {
    private final AccountGraph graph;
    /** By route id: maps list routes in this order. */
    private final Map<String, RouteDefinition> routes = new TreeMap<>();
    /** Group id to the routes naming it (peer group, distribution or access-control group). */
    private final Map<String, Set<String>> routesByGroup = new HashMap<>();
    /** Peer id to the routes it serves as their single routing peer. */
    private final Map<String, Set<String>> routesByPeer = new HashMap<>();

    RouteMaps(AccountGraph graph) {
        this.graph = graph;
    }

    boolean isEmpty() {
        return routes.isEmpty();
    }

    // --- changes: each adds the peers whose map may change

    void put(String routeId, RouteDefinition definition, Set<String> affected) {
        delete(routeId, affected);
        routes.put(routeId, definition);
        for (String groupId : definition.referencedGroups()) {
            routesByGroup.computeIfAbsent(groupId, g -> new TreeSet<>()).add(routeId);
        }
        if (definition.peer() != null) {
            routesByPeer.computeIfAbsent(definition.peer(), p -> new TreeSet<>()).add(routeId);
        }
        addPeersOfRoute(definition, affected);
    }

    void delete(String routeId, Set<String> affected) {
        RouteDefinition old = routes.remove(routeId);
        if (old == null) {
            return;
        }
        addPeersOfRoute(old, affected);
        for (String groupId : old.referencedGroups()) {
            removeFrom(routesByGroup, groupId, routeId);
        }
        if (old.peer() != null) {
            removeFrom(routesByPeer, old.peer(), routeId);
        }
    }

    private static void removeFrom(Map<String, Set<String>> index, String key, String routeId) {
        Set<String> ids = index.get(key);
        if (ids != null) {
            ids.remove(routeId);
            if (ids.isEmpty()) {
                index.remove(key);
            }
        }
    }

    /**
     * A peer joins or leaves a group (the All group for a registration or deletion); called before a removal and
     * after an addition, so the group's members include the peer. Maps change for: every peer of a route the group
     * serves (a routing peer came or went), the routing peers of routes that distribute to the group (whose
     * firewall rules name distribution peers), and the routing peers of routes whose access-control groups are the
     * destination of a policy rule with the group among its sources.
     */
    void membershipChanged(String groupId, String peerId, Set<String> affected) {
        if (routes.isEmpty()) {
            return;
        }
        for (String routeId : routesByGroup.getOrDefault(groupId, Set.of())) {
            RouteDefinition route = routes.get(routeId);
            if (route.peerGroups().contains(groupId)) {
                addPeersOfRoute(route, affected);
            }
            if (route.groups().contains(groupId)) {
                addRoutingPeers(route, affected);
            }
        }
        for (String policyId : graph.policyIdsForGroup(groupId)) {
            PolicyDefinition policy = graph.policy(policyId);
            if (policy == null) {
                continue;
            }
            for (PolicyRule rule : policy.rules()) {
                if (rule.sources().contains(groupId)) {
                    addRoutingPeersOfRoutesGuardedBy(rule.destinations(), affected);
                }
            }
        }
        // a deleted routing peer takes the routes it served alone out of its clients' maps
        for (String routeId : routesByPeer.getOrDefault(peerId, Set.of())) {
            addPeersOfRoute(routes.get(routeId), affected);
        }
    }

    /** A policy came, changed or went: the routing peers of the routes its rules' destinations guard. */
    void policyChanged(PolicyDefinition definition, Set<String> affected) {
        if (routes.isEmpty() || definition == null) {
            return;
        }
        for (PolicyRule rule : definition.rules()) {
            addRoutingPeersOfRoutesGuardedBy(rule.destinations(), affected);
        }
    }

    private void addRoutingPeersOfRoutesGuardedBy(List<String> groupIds, Set<String> affected) {
        for (String groupId : groupIds) {
            for (String routeId : routesByGroup.getOrDefault(groupId, Set.of())) {
                RouteDefinition route = routes.get(routeId);
                if (route.accessControlGroups().contains(groupId)) {
                    addRoutingPeers(route, affected);
                }
            }
        }
    }

    /** The route's routing peers and every peer it is distributed to. */
    private void addPeersOfRoute(RouteDefinition route, Set<String> affected) {
        addRoutingPeers(route, affected);
        for (String groupId : route.groups()) {
            for (AccountGraph.Peer peer : graph.membersOf(groupId)) {
                affected.add(peer.id);
            }
        }
    }

    private void addRoutingPeers(RouteDefinition route, Set<String> affected) {
        if (route.peer() != null) {
            affected.add(route.peer());
        }
        for (String groupId : route.peerGroups()) {
            for (AccountGraph.Peer peer : graph.membersOf(groupId)) {
                affected.add(peer.id);
            }
        }
    }

    // --- map computation

    /** A route as one routing peer serves it. */
    private record Served(String id, RouteDefinition route, AccountGraph.Peer routingPeer) {
        PeerRoute toMap() {
            return new PeerRoute(id, route.netId(), route.networkText(), route.networkType(), route.domains(),
                    routingPeer.key, route.metric(), route.masquerade(), route.keepRoute(), route.skipAutoApply());
        }
    }

    /** NetBird's HA unique id: routes with the same network id and destination back each other up. */
    private static String haId(RouteDefinition route) {
        return route.netId() + "|" + (route.dynamic() ? String.join(",", route.domains()) : route.networkText());
    }

    /** Every route {@code peer} serves, enabled or not, with the id its maps give it. */
    private void servedBy(AccountGraph.Peer peer, List<Served> out) {
        for (String routeId : routesNaming(peer)) {
            RouteDefinition route = routes.get(routeId);
            if (peer.id.equals(route.peer())) {
                out.add(new Served(routeId, route, peer));
                continue;
            }
            for (String groupId : route.peerGroups()) {
                if (graph.isMember(peer, groupId)) {
                    out.add(new Served(routeId + ":" + peer.id, route, peer));
                    break;
                }
            }
        }
    }

    /**
     * The ids of the routes that name the peer or one of its groups (the All group included), in id order: every
     * route the peer may serve or use is among them, so a map looks at a few routes instead of all of them.
     */
    private Set<String> routesNaming(AccountGraph.Peer peer) {
        Set<String> ids = new TreeSet<>(routesByPeer.getOrDefault(peer.id, Set.of()));
        ids.addAll(routesByGroup.getOrDefault(graph.allGroupId(), Set.of()));
        for (String groupId : peer.groups) {
            ids.addAll(routesByGroup.getOrDefault(groupId, Set.of()));
        }
        return ids;
    }

    /**
     * The routes of {@code self}'s map: its own enabled routes and those it may use from the peers
     * {@code connectable} accepts (its online remote peers), sorted by id.
     */
    List<PeerRoute> routesOf(AccountGraph.Peer self, Predicate<AccountGraph.Peer> connectable) {
        if (routes.isEmpty()) {
            return List.of();
        }
        List<Served> own = new ArrayList<>();
        servedBy(self, own);
        Set<String> ownHaIds = new HashSet<>();
        TreeMap<String, PeerRoute> result = new TreeMap<>();
        for (Served served : own) {
            ownHaIds.add(haId(served.route()));
            if (served.route().enabled()) {
                result.put(served.id(), served.toMap());
            }
        }
        for (String routeId : routesNaming(self)) {
            RouteDefinition route = routes.get(routeId);
            if (!route.enabled() || !inAny(self, route.groups()) || ownHaIds.contains(haId(route))) {
                continue;
            }
            if (route.peer() != null) {
                AccountGraph.Peer routingPeer = graph.peer(route.peer());
                if (routingPeer != null && routingPeer != self && connectable.test(routingPeer)) {
                    result.put(routeId, new Served(routeId, route, routingPeer).toMap());
                }
                continue;
            }
            for (AccountGraph.Peer routingPeer : routingPeersOf(route)) {
                if (routingPeer != self && connectable.test(routingPeer)) {
                    String id = routeId + ":" + routingPeer.id;
                    result.put(id, new Served(id, route, routingPeer).toMap());
                }
            }
        }
        return List.copyOf(result.values());
    }

    private Collection<AccountGraph.Peer> routingPeersOf(RouteDefinition route) {
        if (route.peerGroups().size() == 1) {
            return graph.membersOf(route.peerGroups().get(0));
        }
        Set<AccountGraph.Peer> peers = new LinkedHashSet<>();
        route.peerGroups().forEach(groupId -> peers.addAll(graph.membersOf(groupId)));
        return peers;
    }

    private boolean inAny(AccountGraph.Peer peer, List<String> groupIds) {
        for (String groupId : groupIds) {
            if (graph.isMember(peer, groupId)) {
                return true;
            }
        }
        return false;
    }

    /** The route firewall rules of {@code self} as a routing peer (none when it serves no enabled route). */
    List<RouteFirewallRule> firewallRulesOf(AccountGraph.Peer self) {
        if (routes.isEmpty()) {
            return List.of();
        }
        List<Served> own = new ArrayList<>();
        servedBy(self, own);
        Set<RouteFirewallRule> rules = new HashSet<>();
        for (Served served : own) {
            RouteDefinition route = served.route();
            if (!route.enabled()) {
                continue;
            }
            if (route.accessControlGroups().isEmpty()) {
                rules.add(new RouteFirewallRule(served.id(), "", List.of("0.0.0.0/0"), RuleAction.ACCEPT,
                        route.networkText(), Protocol.ALL, null, route.dynamic(), route.domains()));
                continue;
            }
            Set<AccountGraph.Peer> distribution = new HashSet<>();
            route.groups().forEach(groupId -> distribution.addAll(graph.membersOf(groupId)));
            for (String guard : route.accessControlGroups()) {
                for (String policyId : graph.policyIdsForGroup(guard)) {
                    PolicyDefinition policy = graph.policy(policyId);
                    if (policy == null || !policy.enabled()
                            || policy.rules().stream().noneMatch(r -> r.destinations().contains(guard))) {
                        continue;
                    }
                    for (PolicyRule rule : policy.rules()) {
                        if (rule.enabled()) {
                            addRules(served, policyId, rule, sourceRanges(self, rule, distribution), rules);
                        }
                    }
                }
            }
        }
        List<RouteFirewallRule> sorted = new ArrayList<>(rules);
        sorted.sort(RouteFirewallRule.ORDER);
        return List.copyOf(sorted);
    }

    /** The /32s of the rule's source peers that the route is distributed to, but the routing peer itself. */
    private List<String> sourceRanges(AccountGraph.Peer self, PolicyRule rule, Set<AccountGraph.Peer> distribution) {
        TreeSet<AccountGraph.Peer> sources = new TreeSet<>(NetworkMapComputer.BY_IP);
        for (String groupId : rule.sources()) {
            for (AccountGraph.Peer peer : graph.membersOf(groupId)) {
                if (peer != self && distribution.contains(peer)) {
                    sources.add(peer);
                }
            }
        }
        return sources.stream().map(peer -> peer.ipText + "/32").toList();
    }

    /** One rule per port range of the policy rule (the graph merged its ports into ranges), or one for all ports. */
    private static void addRules(Served served, String policyId, PolicyRule rule, List<String> sources,
                                 Set<RouteFirewallRule> rules) {
        RouteDefinition route = served.route();
        List<PortRange> ports = new ArrayList<>(rule.ports());
        ports.addAll(rule.portRanges());
        if (ports.isEmpty()) {
            rules.add(new RouteFirewallRule(served.id(), policyId, sources, rule.action(), route.networkText(),
                    rule.protocol(), null, route.dynamic(), route.domains()));
            return;
        }
        for (PortRange port : ports) {
            rules.add(new RouteFirewallRule(served.id(), policyId, sources, rule.action(), route.networkText(),
                    rule.protocol(), port, route.dynamic(), route.domains()));
        }
    }
}
