package dev.tern.projector;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The difference between two maps of one peer, for clients that accept deltas instead of full maps: remote peers
 * added, changed (same peer id, anything else different) and removed; the own config, the offline peers (normally
 * few), the firewall rules and the account-managed DNS configuration are carried whole when they changed, and the
 * peer's own login state when it changed (each null when it did not); routes and route firewall rules likewise, whole
 * when they changed. A stream computes it against the map it last sent, not the previous published one: the hub may
 * have dropped maps in between.
 */
public record NetworkMapDelta(String accountId, String peerId, long fromSerial, long toSerial,
                              PeerConfig peerConfig, List<RemotePeer> added, List<RemotePeer> changed,
                              List<RemotePeer> removed, List<RemotePeer> offlinePeers,
                              List<FirewallRule> firewallRules, Boolean loginExpired,
                              List<PeerRoute> routes, List<RouteFirewallRule> routeFirewallRules,
                              PeerDns dns) {

    public NetworkMapDelta {
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(peerId, "peerId");
        added = List.copyOf(added);
        changed = List.copyOf(changed);
        removed = List.copyOf(removed);
        offlinePeers = offlinePeers == null ? null : List.copyOf(offlinePeers);
        firewallRules = firewallRules == null ? null : List.copyOf(firewallRules);
        routes = routes == null ? null : List.copyOf(routes);
        routeFirewallRules = routeFirewallRules == null ? null : List.copyOf(routeFirewallRules);
    }

    /** What turns {@code from} into {@code to}; both must be maps of the same peer. */
    public static NetworkMapDelta between(PeerNetworkMap from, PeerNetworkMap to) {
        if (!from.accountId().equals(to.accountId()) || !from.peerId().equals(to.peerId())) {
            throw new IllegalArgumentException("maps of different peers: " + from.peerId() + ", " + to.peerId());
        }
        Map<String, RemotePeer> before = new HashMap<>();
        for (RemotePeer remote : from.remotePeers()) {
            before.put(remote.peerId(), remote);
        }
        List<RemotePeer> added = new ArrayList<>();
        List<RemotePeer> changed = new ArrayList<>();
        for (RemotePeer remote : to.remotePeers()) {
            RemotePeer old = before.remove(remote.peerId());
            if (old == null) {
                added.add(remote);
            } else if (!old.equals(remote)) {
                changed.add(remote);
            }
        }
        List<RemotePeer> removed = new ArrayList<>();
        for (RemotePeer remote : from.remotePeers()) {
            if (before.containsKey(remote.peerId())) {
                removed.add(remote);
            }
        }
        return new NetworkMapDelta(to.accountId(), to.peerId(), from.serial(), to.serial(),
                from.peerConfig().equals(to.peerConfig()) ? null : to.peerConfig(),
                added, changed, removed,
                from.offlinePeers().equals(to.offlinePeers()) ? null : to.offlinePeers(),
                from.firewallRules().equals(to.firewallRules()) ? null : to.firewallRules(),
                from.loginExpired() == to.loginExpired() ? null : to.loginExpired(),
                from.routes().equals(to.routes()) ? null : to.routes(),
                from.routeFirewallRules().equals(to.routeFirewallRules()) ? null : to.routeFirewallRules(),
                from.dns().equals(to.dns()) ? null : to.dns());
    }

    /** Whether the delta changes nothing but the serial. */
    public boolean isEmpty() {
        return peerConfig == null && added.isEmpty() && changed.isEmpty() && removed.isEmpty() && offlinePeers == null
                && firewallRules == null && loginExpired == null && routes == null && routeFirewallRules == null
                && dns == null;
    }

    /** The map this delta leads to from {@code from} (which must be the map it was computed from). */
    public PeerNetworkMap applyTo(PeerNetworkMap from) {
        if (from.serial() != fromSerial || !from.peerId().equals(peerId) || !from.accountId().equals(accountId)) {
            throw new IllegalArgumentException("delta from serial " + fromSerial + " of " + peerId
                    + " does not apply to serial " + from.serial() + " of " + from.peerId());
        }
        Map<String, RemotePeer> remotes = new HashMap<>();
        for (RemotePeer remote : from.remotePeers()) {
            remotes.put(remote.peerId(), remote);
        }
        removed.forEach(remote -> remotes.remove(remote.peerId()));
        added.forEach(remote -> remotes.put(remote.peerId(), remote));
        changed.forEach(remote -> remotes.put(remote.peerId(), remote));
        List<RemotePeer> sorted = new ArrayList<>(remotes.values());
        sorted.sort(RemotePeer.BY_IP);
        return new PeerNetworkMap(accountId, peerId, toSerial, peerConfig == null ? from.peerConfig() : peerConfig,
                sorted, offlinePeers == null ? from.offlinePeers() : offlinePeers,
                firewallRules == null ? from.firewallRules() : firewallRules,
                loginExpired == null ? from.loginExpired() : loginExpired,
                routes == null ? from.routes() : routes,
                routeFirewallRules == null ? from.routeFirewallRules() : routeFirewallRules,
                dns == null ? from.dns() : dns);
    }
}
