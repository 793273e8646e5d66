package dev.tern.projector;

import dev.tern.events.AccountCreated;
import dev.tern.events.AccountNetworkRangeChanged;
import dev.tern.events.AccountEvent;
import dev.tern.events.AccountEventDispatch;
import dev.tern.events.AccountSettingsUpdated;
import dev.tern.events.AllGroup;
import dev.tern.events.GroupCreated;
import dev.tern.events.GroupDeleted;
import dev.tern.events.GroupRenamed;
import dev.tern.events.PeerAddedToGroup;
import dev.tern.events.PeerDeleted;
import dev.tern.events.PeerInactivityExpirationChanged;
import dev.tern.events.PeerLoginExpirationChanged;
import dev.tern.events.PeerLoginExpired;
import dev.tern.events.PeerLoginExpiryLifted;
import dev.tern.events.PeerLoginRenewed;
import dev.tern.events.PeerRegistered;
import dev.tern.events.PeerRemovedFromGroup;
import dev.tern.events.PeerExtraDnsLabelsSet;
import dev.tern.events.PeerRenamed;
import dev.tern.events.PeerSshChanged;
import dev.tern.events.PolicyCreated;
import dev.tern.events.PolicyDeleted;
import dev.tern.events.PolicyUpdated;
import dev.tern.events.NetworkCreated;
import dev.tern.events.NetworkDeleted;
import dev.tern.events.NetworkResourceCreated;
import dev.tern.events.NetworkResourceDeleted;
import dev.tern.events.NetworkResourceUpdated;
import dev.tern.events.NetworkRouterCreated;
import dev.tern.events.NetworkRouterDeleted;
import dev.tern.events.NetworkRouterUpdated;
import dev.tern.events.NetworkUpdated;
import dev.tern.events.values.NetworkResourceDefinition;
import dev.tern.events.values.NetworkRouterDefinition;
import dev.tern.events.RouteCreated;
import dev.tern.events.RouteDeleted;
import dev.tern.events.RouteUpdated;
import dev.tern.events.values.RouteDefinition;
import dev.tern.events.values.MeshIp;
import dev.tern.events.values.PolicyDefinition;
import dev.tern.events.values.PolicyRule;
import dev.tern.events.values.PortRange;
import dev.tern.events.values.RuleAction;
import dev.tern.events.values.WireGuardKey;
import dev.tern.projector.FirewallRule.Direction;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The reference the incremental projector is checked against: a deliberately plain re-statement of NetBird's
 * GetPeerConnectionResources loop over the whole account (every policy, every rule, every group's members) with no
 * index, no cache and no notion of which peers an event affects, followed by GetPeerNetworkMap's split of the peers
 * to connect into online and login-expired ones. Written separately from the production code so that a shared
 * mistake is unlikely.
 */
final class NaiveNetworkMaps {
    private record Peer(String id, WireGuardKey key, MeshIp ip, String name, String label, boolean ssh,
                        boolean expired) {
    }

    private final String accountId;
    private int prefix = 32;
    private String domain = "";
    private String allGroupId;
    private final Map<String, Peer> peers = new LinkedHashMap<>();
    private final Map<String, List<String>> extraLabels = new LinkedHashMap<>();
    private final Map<String, Set<String>> groups = new LinkedHashMap<>();
    private final Map<String, PolicyDefinition> policies = new LinkedHashMap<>();
    final NaiveDns dns = new NaiveDns();
    private final Map<String, RouteDefinition> routes = new TreeMap<>();
    /** Resource id to (network id, definition); router id likewise. */
    private final Map<String, Map.Entry<String, NetworkResourceDefinition>> resources = new TreeMap<>();
    private final Map<String, Map.Entry<String, NetworkRouterDefinition>> routers = new TreeMap<>();

    NaiveNetworkMaps(String accountId) {
        this.accountId = accountId;
    }

    private List<String> extraNames(String peerId) {
        return extraLabels.getOrDefault(peerId, List.of()).stream().map(l -> l + "." + domain).toList();
    }

    void apply(AccountEvent event) {
        DISPATCH.apply(this, event);
    }

    /** Written out per event type, apart from AccountGraph's table, so that a shared mistake is unlikely. */
    static final AccountEventDispatch<NaiveNetworkMaps> DISPATCH = AccountEventDispatch.<NaiveNetworkMaps>builder()
            .on(AccountCreated.class, (n, e) -> {
                n.prefix = e.network().prefixLength();
                n.domain = e.dnsDomain();
            })
            .on(GroupCreated.class, (n, e) -> {
                n.groups.putIfAbsent(e.groupId(), new LinkedHashSet<>());
                if (AllGroup.isCreatedBy(e, n.allGroupId != null)) {
                    n.allGroupId = e.groupId();
                }
            })
            .on(GroupDeleted.class, (n, e) -> n.groups.remove(e.groupId()))
            .on(PeerRegistered.class, (n, e) -> {
                if (n.peers.putIfAbsent(e.peerId(), new Peer(e.peerId(), e.wgPubKey(), e.ip(), e.name(),
                        e.dnsLabel(), false, false)) == null && !e.extraDnsLabels().isEmpty()) {
                    n.extraLabels.put(e.peerId(), e.extraDnsLabels());
                }
            })
            .on(AccountNetworkRangeChanged.class, (n, e) -> {
                n.prefix = e.after().prefixLength();
                e.peerAddresses().forEach(moved -> n.peers.computeIfPresent(moved.peerId(),
                        (id, p) -> new Peer(id, p.key, moved.ip(), p.name, p.label, p.ssh, p.expired)));
            })
            .on(PeerExtraDnsLabelsSet.class, (n, e) -> {
                if (n.peers.containsKey(e.peerId())) {
                    n.extraLabels.put(e.peerId(), List.copyOf(e.labels()));
                }
            })
            .on(PeerDeleted.class, (n, e) -> {
                n.peers.remove(e.peerId());
                n.extraLabels.remove(e.peerId());
                n.groups.values().forEach(members -> members.remove(e.peerId()));
            })
            .on(PeerRenamed.class, (n, e) -> n.peers.computeIfPresent(e.peerId(),
                    (id, p) -> new Peer(id, p.key, p.ip, e.newName(), e.dnsLabel(), p.ssh, p.expired)))
            .on(PeerSshChanged.class, (n, e) -> n.peers.computeIfPresent(e.peerId(),
                    (id, p) -> new Peer(id, p.key, p.ip, p.name, p.label, e.enabled(), p.expired)))
            .on(PeerLoginExpired.class, (n, e) -> n.setExpired(e.peerId(), true))
            .on(PeerLoginRenewed.class, (n, e) -> n.setExpired(e.peerId(), false))
            .on(PeerLoginExpiryLifted.class, (n, e) -> n.setExpired(e.peerId(), false))
            .on(PeerAddedToGroup.class, (n, e) -> {
                if (n.peers.containsKey(e.peerId()) && n.groups.containsKey(e.groupId())) {
                    n.groups.get(e.groupId()).add(e.peerId());
                }
            })
            .on(PeerRemovedFromGroup.class, (n, e) -> {
                if (n.groups.containsKey(e.groupId())) {
                    n.groups.get(e.groupId()).remove(e.peerId());
                }
            })
            .on(PolicyCreated.class, (n, e) -> n.policies.put(e.policyId(), e.definition()))
            .on(PolicyUpdated.class, (n, e) -> n.policies.put(e.policyId(), e.definition()))
            .on(PolicyDeleted.class, (n, e) -> n.policies.remove(e.policyId()))
            .on(RouteCreated.class, (n, e) -> n.routes.put(e.routeId(), e.definition()))
            .on(RouteUpdated.class, (n, e) -> n.routes.put(e.routeId(), e.definition()))
            .on(RouteDeleted.class, (n, e) -> n.routes.remove(e.routeId()))
            // a group's name shows in no map; nor do users, tokens, setup keys and expiration settings (expiry
            // reaches the maps as PeerLoginExpired / PeerLoginExpiryLifted)
            .ignore(GroupRenamed.class, AccountSettingsUpdated.class, PeerLoginExpirationChanged.class,
                    PeerInactivityExpirationChanged.class)
            .ignore(AccountEventDispatch.USER_EVENTS)
            .ignore(AccountEventDispatch.SETUP_KEY_EVENTS)
            .onEach(AccountEventDispatch.DNS_EVENTS, (n, e) -> n.dns.apply(e))
            .on(NetworkResourceCreated.class, (n, e) -> n.resources.put(e.resourceId(),
                    Map.entry(e.networkId(), e.definition())))
            .on(NetworkResourceUpdated.class, (n, e) -> n.resources.put(e.resourceId(),
                    Map.entry(e.networkId(), e.definition())))
            .on(NetworkResourceDeleted.class, (n, e) -> n.resources.remove(e.resourceId()))
            .on(NetworkRouterCreated.class, (n, e) -> n.routers.put(e.routerId(),
                    Map.entry(e.networkId(), e.definition())))
            .on(NetworkRouterUpdated.class, (n, e) -> n.routers.put(e.routerId(),
                    Map.entry(e.networkId(), e.definition())))
            .on(NetworkRouterDeleted.class, (n, e) -> n.routers.remove(e.routerId()))
            .ignore(NetworkCreated.class, NetworkUpdated.class, NetworkDeleted.class)
            .build();

    private void setExpired(String peerId, boolean expired) {
        peers.computeIfPresent(peerId, (id, p) -> new Peer(id, p.key, p.ip, p.name, p.label, p.ssh, expired));
    }

    /** Every peer's map, computed from scratch, with serial 0. */
    Map<String, PeerNetworkMap> computeAll() {
        Map<String, PeerNetworkMap> maps = new HashMap<>();
        for (String peerId : peers.keySet()) {
            maps.put(peerId, compute(peerId));
        }
        return maps;
    }

    List<String> peerIds() {
        return new ArrayList<>(peers.keySet());
    }

    List<String> groupIds() {
        return new ArrayList<>(groups.keySet());
    }

    List<String> policyIds() {
        return new ArrayList<>(policies.keySet());
    }

    List<String> routeIds() {
        return new ArrayList<>(routes.keySet());
    }

    List<String> resourceIds() {
        return new ArrayList<>(resources.keySet());
    }

    List<String> routerIds() {
        return new ArrayList<>(routers.keySet());
    }

    Set<String> members(String groupId) {
        return groups.getOrDefault(groupId, Set.of());
    }

    String allGroupId() {
        return allGroupId;
    }

    boolean isExpired(String peerId) {
        return peers.get(peerId).expired;
    }

    MeshIp ipOf(String peerId) {
        return peers.get(peerId).ip;
    }

    WireGuardKey keyOf(String peerId) {
        return peers.get(peerId).key;
    }

    private Set<String> peersOf(List<String> groupIds) {
        Set<String> result = new TreeSet<>();
        for (String groupId : groupIds) {
            if (!groups.containsKey(groupId)) {
                continue;
            }
            if (groupId.equals(allGroupId)) {
                result.addAll(peers.keySet());
            } else {
                result.addAll(groups.get(groupId));
            }
        }
        return result;
    }

    private PeerNetworkMap compute(String peerId) {
        Peer self = peers.get(peerId);
        Map<String, RemotePeer> visible = new TreeMap<>();
        Set<FirewallRule> rules = new java.util.HashSet<>();
        for (Map.Entry<String, PolicyDefinition> entry : policies.entrySet()) {
            if (!entry.getValue().enabled()) {
                continue;
            }
            for (PolicyRule rule : entry.getValue().rules()) {
                if (!rule.enabled()) {
                    continue;
                }
                Set<String> sources = peersOf(rule.sources());
                Set<String> destinations = peersOf(rule.destinations());
                boolean allSources = namesAll(rule.sources());
                boolean allDestinations = namesAll(rule.destinations());
                boolean inSources = sources.remove(peerId);
                boolean inDestinations = destinations.remove(peerId);
                if (rule.bidirectional()) {
                    if (inSources) {
                        generate(entry.getKey(), rule, destinations, allDestinations, Direction.IN, visible, rules);
                    }
                    if (inDestinations) {
                        generate(entry.getKey(), rule, sources, allSources, Direction.OUT, visible, rules);
                    }
                }
                if (inSources) {
                    generate(entry.getKey(), rule, destinations, allDestinations, Direction.OUT, visible, rules);
                }
                if (inDestinations) {
                    generate(entry.getKey(), rule, sources, allSources, Direction.IN, visible, rules);
                }
            }
        }
        List<RemotePeer> remotes = new ArrayList<>();
        List<RemotePeer> offline = new ArrayList<>();
        for (RemotePeer remote : visible.values()) {
            (peers.get(remote.peerId()).expired ? offline : remotes).add(remote);
        }
        Comparator<RemotePeer> byIp = Comparator.comparingInt((RemotePeer r) -> r.meshIp().bits())
                .thenComparing(RemotePeer::peerId);
        remotes.sort(byIp);
        offline.sort(byIp);
        // a port rule is redundant beside an all-ports rule of the same policy for the same traffic
        rules.removeIf(r -> r.port() != null && rules.contains(new FirewallRule(r.peerIp(), r.direction(), r.action(),
                r.protocol(), null, r.policyId())));
        List<FirewallRule> sorted = new ArrayList<>(rules);
        sorted.sort(FirewallRule.ORDER);
        PeerConfig config = new PeerConfig(self.id, self.name, self.key, self.ip, self.ip.address() + "/" + prefix,
                self.label + "." + domain, self.ssh, extraNames(self.id));
        PeerDns peerDns = dns.configOf(g -> (g.equals(allGroupId) && groups.containsKey(g))
                || groups.getOrDefault(g, Set.of()).contains(peerId));
        Set<String> connectable = new TreeSet<>();
        remotes.forEach(remote -> connectable.add(remote.peerId()));
        List<PeerRoute> peerRoutes = routesOf(self, connectable);
        List<RouteFirewallRule> routeRules = new ArrayList<>(routeFirewallRulesOf(self));
        Set<String> extra = new TreeSet<>();
        networkResources(self, peerRoutes, routeRules, extra);
        for (String extraId : extra) {
            Peer other = peers.get(extraId);
            if (!connectable.contains(extraId) && !extraId.equals(peerId)) {
                remotes.add(new RemotePeer(other.id, other.name, other.key, other.ip, other.label + "." + domain,
                        other.ssh, extraNames(other.id)));
            }
        }
        remotes.sort(byIp);
        peerRoutes.sort(PeerRoute.ORDER);
        routeRules.sort(RouteFirewallRule.ORDER);
        return new PeerNetworkMap(accountId, peerId, 0, config, remotes, offline, sorted, self.expired,
                peerRoutes, routeRules, peerDns);
    }

    /** NetBird's getNetworkResourcesRoutesToSync and friends, over every resource, router and policy. */
    private void networkResources(Peer self, List<PeerRoute> out, List<RouteFirewallRule> rulesOut,
                                  Set<String> extra) {
        Set<RouteFirewallRule> rules = new java.util.HashSet<>();
        for (Map.Entry<String, Map.Entry<String, NetworkResourceDefinition>> entry : resources.entrySet()) {
            NetworkResourceDefinition resource = entry.getValue().getValue();
            if (!resource.enabled()) {
                continue;
            }
            Map<String, PolicyDefinition> applied = new TreeMap<>();
            policies.forEach((id, policy) -> {
                if (policy.enabled() && policy.rules().stream().anyMatch(r -> r.enabled()
                        && (r.destinations().stream().anyMatch(resource.groups()::contains)
                        || r.destinationResource() != null && r.destinationResource().id().equals(entry.getKey())))) {
                    applied.put(id, policy);
                }
            });
            if (applied.isEmpty()) {
                continue;
            }
            // routing peer -> its router (the smaller router id wins), enabled routers of the resource's network
            Map<String, NetworkRouterDefinition> networkRouters = new TreeMap<>();
            routers.forEach((routerId, router) -> {
                if (router.getKey().equals(entry.getValue().getKey()) && router.getValue().enabled()) {
                    NetworkRouterDefinition definition = router.getValue();
                    Set<String> routing = definition.peer() != null
                            ? (peers.containsKey(definition.peer()) ? Set.of(definition.peer()) : Set.of())
                            : peersOf(definition.peerGroups());
                    routing.forEach(id -> networkRouters.putIfAbsent(id, definition));
                }
            });
            Set<String> distribution = new TreeSet<>();
            applied.values().forEach(policy -> policy.rules().forEach(r -> distribution.addAll(peersOf(r.sources()))));
            boolean domainResource = NetworkResourceDefinition.DOMAIN.equals(resource.type());
            String network = domainResource ? "192.0.2.0/32" : resource.prefix().toString();
            List<String> domains = domainResource ? List.of(resource.domain()) : List.of();
            int type = domainResource ? RouteDefinition.NETWORK_TYPE_DOMAIN : RouteDefinition.NETWORK_TYPE_IPV4;
            NetworkRouterDefinition own = networkRouters.get(self.id);
            if (own != null) {
                String id = entry.getKey() + ":" + self.id;
                out.add(new PeerRoute(id, resource.name(), network, type, domains, self.key, own.metric(),
                        own.masquerade(), true, false));
                distribution.stream().filter(p -> !p.equals(self.id) && !peers.get(p).expired).forEach(extra::add);
                applied.forEach((policyId, policy) -> {
                    for (PolicyRule rule : policy.rules()) {
                        if (!rule.enabled()) {
                            continue;
                        }
                        List<String> sources = peersOf(rule.sources()).stream()
                                .filter(p -> !p.equals(self.id) && distribution.contains(p)).map(peers::get)
                                .sorted(Comparator.comparingInt((Peer p) -> p.ip.bits()))
                                .map(p -> p.ip.address() + "/32").toList();
                        if (sources.isEmpty()) {
                            continue;
                        }
                        List<PortRange> ports = new ArrayList<>(PortRange.merge(
                                java.util.stream.Stream.concat(rule.ports().stream(), rule.portRanges().stream())
                                        .toList()));
                        if (ports.isEmpty()) {
                            ports.add(null);
                        }
                        for (PortRange port : ports) {
                            rules.add(new RouteFirewallRule(id, policyId, sources, rule.action(), network,
                                    rule.protocol(), port, domainResource, domains));
                        }
                    }
                });
                continue;
            }
            if (!distribution.contains(self.id)) {
                continue;
            }
            networkRouters.forEach((routingPeerId, router) -> {
                Peer routingPeer = peers.get(routingPeerId);
                if (!routingPeer.expired) {
                    out.add(new PeerRoute(entry.getKey() + ":" + routingPeerId, resource.name(), network, type,
                            domains, routingPeer.key, router.metric(), router.masquerade(), true, false));
                    extra.add(routingPeerId);
                }
            });
        }
        rulesOut.addAll(rules);
    }

    /** A route as one routing peer serves it, under the id the maps give it. */
    private record Served(String id, RouteDefinition route, Peer routingPeer) {
        PeerRoute toMap() {
            return new PeerRoute(id, route.netId(), route.networkText(), route.networkType(), route.domains(),
                    routingPeer.key, route.metric(), route.masquerade(), route.keepRoute(), route.skipAutoApply());
        }
    }

    /** NetBird's getRoutingPeerRoutes: every route the peer serves, alone (route id) or through a group (id:peer). */
    private List<Served> served(Peer peer) {
        List<Served> out = new ArrayList<>();
        routes.forEach((id, route) -> {
            if (peer.id.equals(route.peer())) {
                out.add(new Served(id, route, peer));
            } else if (peersOf(route.peerGroups()).contains(peer.id)) {
                out.add(new Served(id + ":" + peer.id, route, peer));
            }
        });
        return out;
    }

    /** NetBird's getRoutesToSync: own enabled routes, then the distributed routes of the peers to connect. */
    private List<PeerRoute> routesOf(Peer self, Set<String> connectable) {
        Map<String, PeerRoute> result = new TreeMap<>();
        Set<String> ownHa = new java.util.HashSet<>();
        for (Served own : served(self)) {
            ownHa.add(own.route().netId() + "|" + (own.route().dynamic()
                    ? String.join(",", own.route().domains()) : own.route().networkText()));
            if (own.route().enabled()) {
                result.put(own.id(), own.toMap());
            }
        }
        for (String otherId : connectable) {
            for (Served other : served(peers.get(otherId))) {
                RouteDefinition route = other.route();
                String ha = route.netId() + "|" + (route.dynamic()
                        ? String.join(",", route.domains()) : route.networkText());
                if (route.enabled() && !ownHa.contains(ha) && peersOf(route.groups()).contains(self.id)) {
                    result.put(other.id(), other.toMap());
                }
            }
        }
        return new ArrayList<>(result.values());
    }

    /** NetBird's getPeerRoutesFirewallRules for the routes the peer serves. */
    private List<RouteFirewallRule> routeFirewallRulesOf(Peer self) {
        Set<RouteFirewallRule> rules = new java.util.HashSet<>();
        for (Served own : served(self)) {
            RouteDefinition route = own.route();
            if (!route.enabled()) {
                continue;
            }
            if (route.accessControlGroups().isEmpty()) {
                rules.add(new RouteFirewallRule(own.id(), "", List.of("0.0.0.0/0"), RuleAction.ACCEPT,
                        route.networkText(), dev.tern.events.values.Protocol.ALL, null, route.dynamic(),
                        route.domains()));
                continue;
            }
            Set<String> distribution = peersOf(route.groups());
            for (String guard : route.accessControlGroups()) {
                for (Map.Entry<String, PolicyDefinition> policy : policies.entrySet()) {
                    boolean guards = policy.getValue().rules().stream().anyMatch(r -> r.destinations().contains(guard));
                    if (!guards || !policy.getValue().enabled()) {
                        continue;
                    }
                    for (PolicyRule rule : policy.getValue().rules()) {
                        if (!rule.enabled()) {
                            continue;
                        }
                        List<String> sources = peersOf(rule.sources()).stream()
                                .filter(id -> !id.equals(self.id) && distribution.contains(id))
                                .map(peers::get)
                                .sorted(Comparator.comparingInt((Peer p) -> p.ip.bits()))
                                .map(p -> p.ip.address() + "/32").toList();
                        List<PortRange> written = new ArrayList<>(rule.ports());
                        written.addAll(rule.portRanges());
                        List<PortRange> ports = PortRange.merge(written);
                        if (ports.isEmpty()) {
                            rules.add(new RouteFirewallRule(own.id(), policy.getKey(), sources, rule.action(),
                                    route.networkText(), rule.protocol(), null, route.dynamic(), route.domains()));
                        }
                        for (PortRange port : ports) {
                            rules.add(new RouteFirewallRule(own.id(), policy.getKey(), sources, rule.action(),
                                    route.networkText(), rule.protocol(), port, route.dynamic(), route.domains()));
                        }
                    }
                }
            }
        }
        List<RouteFirewallRule> sorted = new ArrayList<>(rules);
        sorted.sort(RouteFirewallRule.ORDER);
        return sorted;
    }

    /** Whether the groups include the (existing) All group: then the other side is every other peer. */
    private boolean namesAll(List<String> groupIds) {
        return allGroupId != null && groups.containsKey(allGroupId) && groupIds.contains(allGroupId);
    }

    /** NetBird's generateResources: one rule per other peer and merged port range, or one for 0.0.0.0 when that is everyone. */
    private void generate(String policyId, PolicyRule rule, Set<String> others, boolean everyone, Direction direction,
                          Map<String, RemotePeer> visible, Set<FirewallRule> rules) {
        List<PortRange> written = new ArrayList<>(rule.ports());
        written.addAll(rule.portRanges());
        // one rule per port range, however the ports were written: overlapping and adjacent ones are one range
        List<PortRange> ports = PortRange.merge(written);
        for (String otherId : others) {
            Peer other = peers.get(otherId);
            if (rule.action() == RuleAction.ACCEPT) {
                visible.put(otherId, new RemotePeer(other.id, other.name, other.key, other.ip,
                        other.label + "." + domain, other.ssh, extraNames(other.id)));
            }
            String address = everyone ? "0.0.0.0" : other.ip.address();
            if (ports.isEmpty()) {
                rules.add(new FirewallRule(address, direction, rule.action(), rule.protocol(), null, policyId));
            }
            for (PortRange port : ports) {
                rules.add(new FirewallRule(address, direction, rule.action(), rule.protocol(), port, policyId));
            }
        }
    }
}
