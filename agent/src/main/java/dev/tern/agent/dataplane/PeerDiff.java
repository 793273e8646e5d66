package dev.tern.agent.dataplane;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What has to change on a WireGuard device to go from the peers it has to the peers a new map wants. Peers that
 * are equal in both are absent from every list, so the device never touches them and their sessions survive.
 */
public record PeerDiff(List<WgPeer> added, List<WgPeer> changed, List<String> removed) {

    public static PeerDiff between(Map<String, WgPeer> current, Collection<WgPeer> desired) {
        Map<String, WgPeer> wanted = new LinkedHashMap<>();
        for (WgPeer peer : desired) {
            wanted.put(peer.publicKey(), peer);
        }
        List<WgPeer> added = new ArrayList<>();
        List<WgPeer> changed = new ArrayList<>();
        for (WgPeer peer : wanted.values()) {
            WgPeer existing = current.get(peer.publicKey());
            if (existing == null) {
                added.add(peer);
            } else if (!existing.equals(peer)) {
                changed.add(peer);
            }
        }
        List<String> removed = current.keySet().stream().filter(key -> !wanted.containsKey(key)).sorted().toList();
        added.sort(Comparator.comparing(WgPeer::publicKey));
        changed.sort(Comparator.comparing(WgPeer::publicKey));
        return new PeerDiff(List.copyOf(added), List.copyOf(changed), removed);
    }

    public boolean isEmpty() {
        return added.isEmpty() && changed.isEmpty() && removed.isEmpty();
    }
}
