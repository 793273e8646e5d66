package dev.tern.projector;

import dev.tern.events.values.NetworkResourceDefinition;
import dev.tern.events.values.NetworkRouterDefinition;
import dev.tern.events.values.PolicyDefinition;
import dev.tern.events.values.PolicyRule;
import dev.tern.events.values.PortRange;
import dev.tern.events.values.RouteDefinition;
import java.util.ArrayList;
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
 * Networks, their resources and routers, and what they put into each peer's map, with NetBird's semantics
 * (NetworkMapComponents: getNetworkResourcesRoutesToSync, processResourcePolicies, networkResourceToRoute,
 * getPeerNetworkResourceFirewallRules, addNetworksRoutingPeers):
 * <ul>
 *   <li>a resource's policies are the enabled policies with an enabled rule towards one of the resource's groups;
 *       a resource without policies yields no route;</li>
 *   <li>a router's peer (or each member of its peer groups) routes every enabled resource of its network: it gets a
 *       route {@code resourceId:peerId} through itself and route firewall rules that let the sources of the
 *       resource's policies through (rules without sources are left out), and it sees those source peers;</li>
 *   <li>a source peer of a resource's policy gets a route to the resource through each routing peer of the network
 *       (metric and masquerade of the router; network id = the resource's name; keep-route on) and sees them.</li>
 * </ul>
 * Where one peer is in two routers of a network, the router with the smaller id is its router. A peer whose login
 * expired routes nothing for others and is not added to anybody's peers. Not thread-safe, like the graph.
 */
final class NetworkResourceMaps {
    private record Resource(String networkId, NetworkResourceDefinition definition) {
    }

    private record Router(String networkId, NetworkRouterDefinition definition) {
    }

    private final AccountGraph graph;
    private final Map<String, Resource> resources = new TreeMap<>();
    private final Map<String, Router> routers = new TreeMap<>();
    /** What every peer's contribution needs, for the graph as it stood after {@link #planAt} events. */
    private Plan plan;
    private long planAt = -1;

    /**
     * The part of {@link #contributionTo} that is the same for every peer: each network's routers by routing peer,
     * and each enabled resource's policies and their source peers. Computed once per state of the graph, not once
     * per peer: a map of every peer (an as-of peers list counts them all) would otherwise walk every policy and
     * every source group's members for every peer and resource.
     */
    private record Plan(Map<String, TreeMap<String, NetworkRouterDefinition>> routersByNetwork,
                        Map<String, Map<String, PolicyDefinition>> policiesByResource,
                        Map<String, Set<AccountGraph.Peer>> sourcesByResource) {
    }

    private Plan plan() {
        if (plan == null || planAt != graph.changes()) {
            Map<String, TreeMap<String, NetworkRouterDefinition>> routersByNetwork = new TreeMap<>();
            for (Router router : routers.values()) {
                if (!router.definition().enabled()) {
                    continue;
                }
                TreeMap<String, NetworkRouterDefinition> byPeer = routersByNetwork.computeIfAbsent(router.networkId(),
                        n -> new TreeMap<>());
                for (AccountGraph.Peer peer : routingPeers(router.definition())) {
                    byPeer.putIfAbsent(peer.id, router.definition());
                }
            }
            Map<String, Map<String, PolicyDefinition>> policiesByResource = new HashMap<>();
            Map<String, Set<AccountGraph.Peer>> sourcesByResource = new HashMap<>();
            for (Map.Entry<String, Resource> entry : resources.entrySet()) {
                if (entry.getValue().definition().enabled()) {
                    Map<String, PolicyDefinition> policies = policiesOf(entry.getKey(), entry.getValue().definition());
                    Set<AccountGraph.Peer> sources = new LinkedHashSet<>();
                    policies.values().forEach(policy -> sources.addAll(sourcePeers(policy)));
                    policiesByResource.put(entry.getKey(), policies);
                    sourcesByResource.put(entry.getKey(), sources);
                }
            }
            plan = new Plan(routersByNetwork, policiesByResource, sourcesByResource);
            planAt = graph.changes();
        }
        return plan;
    }

    NetworkResourceMaps(AccountGraph graph) {
        this.graph = graph;
    }

    boolean isEmpty() {
        return resources.isEmpty() && routers.isEmpty();
    }

    void putResource(String networkId, String resourceId, NetworkResourceDefinition definition, Set<String> affected) {
        plan = null;
        addInvolvedPeers(affected);
        resources.put(resourceId, new Resource(networkId, definition));
        addInvolvedPeers(affected);
    }

    void deleteResource(String resourceId, Set<String> affected) {
        plan = null;
        addInvolvedPeers(affected);
        resources.remove(resourceId);
    }

    void putRouter(String networkId, String routerId, NetworkRouterDefinition definition, Set<String> affected) {
        plan = null;
        addInvolvedPeers(affected);
        routers.put(routerId, new Router(networkId, definition));
        addInvolvedPeers(affected);
    }

    void deleteRouter(String routerId, Set<String> affected) {
        plan = null;
        addInvolvedPeers(affected);
        routers.remove(routerId);
    }

    /**
     * Every peer whose map networks may shape now: the routing peers and the sources of the resources' policies.
     * Called before and after anything that may change who they are (memberships, policies, networks) and when a
     * peer they show changes; a superset, as the projector needs.
     */
    void addInvolvedPeers(Set<String> affected) {
        if (isEmpty() || !AccountGraph.collects(affected)) {
            return;
        }
        for (Router router : routers.values()) {
            routingPeers(router.definition()).forEach(peer -> affected.add(peer.id));
        }
        for (Map.Entry<String, Resource> resource : resources.entrySet()) {
            for (PolicyDefinition policy : policiesOf(resource.getKey(), resource.getValue().definition()).values()) {
                sourcePeers(policy).forEach(peer -> affected.add(peer.id));
            }
        }
    }

    /** A peer the maps show changed (name, expiry): the involved peers' maps may show it. */
    void peerShownChanged(AccountGraph.Peer peer, Set<String> affected) {
        if (isEmpty() || !AccountGraph.collects(affected)) {
            return;
        }
        Set<String> involved = new HashSet<>();
        addInvolvedPeers(involved);
        if (involved.contains(peer.id)) {
            affected.addAll(involved);
        }
    }

    private List<AccountGraph.Peer> routingPeers(NetworkRouterDefinition router) {
        if (router.peer() != null) {
            AccountGraph.Peer peer = graph.peer(router.peer());
            return peer == null ? List.of() : List.of(peer);
        }
        Set<AccountGraph.Peer> peers = new LinkedHashSet<>();
        router.peerGroups().forEach(groupId -> peers.addAll(graph.membersOf(groupId)));
        return new ArrayList<>(peers);
    }

    /**
     * NetBird's GetPoliciesForNetworkResource: enabled policies with an enabled rule towards one of the resource's
     * groups or towards the resource itself.
     */
    private Map<String, PolicyDefinition> policiesOf(String resourceId, NetworkResourceDefinition resource) {
        Map<String, PolicyDefinition> policies = new TreeMap<>();
        for (String id : graph.policyIds()) {
            PolicyDefinition policy = graph.policy(id);
            if (policy.enabled() && policy.rules().stream().anyMatch(rule -> rule.enabled()
                    && (rule.destinationResource() != null && rule.destinationResource().id().equals(resourceId)
                    || rule.destinations().stream().anyMatch(resource.groups()::contains)))) {
                policies.put(id, policy);
            }
        }
        return policies;
    }

    /** The members of the policy's source groups (every rule's, as NetBird's Policy.SourceGroups). */
    private Set<AccountGraph.Peer> sourcePeers(PolicyDefinition policy) {
        Set<AccountGraph.Peer> peers = new LinkedHashSet<>();
        for (PolicyRule rule : policy.rules()) {
            rule.sources().forEach(groupId -> peers.addAll(graph.membersOf(groupId)));
        }
        return peers;
    }

    /** What networks add to one peer's map. */
    record Contribution(List<PeerRoute> routes, List<RouteFirewallRule> firewallRules,
                        List<AccountGraph.Peer> extraPeers) {
        static final Contribution NONE = new Contribution(List.of(), List.of(), List.of());
    }

    /**
     * Routes to resources, route firewall rules of a routing peer, and the peers to add to {@code self}'s remote
     * peers ({@code connectable} says which it sees already).
     */
    Contribution contributionTo(AccountGraph.Peer self, Predicate<AccountGraph.Peer> connectable) {
        if (resources.isEmpty()) {
            return Contribution.NONE;
        }
        Plan plan = plan();
        Map<String, TreeMap<String, NetworkRouterDefinition>> routersByNetwork = plan.routersByNetwork();
        TreeMap<String, PeerRoute> routes = new TreeMap<>();
        Set<RouteFirewallRule> rules = new HashSet<>();
        Set<AccountGraph.Peer> extra = new LinkedHashSet<>();
        for (Map.Entry<String, Resource> entry : resources.entrySet()) {
            NetworkResourceDefinition resource = entry.getValue().definition();
            if (!resource.enabled()) {
                continue;
            }
            Map<String, PolicyDefinition> policies = plan.policiesByResource().get(entry.getKey());
            if (policies.isEmpty()) {
                continue;
            }
            TreeMap<String, NetworkRouterDefinition> networkRouters =
                    routersByNetwork.getOrDefault(entry.getValue().networkId(), new TreeMap<>());
            NetworkRouterDefinition ownRouter = networkRouters.get(self.id);
            if (ownRouter != null) {
                PeerRoute route = route(entry.getKey(), resource, self, ownRouter);
                routes.put(route.id(), route);
                Set<AccountGraph.Peer> distribution = plan.sourcesByResource().get(entry.getKey());
                distribution.stream().filter(peer -> peer != self && !peer.loginExpired).forEach(extra::add);
                for (Map.Entry<String, PolicyDefinition> policy : policies.entrySet()) {
                    for (PolicyRule rule : policy.getValue().rules()) {
                        if (rule.enabled()) {
                            addRules(route, resource, policy.getKey(), rule, sources(self, rule, distribution),
                                    rules);
                        }
                    }
                }
                continue;
            }
            if (!plan.sourcesByResource().get(entry.getKey()).contains(self)) {
                continue;
            }
            for (Map.Entry<String, NetworkRouterDefinition> router : networkRouters.entrySet()) {
                AccountGraph.Peer routingPeer = graph.peer(router.getKey());
                if (routingPeer != null && !routingPeer.loginExpired) {
                    PeerRoute route = route(entry.getKey(), resource, routingPeer, router.getValue());
                    routes.put(route.id(), route);
                    extra.add(routingPeer);
                }
            }
        }
        extra.removeIf(peer -> peer == self || connectable.test(peer));
        List<RouteFirewallRule> sorted = new ArrayList<>(rules);
        sorted.sort(RouteFirewallRule.ORDER);
        List<AccountGraph.Peer> extraPeers = new ArrayList<>(extra);
        extraPeers.sort(NetworkMapComputer.BY_IP);
        return new Contribution(List.copyOf(routes.values()), List.copyOf(sorted), List.copyOf(extraPeers));
    }

    private static PeerRoute route(String resourceId, NetworkResourceDefinition resource, AccountGraph.Peer peer,
                                   NetworkRouterDefinition router) {
        boolean domain = NetworkResourceDefinition.DOMAIN.equals(resource.type());
        return new PeerRoute(resourceId + ":" + peer.id, resource.name(),
                domain ? "192.0.2.0/32" : resource.prefix().toString(),
                domain ? RouteDefinition.NETWORK_TYPE_DOMAIN : RouteDefinition.NETWORK_TYPE_IPV4,
                domain ? List.of(resource.domain()) : List.of(), peer.key, router.metric(), router.masquerade(), true,
                false);
    }

    /** The rule's source peers among the distribution peers, but the routing peer itself, as /32s. */
    private List<String> sources(AccountGraph.Peer self, PolicyRule rule, Set<AccountGraph.Peer> distribution) {
        TreeSet<AccountGraph.Peer> sources = new TreeSet<>(NetworkMapComputer.BY_IP);
        for (AccountGraph.Peer peer : distribution) {
            if (peer != self && rule.sources().stream().anyMatch(groupId -> graph.isMember(peer, groupId))) {
                sources.add(peer);
            }
        }
        return sources.stream().map(peer -> peer.ipText + "/32").toList();
    }

    private static void addRules(PeerRoute route, NetworkResourceDefinition resource, String policyId,
                                 PolicyRule rule, List<String> sources, Set<RouteFirewallRule> rules) {
        if (sources.isEmpty()) {
            return;
        }
        boolean domain = NetworkResourceDefinition.DOMAIN.equals(resource.type());
        List<PortRange> ports = new ArrayList<>(rule.ports());
        ports.addAll(rule.portRanges());
        if (ports.isEmpty()) {
            ports.add(null);
        }
        for (PortRange port : ports) {
            rules.add(new RouteFirewallRule(route.id(), policyId, sources, rule.action(), route.network(),
                    rule.protocol(), port, domain, route.domains()));
        }
    }
}
