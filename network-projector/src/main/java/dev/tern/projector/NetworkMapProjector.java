package dev.tern.projector;

import dev.tern.events.AccountEvent;
import dev.tern.events.values.MeshIp;
import dev.tern.events.values.WireGuardKey;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The per-peer network maps of every account, kept in memory and up to date event by event, or batch by batch.
 * <p>
 * {@link #stage} feeds one event: the account graph names the peers the event may affect; {@link #flush} recomputes
 * only those maps, once per batch however many of its events named them, and stores and publishes to the
 * {@link NetworkMapHub} only maps whose content changed ({@link #apply} is both, for one event). All maps changed by
 * one batch share a new serial (the stream position of the batch's last event when known, else the account's
 * counter plus one), so a peer's serial only grows and grows only when its map changed. Replaying the same events
 * yields the same maps, which is what a restart does; their serials are at least the position of the event that
 * last changed each map, so a client holding a higher serial from before the restart holds the same map.
 * <p>
 * Thread-safety: events are staged one at a time (in the order of the event stream); queries may run concurrently
 * and see each peer's map as of the last flush.
 */
public final class NetworkMapProjector {
    private final NetworkMapHub hub;
    private final ConcurrentHashMap<String, AccountState> accounts = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<WireGuardKey, PeerRef> peersByKey = new ConcurrentHashMap<>();
    /** Accounts with events staged since the last flush, in staging order. */
    private final Set<AccountState> staged = new LinkedHashSet<>();

    /** Where a WireGuard key is registered. */
    public record PeerRef(String accountId, String peerId) {
    }

    private static final class AccountState {
        final AccountGraph graph;
        final ConcurrentHashMap<String, PeerNetworkMap> maps = new ConcurrentHashMap<>();
        long serial;
        /** What the events staged since the last flush may have changed; see {@link #stage}. */
        Set<String> affectedSinceFlush = new HashSet<>();
        final List<AccountGraph.Peer> deletedSinceFlush = new ArrayList<>();
        long lastStagedPosition;

        AccountState(String accountId) {
            this.graph = new AccountGraph(accountId);
        }
    }

    /** See {@link #computingOnDemand}. */
    private final boolean onDemand;

    public NetworkMapProjector(NetworkMapHub hub) {
        this(hub, false);
    }

    public NetworkMapProjector() {
        this(new NetworkMapHub());
    }

    private NetworkMapProjector(NetworkMapHub hub, boolean onDemand) {
        this.hub = hub;
        this.onDemand = onDemand;
    }

    /**
     * A projector that keeps only the graphs and computes a peer's map when it is asked for (then kept until the
     * next staged event of its account): for one-off questions about a state, such as an as-of read that wants one
     * peer's map out of thousands. Its maps are those a projector fed the same events in one batch would hold,
     * all under the serial of the last staged event (at least 1); it publishes nothing and {@link #flush} does
     * nothing, {@link #findPeer} knows no key.
     */
    public static NetworkMapProjector computingOnDemand() {
        return new NetworkMapProjector(new NetworkMapHub(), true);
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
        stage(event, position);
        return flush();
    }

    /**
     * Applies one event to its account's graph and remembers which maps it may have changed, without computing
     * them: {@link #flush()} does that once for all events staged since. A burst of events (a registration storm)
     * then recomputes a map once per batch instead of once per event: with a policy towards a big group, every
     * registration changes the maps of that group's peers. Queries keep answering the maps of the last flush.
     */
    public synchronized void stage(AccountEvent event, long position) {
        AccountState state = accounts.computeIfAbsent(event.accountId(), AccountState::new);
        if (onDemand) {
            state.graph.applyOnly(event); // every map of the account is forgotten below anyway
            state.lastStagedPosition = Math.max(state.lastStagedPosition, position);
            state.maps.clear(); // computed for the graph before this event
            return;
        }
        if (event instanceof dev.tern.events.PeerDeleted deleted) {
            AccountGraph.Peer peer = state.graph.peer(deleted.peerId());
            if (peer != null) {
                state.deletedSinceFlush.add(peer);
            }
        }
        state.affectedSinceFlush.addAll(state.graph.apply(event));
        state.lastStagedPosition = Math.max(state.lastStagedPosition, position);
        staged.add(state);
    }

    /**
     * Computes and publishes the maps the events staged since the last flush changed. All of an account's maps
     * changed by the batch share one serial: the position of its last staged event, when that is above the
     * account's last serial (else the last serial plus one).
     *
     * @return the maps that changed (with their new serial); removed peers are not listed but their subscriptions
     *     are ended
     */
    public synchronized List<PeerNetworkMap> flush() {
        if (staged.isEmpty()) {
            return List.of();
        }
        List<PeerNetworkMap> changed = new ArrayList<>();
        for (AccountState state : staged) {
            changed.addAll(recompute(state, state.affectedSinceFlush, state.deletedSinceFlush,
                    Math.max(state.serial + 1, state.lastStagedPosition)));
            state.affectedSinceFlush = new HashSet<>();
            state.deletedSinceFlush.clear();
            state.lastStagedPosition = 0;
        }
        staged.clear();
        return changed;
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
                : recompute(state, Set.copyOf(state.graph.peerIds()), List.of(), state.serial + 1);
    }

    private List<PeerNetworkMap> recompute(AccountState state, Set<String> affected,
                                           List<AccountGraph.Peer> deletedPeers, long nextSerial) {
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
        for (AccountGraph.Peer deletedPeer : deletedPeers) {
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
        if (state != null && onDemand) {
            return Optional.ofNullable(computedOnDemand(state, peerId));
        }
        return state == null ? Optional.empty() : Optional.ofNullable(state.maps.get(peerId));
    }

    private synchronized PeerNetworkMap computedOnDemand(AccountState state, String peerId) {
        PeerNetworkMap map = state.maps.get(peerId);
        if (map == null) {
            map = NetworkMapComputer.compute(state.graph, peerId, Math.max(1, state.lastStagedPosition));
            if (map != null) {
                state.maps.put(peerId, map);
            }
        }
        return map;
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

    /**
     * Peer id to the number of peers its map lists (remote plus offline peers, as {@link #accessiblePeers} counts
     * them), for every peer of the account, worked out from the graph without computing maps: for an as-of peers
     * list of thousands of peers, where {@link #currentMaps} would compute them all. Reflects the graph, so on a
     * live projector it equals the maps' counts only while no event is staged; empty for an unknown account.
     */
    public synchronized Map<String, Integer> accessiblePeerCounts(String accountId) {
        AccountState state = accounts.get(accountId);
        return state == null ? Map.of() : Map.copyOf(NetworkMapComputer.accessibleCounts(state.graph));
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
        if (state != null && onDemand) {
            synchronized (this) {
                state.graph.peerIds().forEach(peerId -> computedOnDemand(state, peerId));
            }
        }
        return state == null ? Map.of() : Map.copyOf(state.maps);
    }

    /**
     * Reads an account's graph under the projector's lock (no event is staged meanwhile); the reader must not keep
     * it. For explanations ({@link ReachExplainer}); {@code null} for an unknown account.
     */
    synchronized <T> T readGraph(String accountId, java.util.function.Function<AccountGraph, T> reader) {
        AccountState state = accounts.get(accountId);
        return state == null ? reader.apply(null) : reader.apply(state.graph);
    }

    /** Forgets everything before a replay from the start of the event stream; open subscriptions end. */
    public synchronized void reset() {
        staged.clear();
        hub.endAll();
        accounts.clear();
        peersByKey.clear();
    }
}
