package dev.tern.api.web;

import dev.tern.events.values.PolicyRule;
import dev.tern.events.values.RuleAction;
import dev.tern.query.GroupView;
import dev.tern.query.PeerView;
import dev.tern.query.PolicyView;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The peers a peer's map would contain, computed from the read model: every peer on the other side of an
 * enabled accept rule of an enabled policy. As in NetBird's GetPeerConnectionResources, a peer in the sources
 * sees the destinations and a peer in the destinations sees the sources, whatever {@code bidirectional} says —
 * direction only shapes the firewall rules, not who is in the map.
 *
 * TODO(network-projector): once the network projector exists, answer from its per-peer map instead, so the REST
 * view and what devices receive cannot drift apart.
 */
final class AccessiblePeers {
    private AccessiblePeers() {
    }

    static List<PeerView> of(String peerId, List<PeerView> peers, List<GroupView> groups, List<PolicyView> policies) {
        Map<String, Set<String>> members = new HashMap<>();
        for (GroupView g : groups) {
            Set<String> ids = new HashSet<>();
            if (g.all()) {
                peers.forEach(p -> ids.add(p.id()));
            } else {
                g.peers().forEach(p -> ids.add(p.id()));
            }
            members.put(g.id(), ids);
        }
        Set<String> visible = new HashSet<>();
        for (PolicyView policy : policies) {
            if (!policy.definition().enabled()) {
                continue;
            }
            for (PolicyRule rule : policy.definition().rules()) {
                if (!rule.enabled() || rule.action() != RuleAction.ACCEPT) {
                    continue;
                }
                Set<String> sources = union(rule.sources(), members);
                Set<String> destinations = union(rule.destinations(), members);
                if (sources.contains(peerId)) {
                    visible.addAll(destinations);
                }
                if (destinations.contains(peerId)) {
                    visible.addAll(sources);
                }
            }
        }
        visible.remove(peerId);
        return peers.stream().filter(p -> visible.contains(p.id())).toList();
    }

    private static Set<String> union(List<String> groupIds, Map<String, Set<String>> members) {
        Set<String> out = new HashSet<>();
        for (String id : groupIds) {
            out.addAll(members.getOrDefault(id, Set.of()));
        }
        return out;
    }
}
