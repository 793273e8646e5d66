package dev.tern.projector;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Everything one peer needs to configure its side of the mesh: its own config, the remote peers it may reach or be
 * reached from (sorted by mesh IP), its firewall rules (in a canonical order) and a serial that only grows.
 * Immutable; two maps with the same content and serial are equal.
 * <p>
 * Login expiration, as NetBird's GetPeerNetworkMap has it: a peer the policies let this peer see whose login has
 * expired is listed in {@code offlinePeers} (sorted by mesh IP) instead of {@code remotePeers}, so the receiving peer
 * drops it from WireGuard; the firewall rules about it stay. {@code loginExpired} is the receiving peer's own state:
 * the device service refuses such a peer's Sync and asks it to log in again.
 * <p>
 * DNS records are derived from the peer itself and both peer lists, so they can never disagree with them. Offline
 * peers keep their records on purpose: NetBird's filterZoneRecordsForPeers serves the records of the peers to
 * connect and of the expired ones alike, so a name keeps resolving while its peer has to log in again. What the
 * account adds to DNS (custom zones, nameserver groups, or no DNS management at all) is {@code dns}.
 * <p>
 * Routes ({@link RouteMaps}): the routes the peer serves itself and those of its remote peers it may use, sorted by
 * id, and, for a routing peer, the firewall rules of what it lets through towards its routed networks.
 */
public record PeerNetworkMap(String accountId, String peerId, long serial, PeerConfig peerConfig,
                             List<RemotePeer> remotePeers, List<RemotePeer> offlinePeers,
                             List<FirewallRule> firewallRules, boolean loginExpired,
                             List<PeerRoute> routes, List<RouteFirewallRule> routeFirewallRules, PeerDns dns) {

    public PeerNetworkMap {
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(dns, "dns");
        Objects.requireNonNull(peerId, "peerId");
        Objects.requireNonNull(peerConfig, "peerConfig");
        // lists built by the computer are already immutable; anything else is copied
        remotePeers = frozen(remotePeers);
        offlinePeers = frozen(offlinePeers);
        firewallRules = frozen(firewallRules);
        routes = routes == null ? List.of() : List.copyOf(routes);
        routeFirewallRules = routeFirewallRules == null ? List.of() : List.copyOf(routeFirewallRules);
    }

    /** A map without routes, with the default DNS configuration (managed, nothing beyond the peer zone). */
    public PeerNetworkMap(String accountId, String peerId, long serial, PeerConfig peerConfig,
                          List<RemotePeer> remotePeers, List<RemotePeer> offlinePeers,
                          List<FirewallRule> firewallRules, boolean loginExpired) {
        this(accountId, peerId, serial, peerConfig, remotePeers, offlinePeers, firewallRules, loginExpired, List.of(),
                List.of(), PeerDns.DEFAULT);
    }

    /** A map without routes. */
    public PeerNetworkMap(String accountId, String peerId, long serial, PeerConfig peerConfig,
                          List<RemotePeer> remotePeers, List<RemotePeer> offlinePeers,
                          List<FirewallRule> firewallRules, boolean loginExpired, PeerDns dns) {
        this(accountId, peerId, serial, peerConfig, remotePeers, offlinePeers, firewallRules, loginExpired, List.of(),
                List.of(), dns);
    }

    /** A map with the default DNS configuration. */
    public PeerNetworkMap(String accountId, String peerId, long serial, PeerConfig peerConfig,
                          List<RemotePeer> remotePeers, List<RemotePeer> offlinePeers,
                          List<FirewallRule> firewallRules, boolean loginExpired,
                          List<PeerRoute> routes, List<RouteFirewallRule> routeFirewallRules) {
        this(accountId, peerId, serial, peerConfig, remotePeers, offlinePeers, firewallRules, loginExpired, routes,
                routeFirewallRules, PeerDns.DEFAULT);
    }

    private static <E> List<E> frozen(List<E> list) {
        return list instanceof FrozenList<E> ? list : List.copyOf(list);
    }

    /** The same map under another serial. */
    PeerNetworkMap withSerial(long newSerial) {
        return new PeerNetworkMap(accountId, peerId, newSerial, peerConfig, remotePeers, offlinePeers, firewallRules,
                loginExpired, routes, routeFirewallRules, dns);
    }

    /** Whether the two maps tell the peer the same thing, whatever their serials. */
    public boolean sameContentAs(PeerNetworkMap other) {
        return other != null
                && loginExpired == other.loginExpired
                && accountId.equals(other.accountId)
                && peerId.equals(other.peerId)
                && peerConfig.equals(other.peerConfig)
                && remotePeers.equals(other.remotePeers)
                && offlinePeers.equals(other.offlinePeers)
                && firewallRules.equals(other.firewallRules)
                && routes.equals(other.routes)
                && routeFirewallRules.equals(other.routeFirewallRules)
                && dns.equals(other.dns);
    }

    /**
     * A-records the peer's resolver serves, FQDN to mesh IP: its own FQDN and those of the peers it can see, offline
     * ones included (see the class comment), each with the names of its extra DNS labels (as NetBird's peer zone).
     */
    public Map<String, String> dnsRecords() {
        TreeMap<String, String> records = new TreeMap<>();
        records.put(peerConfig.fqdn(), peerConfig.meshIp().address());
        peerConfig.extraFqdns().forEach(name -> records.put(name, peerConfig.meshIp().address()));
        for (List<RemotePeer> peers : List.of(remotePeers, offlinePeers)) {
            for (RemotePeer peer : peers) {
                records.put(peer.fqdn(), peer.meshIp().address());
                peer.extraFqdns().forEach(name -> records.put(name, peer.meshIp().address()));
            }
        }
        return Collections.unmodifiableMap(records);
    }

    /** Whether the peer may reach or be reached from the given peer now (an offline peer cannot). */
    public boolean canSee(String otherPeerId) {
        for (RemotePeer remote : remotePeers) {
            if (remote.peerId().equals(otherPeerId)) {
                return true;
            }
        }
        return false;
    }
}
