package dev.tern.projector;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Everything one peer needs to configure its side of the mesh: its own config, the remote peers it may reach or be
 * reached from (sorted by mesh IP), its firewall rules (in a canonical order) and a serial that only grows.
 * Immutable; two maps with the same content and serial are equal. DNS records are derived from the peer itself and
 * its remote peers, so they can never disagree with the peer list.
 */
public record PeerNetworkMap(String accountId, String peerId, long serial, PeerConfig peerConfig,
                             List<RemotePeer> remotePeers, List<FirewallRule> firewallRules) {

    public PeerNetworkMap {
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(peerId, "peerId");
        Objects.requireNonNull(peerConfig, "peerConfig");
        // lists built by the computer are already immutable; anything else is copied
        remotePeers = remotePeers instanceof FrozenList<RemotePeer> ? remotePeers : List.copyOf(remotePeers);
        firewallRules = firewallRules instanceof FrozenList<FirewallRule> ? firewallRules : List.copyOf(firewallRules);
    }

    /** The same map under another serial. */
    PeerNetworkMap withSerial(long newSerial) {
        return new PeerNetworkMap(accountId, peerId, newSerial, peerConfig, remotePeers, firewallRules);
    }

    /** Whether the two maps tell the peer the same thing, whatever their serials. */
    public boolean sameContentAs(PeerNetworkMap other) {
        return other != null
                && accountId.equals(other.accountId)
                && peerId.equals(other.peerId)
                && peerConfig.equals(other.peerConfig)
                && remotePeers.equals(other.remotePeers)
                && firewallRules.equals(other.firewallRules);
    }

    /** A-records the peer's resolver serves: its own FQDN and those of the peers it can see, FQDN to mesh IP. */
    public Map<String, String> dnsRecords() {
        TreeMap<String, String> records = new TreeMap<>();
        records.put(peerConfig.fqdn(), peerConfig.meshIp().address());
        for (RemotePeer remote : remotePeers) {
            records.put(remote.fqdn(), remote.meshIp().address());
        }
        return Collections.unmodifiableMap(records);
    }

    /** Whether the peer may reach or be reached from the given peer. */
    public boolean canSee(String otherPeerId) {
        for (RemotePeer remote : remotePeers) {
            if (remote.peerId().equals(otherPeerId)) {
                return true;
            }
        }
        return false;
    }
}
