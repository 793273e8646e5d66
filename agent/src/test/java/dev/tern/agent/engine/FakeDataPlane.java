package dev.tern.agent.engine;

import dev.tern.agent.dataplane.DataPlane;
import dev.tern.agent.dataplane.DeviceState;
import dev.tern.agent.dataplane.FirewallRuleSpec;
import dev.tern.agent.dataplane.PeerDiff;
import dev.tern.agent.dataplane.RoutedTraffic;
import dev.tern.agent.dataplane.WgPeer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Records what the engine asks of the data plane; peers are diffed like the real device does. */
final class FakeDataPlane implements DataPlane {
    final Map<String, WgPeer> peers = new LinkedHashMap<>();
    final List<PeerDiff> diffs = new ArrayList<>();
    final List<List<FirewallRuleSpec>> firewalls = new ArrayList<>();
    final List<RoutedTraffic> routedTraffic = new ArrayList<>();
    final Map<String, Long> handshakes = new LinkedHashMap<>();
    String address;
    String addressV6;

    @Override
    public String interfaceName() {
        return "fake0";
    }

    @Override
    public synchronized void setAddress(String cidr) {
        address = cidr;
    }

    @Override
    public synchronized void setAddressV6(String cidr) {
        addressV6 = cidr;
    }

    @Override
    public synchronized PeerDiff applyPeers(Collection<WgPeer> desired) {
        PeerDiff diff = PeerDiff.between(peers, desired);
        diff.removed().forEach(peers::remove);
        diff.added().forEach(p -> peers.put(p.publicKey(), p));
        diff.changed().forEach(p -> peers.put(p.publicKey(), p));
        if (!diff.isEmpty()) {
            diffs.add(diff);
        }
        return diff;
    }

    @Override
    public synchronized void applyFirewall(Collection<FirewallRuleSpec> inboundRules, RoutedTraffic routed) {
        firewalls.add(List.copyOf(inboundRules));
        routedTraffic.add(routed);
    }

    @Override
    public synchronized DeviceState read() {
        Map<String, DeviceState.PeerStats> stats = new LinkedHashMap<>();
        for (WgPeer peer : peers.values()) {
            stats.put(peer.publicKey(), new DeviceState.PeerStats(peer.publicKey(), peer.endpoint(), peer.allowedIps(),
                    handshakes.getOrDefault(peer.publicKey(), 0L), 10, 20, peer.keepaliveSeconds()));
        }
        return new DeviceState(51820, null, stats);
    }

    synchronized String endpointOf(String key) {
        WgPeer peer = peers.get(key);
        return peer == null ? null : peer.endpoint();
    }
}
