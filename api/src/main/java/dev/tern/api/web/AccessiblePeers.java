package dev.tern.api.web;

import dev.tern.events.values.PolicyRule;
import dev.tern.events.values.RuleAction;
import dev.tern.query.GroupView;
import dev.tern.query.PeerView;
import dev.tern.query.PolicyView;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The peers a peer's map would contain, computed from the read model: every peer on the other side of an
 * enabled accept rule of an enabled policy. As in NetBird's GetPeerConnectionResources, a peer in the sources
 * sees the destinations and a peer in the destinations sees the sources, whatever {@code bidirectional} says —
 * direction only shapes the firewall rules, not who is in the map.
 *
 * <p>Peers are numbered and every rule side is a bit set, so answering for all peers at once (the
 * {@code accessible_peers_count} of the peer list) costs one OR per contributing rule and peer.
 *
 * TODO(network-projector): once the network projector is wired into tern-server, answer from its per-peer map
 * instead, so the REST view and what devices receive cannot drift apart.
 */
final class AccessiblePeers {
    private final List<PeerView> peers;
    private final Map<String, Integer> index = new HashMap<>();
    /** Pairs of (sources, destinations) of every rule that grants anything. */
    private final List<BitSet[]> grants = new ArrayList<>();

    AccessiblePeers(List<PeerView> peers, List<GroupView> groups, List<PolicyView> policies) {
        this.peers = peers;
        for (int i = 0; i < peers.size(); i++) {
            index.put(peers.get(i).id(), i);
        }
        Map<String, BitSet> members = new HashMap<>();
        for (GroupView g : groups) {
            BitSet bits = new BitSet(peers.size());
            if (g.all()) {
                bits.set(0, peers.size());
            } else {
                g.peers().forEach(p -> {
                    Integer i = index.get(p.id());
                    if (i != null) {
                        bits.set(i);
                    }
                });
            }
            members.put(g.id(), bits);
        }
        for (PolicyView policy : policies) {
            if (!policy.definition().enabled()) {
                continue;
            }
            for (PolicyRule rule : policy.definition().rules()) {
                if (rule.enabled() && rule.action() == RuleAction.ACCEPT) {
                    grants.add(new BitSet[]{union(rule.sources(), members), union(rule.destinations(), members)});
                }
            }
        }
    }

    static List<PeerView> of(String peerId, List<PeerView> peers, List<GroupView> groups, List<PolicyView> policies) {
        return new AccessiblePeers(peers, groups, policies).of(peerId);
    }

    List<PeerView> of(String peerId) {
        Integer i = index.get(peerId);
        if (i == null) {
            return List.of();
        }
        BitSet visible = visible(i);
        List<PeerView> out = new ArrayList<>(visible.cardinality());
        for (int j = visible.nextSetBit(0); j >= 0; j = visible.nextSetBit(j + 1)) {
            out.add(peers.get(j));
        }
        return out;
    }

    /** Peer id to the number of peers it can reach or be reached from, in the order of the peer list. */
    Map<String, Integer> counts() {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (int i = 0; i < peers.size(); i++) {
            out.put(peers.get(i).id(), visible(i).cardinality());
        }
        return out;
    }

    private BitSet visible(int i) {
        BitSet out = new BitSet(peers.size());
        for (BitSet[] grant : grants) {
            if (grant[0].get(i)) {
                out.or(grant[1]);
            }
            if (grant[1].get(i)) {
                out.or(grant[0]);
            }
        }
        out.clear(i);
        return out;
    }

    private static BitSet union(List<String> groupIds, Map<String, BitSet> members) {
        BitSet out = new BitSet();
        for (String id : groupIds) {
            BitSet bits = members.get(id);
            if (bits != null) {
                out.or(bits);
            }
        }
        return out;
    }
}
