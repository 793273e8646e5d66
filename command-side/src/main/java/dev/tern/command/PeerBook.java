package dev.tern.command;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.tern.events.AccountNetworkRangeChanged;
import dev.tern.events.values.Cidr;
import dev.tern.events.values.Ipv4;
import dev.tern.events.values.MeshIp;
import dev.tern.events.values.PeerExpiry;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The peers of an account with the indexes registration needs in O(1): by id, by WireGuard key, addresses in
 * use ({@link MeshAddressPool}) and DNS labels ({@link DnsLabels}). Only the peer list goes into a snapshot; the
 * indexes are rebuilt from it.
 */
final class PeerBook {

    /**
     * What the aggregate needs to know about one peer. Written as a JSON array in snapshots: an account holds up
     * to tens of thousands of peers and field names would double the snapshot.
     */
    @JsonFormat(shape = JsonFormat.Shape.ARRAY)
    @JsonPropertyOrder({"id", "wgPubKey", "ip", "dnsLabel", "name", "setupKeyId", "sshEnabled",
            "loginExpirationEnabled", "inactivityExpirationEnabled", "lastLoginEpochMilli", "expiry", "extraDnsLabels",
            "userId"})
    record Peer(String id, String wgPubKey, String ip, String dnsLabel, String name, String setupKeyId,
                boolean sshEnabled, boolean loginExpirationEnabled, boolean inactivityExpirationEnabled,
                long lastLoginEpochMilli, PeerExpiry expiry, List<String> extraDnsLabels, String userId) {
        Peer {
            // snapshots from before extra labels end at expiry
            extraDnsLabels = extraDnsLabels == null ? List.of() : List.copyOf(extraDnsLabels);
        }

        MeshIp meshIp() {
            return new MeshIp(ip);
        }

        /** Whether a user added the peer (with a JWT) rather than a setup key: then only that user renews its login. */
        boolean addedByUser() {
            return userId != null;
        }

        /** Whether the peer's login has lapsed (then {@link #expiry} says why). */
        boolean expired() {
            return expiry != null;
        }

        Peer renamed(String newName, String newLabel) {
            return new Peer(id, wgPubKey, ip, newLabel, newName, setupKeyId, sshEnabled, loginExpirationEnabled,
                    inactivityExpirationEnabled, lastLoginEpochMilli, expiry, extraDnsLabels, userId);
        }

        Peer withFlags(boolean ssh, boolean loginExpiration, boolean inactivityExpiration) {
            return new Peer(id, wgPubKey, ip, dnsLabel, name, setupKeyId, ssh, loginExpiration, inactivityExpiration,
                    lastLoginEpochMilli, expiry, extraDnsLabels, userId);
        }

        Peer withExpiry(PeerExpiry newExpiry) {
            return new Peer(id, wgPubKey, ip, dnsLabel, name, setupKeyId, sshEnabled, loginExpirationEnabled,
                    inactivityExpirationEnabled, lastLoginEpochMilli, newExpiry, extraDnsLabels, userId);
        }

        Peer loggedIn(long epochMilli) {
            return new Peer(id, wgPubKey, ip, dnsLabel, name, setupKeyId, sshEnabled, loginExpirationEnabled,
                    inactivityExpirationEnabled, epochMilli, null, extraDnsLabels, userId);
        }

        Peer withIp(MeshIp newIp) {
            return new Peer(id, wgPubKey, newIp.address(), dnsLabel, name, setupKeyId, sshEnabled,
                    loginExpirationEnabled, inactivityExpirationEnabled, lastLoginEpochMilli, expiry, extraDnsLabels,
                    userId);
        }

        Peer withExtraDnsLabels(List<String> labels) {
            return new Peer(id, wgPubKey, ip, dnsLabel, name, setupKeyId, sshEnabled, loginExpirationEnabled,
                    inactivityExpirationEnabled, lastLoginEpochMilli, expiry, labels, userId);
        }
    }

    /** Snapshot form: the network and the peers, sorted by id so equal books serialise equally. */
    record Snapshot(String network, List<Peer> peers) {
    }

    private final Cidr network;
    private final Map<String, Peer> byId = new HashMap<>();
    private final Map<String, String> idByWgKey = new HashMap<>();
    private final MeshAddressPool addresses;
    private final DnsLabels labels = new DnsLabels();
    /** Ids of the peers whose login has lapsed: a settings change re-checks only these. */
    private final Set<String> expired = new LinkedHashSet<>();

    PeerBook(Cidr network) {
        this.network = network;
        this.addresses = new MeshAddressPool(network);
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static PeerBook fromSnapshot(Snapshot snapshot) {
        PeerBook book = new PeerBook(Cidr.parse(snapshot.network()));
        snapshot.peers().forEach(book::add);
        return book;
    }

    @JsonValue
    Snapshot snapshot() {
        List<Peer> peers = new ArrayList<>(byId.values());
        peers.sort(Comparator.comparing(Peer::id));
        return new Snapshot(network.toString(), peers);
    }

    Peer get(String id) {
        return byId.get(id);
    }

    boolean contains(String id) {
        return byId.containsKey(id);
    }

    Peer byWgKey(String wgPubKey) {
        String id = idByWgKey.get(wgPubKey);
        return id == null ? null : byId.get(id);
    }

    Cidr network() {
        return network;
    }

    int size() {
        return byId.size();
    }

    /**
     * Every peer's address in {@code newNetwork}: a peer keeps its host offset where that is a host address of the
     * new network, the others get the lowest free addresses, in the order of their old addresses (deterministic).
     * The caller has checked that the new network holds every peer.
     */
    List<AccountNetworkRangeChanged.PeerAddress> addressesIn(Cidr newNetwork) {
        List<Peer> byAddress = new ArrayList<>(byId.values());
        byAddress.sort(Comparator.comparingInt(p -> Ipv4.parse(p.ip(), "mesh IP") - network.networkBits()));
        MeshAddressPool pool = new MeshAddressPool(newNetwork);
        Map<String, MeshIp> moved = new HashMap<>();
        List<Peer> withoutPlace = new ArrayList<>();
        for (Peer peer : byAddress) {
            int sameOffset = newNetwork.networkBits() + (Ipv4.parse(peer.ip(), "mesh IP") - network.networkBits());
            if (pool.contains(sameOffset)) {
                pool.take(sameOffset);
                moved.put(peer.id(), MeshIp.of(sameOffset));
            } else {
                withoutPlace.add(peer);
            }
        }
        for (Peer peer : withoutPlace) {
            MeshIp free = pool.lowestFree();
            pool.take(free.bits());
            moved.put(peer.id(), free);
        }
        return byAddress.stream().map(p -> new AccountNetworkRangeChanged.PeerAddress(p.id(), moved.get(p.id())))
                .toList();
    }

    /** This book moved to {@code newNetwork}, each peer at its address there (those not listed keep theirs). */
    PeerBook movedTo(Cidr newNetwork, List<AccountNetworkRangeChanged.PeerAddress> addresses) {
        Map<String, MeshIp> newIps = new HashMap<>();
        addresses.forEach(a -> newIps.put(a.peerId(), a.ip()));
        PeerBook moved = new PeerBook(newNetwork);
        for (Peer peer : byId.values()) {
            MeshIp newIp = newIps.get(peer.id());
            moved.add(newIp == null ? peer : peer.withIp(newIp));
        }
        return moved;
    }

    /** The address the next peer gets, or null when the network is full. */
    MeshIp nextAddress() {
        return addresses.lowestFree();
    }

    String proposeLabel(String hostname, String ownLabel) {
        return labels.propose(DnsLabels.baseOf(hostname), ownLabel);
    }

    /** The peers whose login has lapsed (a copy: callers change the book while walking it). */
    List<Peer> expiredPeers() {
        return expired.stream().map(byId::get).toList();
    }

    void add(Peer peer) {
        byId.put(peer.id(), peer);
        if (peer.expired()) {
            expired.add(peer.id());
        }
        idByWgKey.put(peer.wgPubKey(), peer.id());
        addresses.take(Ipv4.parse(peer.ip(), "mesh IP"));
        labels.take(peer.dnsLabel());
        peer.extraDnsLabels().forEach(labels::take);
    }

    /** Whether a peer's own or extra label is {@code label}. */
    boolean labelTaken(String label) {
        return labels.taken(label);
    }

    void setExtraDnsLabels(String id, List<String> extraDnsLabels) {
        Peer peer = byId.get(id);
        peer.extraDnsLabels().forEach(labels::release);
        extraDnsLabels.forEach(labels::take);
        byId.put(id, peer.withExtraDnsLabels(extraDnsLabels));
    }

    void rename(String id, String newName, String newLabel) {
        Peer peer = byId.get(id);
        labels.release(peer.dnsLabel());
        labels.take(newLabel);
        byId.put(id, peer.renamed(newName, newLabel));
    }

    void replace(Peer peer) {
        byId.put(peer.id(), peer);
        if (peer.expired()) {
            expired.add(peer.id());
        } else {
            expired.remove(peer.id());
        }
    }

    void remove(String id) {
        Peer peer = byId.remove(id);
        expired.remove(id);
        idByWgKey.remove(peer.wgPubKey());
        addresses.release(Ipv4.parse(peer.ip(), "mesh IP"));
        labels.release(peer.dnsLabel());
        peer.extraDnsLabels().forEach(labels::release);
    }
}
