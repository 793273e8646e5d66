package dev.tern.projector;

import dev.tern.events.values.PolicyDefinition;
import dev.tern.events.values.PolicyRule;
import dev.tern.events.values.PortRange;
import dev.tern.events.values.RuleAction;
import dev.tern.projector.FirewallRule.Direction;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Computes one peer's map from the account graph, with NetBird's semantics (GetPeerConnectionResources): for every
 * enabled rule of every enabled policy that names one of the peer's groups,
 * <ul>
 *   <li>a peer in the sources gets an OUT rule per destination peer, a peer in the destinations an IN rule per
 *       source peer, each once per port range of the rule (one rule without port when it has none); the graph
 *       holds each rule's ports already merged into disjoint ranges ({@link AccountGraph#withMergedPorts}), so
 *       {@code 80, 81, 82} is one rule for 80-82;</li>
 *   <li>a bidirectional rule adds the mirror: IN rules towards destination peers, OUT rules towards sources;</li>
 *   <li>accept rules make the other side's peers remote peers; drop rules only yield firewall rules;</li>
 *   <li>the peer itself is never on the other side;</li>
 *   <li>a peer on the other side whose login expired is an offline peer rather than a remote peer (NetBird's
 *       GetPeerNetworkMap); its firewall rules are made as for any other.</li>
 * </ul>
 * A rule towards the All group yields one firewall rule for 0.0.0.0 (any peer) rather than one per peer, as NetBird's
 * does. NetBird also collapses a rule whose ordinary groups happen to hold every other peer; Tern does not, so that a
 * map stays a function of the peer's own rules and groups (a new peer outside them changes no other map).
 */
final class NetworkMapComputer {
    private NetworkMapComputer() {
    }

    static final Comparator<AccountGraph.Peer> BY_IP = Comparator
            .comparingInt((AccountGraph.Peer p) -> p.ipBits)
            .thenComparing(p -> p.id);

    /** One pass over the other side of a rule: the groups, in which direction. */
    private record Emission(List<String> groups, Direction direction) {
    }

    /** The peer's map with the given serial, or null when the peer is not in the graph. */
    static PeerNetworkMap compute(AccountGraph graph, String peerId, long serial) {
        AccountGraph.Peer self = graph.peer(peerId);
        if (self == null) {
            return null;
        }
        long computation = graph.nextComputation();
        ArrayList<AccountGraph.Peer> visible = new ArrayList<>();
        ArrayList<FirewallRule> rules = new ArrayList<>();
        boolean[] seesEveryone = {false};
        forEachEmission(graph, self, (policyId, rule, emission) -> seesEveryone[0] |=
                emit(graph, self, computation, policyId, rule, emission, visible, rules));
        return mapOf(graph, self, serial, computation, seesEveryone[0], visible, rules);
    }

    /** One side of an enabled rule that the peer sees, as {@link #forEachEmission} hands it over. */
    @FunctionalInterface
    private interface EmissionVisitor {
        void visit(String policyId, PolicyRule rule, Emission emission);
    }

    /**
     * Hands over the other side of every enabled rule of every enabled policy that names one of the peer's groups:
     * the decision of whom a peer sees, shared by maps and counts. It depends on the peer only through its groups.
     */
    private static void forEachEmission(AccountGraph graph, AccountGraph.Peer self, EmissionVisitor visitor) {
        Set<String> policyIds = new LinkedHashSet<>();
        for (String groupId : graph.groupsOf(self)) {
            policyIds.addAll(graph.policyIdsForGroup(groupId));
        }
        List<Emission> emissions = new ArrayList<>(4);
        for (String policyId : policyIds) {
            PolicyDefinition policy = graph.policy(policyId);
            if (policy == null || !policy.enabled()) {
                continue;
            }
            for (PolicyRule rule : policy.rules()) {
                if (!rule.enabled()) {
                    continue;
                }
                boolean inSources = inAny(graph, self, rule.sources());
                boolean inDestinations = inAny(graph, self, rule.destinations());
                emissions.clear();
                if (inSources) {
                    addEmission(emissions, rule.destinations(), Direction.OUT);
                    if (rule.bidirectional()) {
                        addEmission(emissions, rule.destinations(), Direction.IN);
                    }
                }
                if (inDestinations) {
                    addEmission(emissions, rule.sources(), Direction.IN);
                    if (rule.bidirectional()) {
                        addEmission(emissions, rule.sources(), Direction.OUT);
                    }
                }
                for (Emission emission : emissions) {
                    visitor.visit(policyId, rule, emission);
                }
            }
        }
    }

    /**
     * Peer id to the number of peers its map would list (remote plus offline peers), for every peer of the graph,
     * without computing the maps: peers with the same groups see the same peers (themselves left out), so the
     * accepted groups and their members are walked once per group set. Networks, which add peers per peer, are
     * asked per peer, and only when the account has network resources.
     */
    static Map<String, Integer> accessibleCounts(AccountGraph graph) {
        Map<Set<String>, List<AccountGraph.Peer>> peersByGroups = new HashMap<>();
        for (String peerId : graph.peerIds()) {
            AccountGraph.Peer peer = graph.peer(peerId);
            peersByGroups.computeIfAbsent(Set.copyOf(peer.groups), groups -> new ArrayList<>()).add(peer);
        }
        Map<String, Integer> counts = new HashMap<>(graph.peerCount() * 2);
        for (List<AccountGraph.Peer> alike : peersByGroups.values()) {
            AccountGraph.Peer first = alike.get(0);
            Set<String> acceptedGroups = new LinkedHashSet<>();
            boolean[] seesEveryone = {false};
            forEachEmission(graph, first, (policyId, rule, emission) -> {
                if (rule.action() != RuleAction.ACCEPT) {
                    return;
                }
                if (emission.groups().stream().anyMatch(graph::isAllGroup)) {
                    seesEveryone[0] = true;
                } else {
                    acceptedGroups.addAll(emission.groups());
                }
            });
            // the accepted groups' members, each marked once: a peer of the set sees them all but itself
            long computation = graph.nextComputation();
            int members = 0;
            if (!seesEveryone[0]) {
                for (String groupId : acceptedGroups) {
                    for (AccountGraph.Peer other : graph.membersOf(groupId)) {
                        if (other.seenBy != computation) {
                            other.seenBy = computation;
                            members++;
                        }
                    }
                }
            }
            for (AccountGraph.Peer self : alike) {
                int count = seesEveryone[0] ? graph.peerCount() - 1
                        : members - (self.seenBy == computation ? 1 : 0);
                if (!graph.networkMaps.isEmpty()) {
                    count += graph.networkMaps.contributionTo(self, connectable(self, seesEveryone[0], computation))
                            .extraPeers().size();
                }
                counts.put(self.id, count);
            }
        }
        return counts;
    }

    /**
     * NetBird's peers to connect: the online peers the map shows, whose routes the peer may use and whom networks
     * need not add again.
     */
    private static java.util.function.Predicate<AccountGraph.Peer> connectable(AccountGraph.Peer self,
                                                                               boolean seesEveryone,
                                                                               long computation) {
        return seesEveryone
                ? other -> !other.loginExpired
                : other -> other != self && other.seenBy == computation && !other.loginExpired;
    }

    private static PeerNetworkMap mapOf(AccountGraph graph, AccountGraph.Peer self, long serial, long computation,
                                        boolean seesEveryone, ArrayList<AccountGraph.Peer> visible,
                                        ArrayList<FirewallRule> rules) {
        List<RemotePeer> remotePeers;
        List<RemotePeer> offlinePeers;
        if (seesEveryone) {
            // The shared lists hold every peer, split by login state; the peer itself is in exactly one of them, at
            // its sharedIndex, and must be left out of that one only (an index into the other would drop a stranger).
            Object[] everyone = graph.everyoneSorted();
            Object[] expired = graph.expiredSorted();
            if (self.loginExpired) {
                remotePeers = FrozenList.all(everyone);
                offlinePeers = expired.length == 1 ? FrozenList.empty() : FrozenList.allBut(expired, self.sharedIndex);
            } else {
                remotePeers = FrozenList.allBut(everyone, self.sharedIndex);
                offlinePeers = FrozenList.all(expired);
            }
        } else {
            visible.sort(BY_IP);
            Object[][] split = graph.viewsByLogin(visible, false);
            remotePeers = FrozenList.all(split[0]);
            offlinePeers = split[1].length == 0 ? FrozenList.empty() : FrozenList.all(split[1]);
        }
        rules.sort(FirewallRule.ORDER);
        PeerConfig config = new PeerConfig(self.id, self.name, self.key, self.ip, graph.address(self.ip),
                graph.fqdn(self.dnsLabel), self.sshEnabled, graph.extraFqdns(self));
        // NetBird's peers to connect: the routes of these routing peers are the ones this peer may use
        java.util.function.Predicate<AccountGraph.Peer> connectable = connectable(self, seesEveryone, computation);
        List<PeerRoute> routes = graph.routeMaps.routesOf(self, connectable);
        List<RouteFirewallRule> routeRules = graph.routeMaps.firewallRulesOf(self);
        NetworkResourceMaps.Contribution networks = graph.networkMaps.contributionTo(self, connectable);
        if (networks != NetworkResourceMaps.Contribution.NONE) {
            // NetBird's addNetworksRoutingPeers: routing peers and the sources they serve see each other
            if (!networks.extraPeers().isEmpty()) {
                List<RemotePeer> merged = new ArrayList<>(remotePeers);
                networks.extraPeers().forEach(peer -> merged.add(graph.view(peer)));
                merged.sort(RemotePeer.BY_IP);
                remotePeers = merged;
            }
            routes = merged(routes, networks.routes(), PeerRoute.ORDER);
            routeRules = merged(routeRules, networks.firewallRules(), RouteFirewallRule.ORDER);
        }
        return new PeerNetworkMap(graph.accountId, self.id, serial, config,
                remotePeers, offlinePeers, withoutAdjacentDuplicates(rules), self.loginExpired, routes, routeRules,
                graph.dnsOf(self));
    }

    private static <T> List<T> merged(List<T> a, List<T> b, Comparator<T> order) {
        if (b.isEmpty()) {
            return a;
        }
        List<T> all = new ArrayList<>(a);
        all.addAll(b);
        all.sort(order);
        return all;
    }

    /** A rule whose sources are its destinations would otherwise walk the same peers twice per direction. */
    private static void addEmission(List<Emission> emissions, List<String> groups, Direction direction) {
        Emission emission = new Emission(groups, direction);
        if (!emissions.contains(emission)) {
            emissions.add(emission);
        }
    }

    /**
     * The sorted rules without duplicates and without port rules a rule of the same policy already covers for all
     * ports (a policy with a tcp rule and a tcp/22 rule between the same groups). In the canonical order the
     * all-ports rules of one peer, direction, action and protocol come first, so one pass finds both.
     */
    private static List<FirewallRule> withoutAdjacentDuplicates(List<FirewallRule> sorted) {
        Object[] unique = new Object[sorted.size()];
        int count = 0;
        FirewallRule previous = null;
        List<String> allPortsPolicies = new ArrayList<>(2);
        for (FirewallRule rule : sorted) {
            if (previous == null || !previous.sameTraffic(rule)) {
                allPortsPolicies.clear();
            }
            if (rule.allPorts()) {
                allPortsPolicies.add(rule.policyId());
            }
            boolean covered = !rule.allPorts() && allPortsPolicies.contains(rule.policyId());
            if (!covered && (previous == null || !previous.equals(rule))) {
                unique[count++] = rule;
            }
            previous = rule;
        }
        return FrozenList.of(unique, count);
    }

    private static boolean inAny(AccountGraph graph, AccountGraph.Peer peer, List<String> groupIds) {
        for (String groupId : groupIds) {
            if (graph.isMember(peer, groupId)) {
                return true;
            }
        }
        return false;
    }

    /** Adds the emission's rules and remote peers; true when the remote peers are every other peer (All group). */
    private static boolean emit(AccountGraph graph, AccountGraph.Peer self, long computation, String policyId,
                             PolicyRule rule, Emission emission, ArrayList<AccountGraph.Peer> visible,
                             ArrayList<FirewallRule> rules) {
        List<PortRange> ports = portsOf(rule);
        boolean accept = rule.action() == RuleAction.ACCEPT;
        List<String> groups = emission.groups();
        if (groups.stream().anyMatch(graph::isAllGroup)) {
            // the other side is every other peer (the All group holds them all, whatever else is named). As NetBird
            // does, one rule for 0.0.0.0 instead of one per peer; the caller takes the shared account-wide peer lists.
            if (graph.peerCount() > 1) {
                addRules(graph.anyPeer, emission.direction(), rule, ports, policyId, rules);
            }
            return accept;
        }
        for (String groupId : groups) {
            java.util.Collection<AccountGraph.Peer> members = graph.membersOf(groupId);
            // grow once to the size needed rather than step by step: big groups make big maps
            if (accept) {
                visible.ensureCapacity(visible.size() + members.size());
            }
            rules.ensureCapacity(rules.size() + members.size() * (ports == null ? 1 : ports.size()));
            for (AccountGraph.Peer other : members) {
                if (other == self) {
                    continue;
                }
                if (accept && other.seenBy != computation) {
                    other.seenBy = computation;
                    visible.add(other);
                }
                addRules(other, emission.direction(), rule, ports, policyId, rules);
            }
        }
        return false;
    }

    private static void addRules(AccountGraph.Peer other, Direction direction, PolicyRule rule, List<PortRange> ports,
                                 String policyId, List<FirewallRule> rules) {
        if (ports == null) {
            rules.add(other.rule(direction, rule.action(), rule.protocol(), policyId));
            return;
        }
        for (PortRange port : ports) {
            rules.add(new FirewallRule(other.ipText, other.ipBits, direction, rule.action(), rule.protocol(), port,
                    policyId));
        }
    }

    /**
     * The rule's port ranges (the graph merged its single ports into them); null when the rule has none and so
     * covers every port.
     */
    private static List<PortRange> portsOf(PolicyRule rule) {
        if (!rule.hasPorts()) {
            return null;
        }
        if (rule.ports().isEmpty()) {
            return rule.portRanges();
        }
        return PortRange.merge(java.util.stream.Stream.concat(rule.ports().stream(), rule.portRanges().stream())
                .toList());
    }
}
