package dev.tern.projector;

import dev.tern.events.AccountEvent;
import dev.tern.events.values.MeshIp;
import dev.tern.events.values.WireGuardKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The per-peer network maps of every account, kept in memory and up to date event by event.
 * <p>
 * {@link #apply} feeds one event: the account graph names the peers the event may affect, only those maps are
 * recomputed, and only maps whose content changed are stored and published to the {@link NetworkMapHub}. All maps
 * changed by one event share a new serial (the event's stream position when known, else the account's counter plus
 * one), so a peer's serial only grows and grows only when its map changed. Replaying the same events yields the
 * same maps and serials, which is what a restart does.
 * <p>
 * Thread-safety: events are applied one at a time (in the order of the event stream); queries may run concurrently
 * and see each peer's map as of the last applied event.
 */
public final class NetworkMapProjector {
    private final NetworkMapHub hub;
    private final ConcurrentHashMap<String, AccountState> accounts = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<WireGuardKey, PeerRef> peersByKey = new ConcurrentHashMap<>();

    /** Where a WireGuard key is registered. */
    public record PeerRef(String accountId, String peerId) {
    }

    private static final class AccountState {
        final AccountGraph graph;
        final ConcurrentHashMap<String, PeerNetworkMap> maps = new ConcurrentHashMap<>();
        long serial;

        AccountState(String accountId) {
            this.graph = new AccountGraph(accountId);
        }
    }

    public NetworkMapProjector(NetworkMapHub hub) {
        this.hub = hub;
    }

    public NetworkMapProjector() {
        this(new NetworkMapHub());
    }

    public NetworkMapHub hub() {
        return hub;
    }

    /** Applies one event whose stream position is unknown; see {@link #apply(AccountEvent, long)}. */
    public List<PeerNetworkMap> apply(AccountEvent event) {
        return apply(event, 0);
    }

    /**
     * Applies one event found at {@code position} of the event stream (its global index) and publishes the maps it
     * changed. Their serial is the position when that is above the account's last serial: serials then name the
     * event that produced the map and keep growing across restarts and upgrades, whatever the code did before.
     *
     * @return the maps that changed (with their new serial); removed peers are not listed but their subscriptions
     *     are ended
     */
    public synchronized List<PeerNetworkMap> apply(AccountEvent event, long position) {
        AccountState state = accounts.computeIfAbsent(event.accountId(), AccountState::new);
        AccountGraph.Peer deletedPeer = event instanceof dev.tern.events.PeerDeleted deleted
                ? state.graph.peer(deleted.peerId()) : null;
        Set<String> affected = state.graph.apply(event);
        return recompute(state, affected, deletedPeer, Math.max(state.serial + 1, position));
    }

    /**
     * Recomputes every peer map of the account from its graph, as NetBird's full account update does, and publishes
     * those that differ (normally none: the incremental path keeps them current). For diagnostics and benchmarks.
     *
     * @return the maps that changed
     */
    public synchronized List<PeerNetworkMap> recomputeAll(String accountId) {
        AccountState state = accounts.get(accountId);
        return state == null ? List.of()
                : recompute(state, Set.copyOf(state.graph.peerIds()), null, state.serial + 1);
    }

    private List<PeerNetworkMap> recompute(AccountState state, Set<String> affected, AccountGraph.Peer deletedPeer,
                                           long nextSerial) {
        if (affected.isEmpty()) {
            return List.of();
        }
        List<PeerNetworkMap> changed = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        for (String peerId : affected) {
            PeerNetworkMap fresh = NetworkMapComputer.compute(state.graph, peerId, nextSerial);
            PeerNetworkMap current = state.maps.get(peerId);
            if (fresh == null) {
                if (current != null) {
                    removed.add(peerId);
                }
            } else if (current == null || !current.sameContentAs(fresh)) {
                changed.add(fresh);
            }
        }
        if (!changed.isEmpty()) {
            state.serial = nextSerial;
        }
        for (String peerId : removed) {
            state.maps.remove(peerId);
            hub.peerRemoved(state.graph.accountId, peerId);
        }
        if (deletedPeer != null) {
            peersByKey.remove(deletedPeer.key, new PeerRef(state.graph.accountId, deletedPeer.id));
        }
        for (PeerNetworkMap map : changed) {
            if (state.maps.put(map.peerId(), map) == null) {
                peersByKey.put(map.peerConfig().wgPubKey(), new PeerRef(map.accountId(), map.peerId()));
            }
        }
        for (PeerNetworkMap map : changed) {
            hub.publish(map);
        }
        return changed;
    }

    /**
     * The own config of a peer the account has just registered and this projector may not have seen yet, formed
     * as its map will form it (address with the account network's prefix, FQDN in the account's domain; a new
     * peer has SSH off). Lets a Login answer without waiting for the projector; empty for an unknown account.
     */
    public Optional<PeerConfig> newPeerConfig(String accountId, String peerId, String name, WireGuardKey key,
                                              MeshIp ip, String dnsLabel) {
        AccountState state = accounts.get(accountId);
        if (state == null || !state.graph.hasNetwork()) {
            return Optional.empty();
        }
        return Optional.of(new PeerConfig(peerId, name, key, ip, state.graph.address(ip), state.graph.fqdn(dnsLabel),
                false));
    }

    /** The peer's current map; empty for unknown accounts and peers. */
    public Optional<PeerNetworkMap> currentMap(String accountId, String peerId) {
        AccountState state = accounts.get(accountId);
        return state == null ? Optional.empty() : Optional.ofNullable(state.maps.get(peerId));
    }

    /**
     * The peers the policies let the given peer reach or be reached from, sorted by mesh IP, whether their login
     * expired or not (NetBird's accessible peers are the map's peers plus its offline peers); empty for unknown peers.
     */
    public List<RemotePeer> accessiblePeers(String accountId, String peerId) {
        return currentMap(accountId, peerId).map(NetworkMapProjector::accessible).orElse(List.of());
    }

    private static List<RemotePeer> accessible(PeerNetworkMap map) {
        if (map.offlinePeers().isEmpty()) {
            return map.remotePeers();
        }
        List<RemotePeer> all = new ArrayList<>(map.remotePeers().size() + map.offlinePeers().size());
        all.addAll(map.remotePeers());
        all.addAll(map.offlinePeers());
        all.sort(RemotePeer.BY_IP);
        return List.copyOf(all);
    }

    /** Which account and peer a WireGuard key belongs to, for the device gRPC service. */
    public Optional<PeerRef> findPeer(WireGuardKey key) {
        return Optional.ofNullable(peersByKey.get(key));
    }

    /**
     * Subscribes to the peer's maps, seeded with its current map (if it has one) so the subscriber starts from the
     * full state and then sees every later change. Atomic with respect to {@link #apply}: no map falls in between.
     */
    public synchronized NetworkMapHub.Subscription subscribe(String accountId, String peerId) {
        NetworkMapHub.Subscription subscription = hub.subscribe(accountId, peerId);
        currentMap(accountId, peerId).ifPresent(subscription::offer);
        return subscription;
    }

    /** Every current map of the account, by peer id (a snapshot). */
    public Map<String, PeerNetworkMap> currentMaps(String accountId) {
        AccountState state = accounts.get(accountId);
        return state == null ? Map.of() : Map.copyOf(state.maps);
    }

    /** Forgets everything before a replay from the start of the event stream; open subscriptions end. */
    public synchronized void reset() {
        hub.endAll();
        accounts.clear();
        peersByKey.clear();
    }
}
