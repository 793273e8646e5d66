package dev.tern.projector;

import dev.tern.events.values.PolicyDefinition;
import dev.tern.events.values.PolicyRule;
import dev.tern.events.values.PortRange;
import dev.tern.events.values.RuleAction;
import dev.tern.projector.FirewallRule.Direction;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
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
 * Unlike NetBird it never collapses a rule that covers every other peer into one rule for 0.0.0.0: a map stays a
 * function of the peer's own rules, which keeps recomputation local (a new peer elsewhere changes no other map).
 */
final class NetworkMapComputer {
    private NetworkMapComputer() {
    }

    private static final Comparator<RemotePeer> BY_IP = Comparator
            .comparingInt((RemotePeer r) -> r.meshIp().bits())
            .thenComparing(RemotePeer::peerId);

    /** The peer's map with the given serial, or null when the peer is not in the graph. */
    static PeerNetworkMap compute(AccountGraph graph, String peerId, long serial) {
        AccountGraph.Peer self = graph.peer(peerId);
        if (self == null) {
            return null;
        }
        Map<String, RemotePeer> visible = new HashMap<>();
        Set<FirewallRule> rules = new HashSet<>();
        Set<String> policyIds = new LinkedHashSet<>();
        for (String groupId : graph.groupsOf(self)) {
            policyIds.addAll(graph.policyIdsForGroup(groupId));
        }
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
                if (inSources) {
                    emit(graph, self, policyId, rule, rule.destinations(), Direction.OUT, visible, rules);
                    if (rule.bidirectional()) {
                        emit(graph, self, policyId, rule, rule.destinations(), Direction.IN, visible, rules);
                    }
                }
                if (inDestinations) {
                    emit(graph, self, policyId, rule, rule.sources(), Direction.IN, visible, rules);
                    if (rule.bidirectional()) {
                        emit(graph, self, policyId, rule, rule.sources(), Direction.OUT, visible, rules);
                    }
                }
            }
        }
        List<RemotePeer> remotePeers = new ArrayList<>(visible.values());
        remotePeers.sort(BY_IP);
        List<FirewallRule> firewallRules = new ArrayList<>(rules);
        firewallRules.sort(FirewallRule.ORDER);
        PeerConfig config = new PeerConfig(self.id, self.name, self.key, self.ip, graph.address(self.ip),
                graph.fqdn(self.dnsLabel), self.sshEnabled);
        return new PeerNetworkMap(graph.accountId, self.id, serial, config, remotePeers, firewallRules);
    }

    private static boolean inAny(AccountGraph graph, AccountGraph.Peer peer, List<String> groupIds) {
        for (String groupId : groupIds) {
            if (graph.isMember(peer, groupId)) {
                return true;
            }
        }
        return false;
    }

    private static void emit(AccountGraph graph, AccountGraph.Peer self, String policyId, PolicyRule rule,
                             List<String> otherSide, Direction direction,
                             Map<String, RemotePeer> visible, Set<FirewallRule> rules) {
        List<PortRange> ports = portsOf(rule);
        boolean accept = rule.action() == RuleAction.ACCEPT;
        // the All group already holds every peer: walking the other groups too would only repeat them
        List<String> groups = otherSide.stream().anyMatch(graph::isAllGroup)
                ? List.of(graph.allGroupId()) : otherSide;
        for (String groupId : groups) {
            for (String otherId : graph.membersOf(groupId)) {
                if (otherId.equals(self.id)) {
                    continue;
                }
                AccountGraph.Peer other = graph.peer(otherId);
                if (other == null) {
                    continue;
                }
                if (accept) {
                    visible.putIfAbsent(other.id, graph.view(other));
                }
                String ip = other.ip.address();
                for (PortRange port : ports) {
                    rules.add(new FirewallRule(ip, direction, rule.action(), rule.protocol(), port, policyId));
                }
            }
        }
    }

    private static final List<PortRange> EVERY_PORT = java.util.Collections.singletonList(null);

    /** Single ports and ranges alike; a rule without any covers every port (a null port). */
    private static List<PortRange> portsOf(PolicyRule rule) {
        if (!rule.hasPorts()) {
            return EVERY_PORT;
        }
        List<PortRange> all = new ArrayList<>(rule.ports().size() + rule.portRanges().size());
        all.addAll(rule.ports());
        all.addAll(rule.portRanges());
        return all;
    }
}
