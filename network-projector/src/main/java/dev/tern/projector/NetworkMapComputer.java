package dev.tern.projector;

import dev.tern.events.values.PolicyDefinition;
import dev.tern.events.values.PolicyRule;
import dev.tern.events.values.PortRange;
import dev.tern.events.values.RuleAction;
import dev.tern.projector.FirewallRule.Direction;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Computes one peer's map from the account graph, with NetBird's semantics (GetPeerConnectionResources): for every
 * enabled rule of every enabled policy that names one of the peer's groups,
 * <ul>
 *   <li>a peer in the sources gets an OUT rule per destination peer, a peer in the destinations an IN rule per
 *       source peer, each once per port or port range of the rule (one rule without port when it has none);</li>
 *   <li>a bidirectional rule adds the mirror: IN rules towards destination peers, OUT rules towards sources;</li>
 *   <li>accept rules make the other side's peers remote peers; drop rules only yield firewall rules;</li>
 *   <li>the peer itself is never on the other side.</li>
 * </ul>
 * A rule towards the All group yields one firewall rule for 0.0.0.0 (any peer) rather than one per peer, as NetBird's
 * does. NetBird also collapses a rule whose ordinary groups happen to hold every other peer; Tern does not, so that a
 * map stays a function of the peer's own rules and groups (a new peer outside them changes no other map).
 */
final class NetworkMapComputer {
    private NetworkMapComputer() {
    }

    private static final Comparator<AccountGraph.Peer> BY_IP = Comparator
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
                    emit(graph, self, computation, policyId, rule, emission, visible, rules);
                }
            }
        }
        visible.sort(BY_IP);
        Object[] remotePeers = new Object[visible.size()];
        for (int i = 0; i < remotePeers.length; i++) {
            remotePeers[i] = graph.view(visible.get(i));
        }
        rules.sort(FirewallRule.ORDER);
        PeerConfig config = new PeerConfig(self.id, self.name, self.key, self.ip, graph.address(self.ip),
                graph.fqdn(self.dnsLabel), self.sshEnabled);
        return new PeerNetworkMap(graph.accountId, self.id, serial, config,
                new FrozenList<>(remotePeers, remotePeers.length), withoutAdjacentDuplicates(rules));
    }

    /** A rule whose sources are its destinations would otherwise walk the same peers twice per direction. */
    private static void addEmission(List<Emission> emissions, List<String> groups, Direction direction) {
        Emission emission = new Emission(groups, direction);
        if (!emissions.contains(emission)) {
            emissions.add(emission);
        }
    }

    private static List<FirewallRule> withoutAdjacentDuplicates(List<FirewallRule> sorted) {
        Object[] unique = new Object[sorted.size()];
        int count = 0;
        FirewallRule previous = null;
        for (FirewallRule rule : sorted) {
            if (previous == null || !previous.equals(rule)) {
                unique[count++] = rule;
            }
            previous = rule;
        }
        return new FrozenList<>(unique, count);
    }

    private static boolean inAny(AccountGraph graph, AccountGraph.Peer peer, List<String> groupIds) {
        for (String groupId : groupIds) {
            if (graph.isMember(peer, groupId)) {
                return true;
            }
        }
        return false;
    }

    private static void emit(AccountGraph graph, AccountGraph.Peer self, long computation, String policyId,
                             PolicyRule rule, Emission emission, ArrayList<AccountGraph.Peer> visible,
                             ArrayList<FirewallRule> rules) {
        List<PortRange> ports = portsOf(rule);
        boolean accept = rule.action() == RuleAction.ACCEPT;
        List<String> groups = emission.groups();
        boolean everyone = false;
        for (String groupId : groups) {
            if (graph.isAllGroup(groupId)) {
                // the All group already holds every peer: walking the other groups too would only repeat them
                groups = List.of(groupId);
                everyone = true;
                break;
            }
        }
        if (everyone && graph.peerCount() > 1) {
            // as NetBird does when the other side is every other peer: one rule for 0.0.0.0 instead of one per peer
            addRules(graph.anyPeer, emission.direction(), rule, ports, policyId, rules);
            if (!accept) {
                return; // a drop rule adds no remote peers, so there is nothing else to collect
            }
        }
        for (String groupId : groups) {
            java.util.Collection<AccountGraph.Peer> members = graph.membersOf(groupId);
            // grow once to the size needed rather than step by step: big groups make big maps
            if (accept) {
                visible.ensureCapacity(visible.size() + members.size());
            }
            if (!everyone) {
                rules.ensureCapacity(
                        rules.size() + members.size() * (ports == null ? 1 : ports.size()));
            }
            for (AccountGraph.Peer other : members) {
                if (other == self) {
                    continue;
                }
                if (accept && other.seenBy != computation) {
                    other.seenBy = computation;
                    visible.add(other);
                }
                if (!everyone) {
                    addRules(other, emission.direction(), rule, ports, policyId, rules);
                }
            }
        }
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

    /** Single ports and ranges alike; null when the rule has none and so covers every port. */
    private static List<PortRange> portsOf(PolicyRule rule) {
        if (!rule.hasPorts()) {
            return null;
        }
        List<PortRange> all = new ArrayList<>(rule.ports().size() + rule.portRanges().size());
        all.addAll(rule.ports());
        all.addAll(rule.portRanges());
        return all;
    }
}
