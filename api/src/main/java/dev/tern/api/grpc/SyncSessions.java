package dev.tern.api.grpc;

import dev.tern.projector.NetworkMapProjector.PeerRef;
import dev.tern.query.peers.PeerStatusStore;
import io.grpc.Status;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open Sync streams by peer, and the peers' connection status that follows from them. A peer has one stream:
 * a new one replaces the old, which ends with {@link #REPLACED} (a reconnecting client's old stream is often
 * half-dead already, and no client needs two; without this one peer could hold any number of streams). The new
 * stream is registered before the old one ends, so the peer never looks disconnected in between. Status writes
 * for one peer happen under that peer's lock together with the change of its stream set, so a late "disconnected"
 * of an old stream can never overwrite the "connected" of its successor.
 */
final class SyncSessions {
    private static final Logger log = LoggerFactory.getLogger(SyncSessions.class);
    private static final int LOCK_STRIPES = 64;
    /** How a stream ends when the same peer opens a newer one. */
    static final Status REPLACED = Status.CANCELLED.withDescription("replaced by a newer Sync stream of this peer");

    /** One open stream, as far as the registry cares. */
    interface Session {
        PeerRef peer();

        /** The peer's address as this stream sees it; may be null. */
        String remoteIp();

        /** Ends the stream with this status (OK completes it); idempotent. */
        void terminate(Status status);

        /** Sends the peer a fresh NetbirdConfig (new relay token) without a map, if the stream can take it now. */
        void resendConfig();
    }

    private final PeerStatusStore statusStore;
    private final Clock clock;
    private final Map<PeerRef, Set<Session>> open = new ConcurrentHashMap<>();
    private final Object[] locks = new Object[LOCK_STRIPES];

    SyncSessions(PeerStatusStore statusStore, Clock clock) {
        this.statusStore = statusStore;
        this.clock = clock;
        for (int i = 0; i < LOCK_STRIPES; i++) {
            locks[i] = new Object();
        }
    }

    private Object lockFor(PeerRef peer) {
        return locks[Math.floorMod(peer.hashCode(), LOCK_STRIPES)];
    }

    /** The stream is open: the peer is connected from its address as of now; its older streams end. */
    void opened(Session session) {
        PeerRef peer = session.peer();
        List<Session> replaced;
        synchronized (lockFor(peer)) {
            Set<Session> sessions = open.computeIfAbsent(peer, p -> new CopyOnWriteArraySet<>());
            replaced = List.copyOf(sessions);
            sessions.add(session);
            writeConnected(peer, session.remoteIp());
        }
        // terminate() calls back into closed(); never hold a peer lock while calling out
        for (Session old : replaced) {
            old.terminate(REPLACED);
        }
    }

    /** The stream ended (any way); the peer is disconnected when it was its last one. Idempotent. */
    void closed(Session session) {
        PeerRef peer = session.peer();
        synchronized (lockFor(peer)) {
            Set<Session> sessions = open.get(peer);
            if (sessions == null || !sessions.remove(session)) {
                return;
            }
            if (sessions.isEmpty()) {
                open.remove(peer);
                try {
                    statusStore.markDisconnected(peer.accountId(), peer.peerId(), clock.instant());
                } catch (RuntimeException e) {
                    log.warn("could not mark peer {} disconnected: {}", peer.peerId(), e.toString());
                }
            }
        }
    }

    /** Refreshes last_seen of every peer with an open stream (called periodically). */
    /**
     * Gives every open stream a fresh NetbirdConfig: a peer whose map does not change for a day would otherwise
     * hold only the relay token of its last map, and its next relay connection would be refused.
     */
    void resendConfigs() {
        List<Session> all = new ArrayList<>();
        open.values().forEach(all::addAll);
        for (Session session : all) {
            try {
                session.resendConfig();
            } catch (RuntimeException e) {
                log.warn("could not resend the config to peer {}: {}", session.peer().peerId(), e.toString());
            }
        }
    }

    void refreshLastSeen() {
        for (PeerRef peer : List.copyOf(open.keySet())) {
            synchronized (lockFor(peer)) {
                Set<Session> sessions = open.get(peer);
                if (sessions != null && !sessions.isEmpty()) {
                    writeConnected(peer, sessions.iterator().next().remoteIp());
                }
            }
        }
    }

    /** Ends every open stream of the peer with the status. */
    void terminate(PeerRef peer, Status status) {
        Set<Session> sessions = open.get(peer);
        if (sessions != null) {
            // terminate() calls back into closed(); never hold a peer lock while calling out
            for (Session session : List.copyOf(sessions)) {
                session.terminate(status);
            }
        }
    }

    /** Ends every open stream (shutdown). */
    void terminateAll(Status status) {
        List<Session> all = new ArrayList<>();
        open.values().forEach(all::addAll);
        for (Session session : all) {
            session.terminate(status);
        }
    }

    int openCount(PeerRef peer) {
        Set<Session> sessions = open.get(peer);
        return sessions == null ? 0 : sessions.size();
    }

    private void writeConnected(PeerRef peer, String remoteIp) {
        try {
            statusStore.markConnected(peer.accountId(), peer.peerId(), clock.instant(), remoteIp);
        } catch (RuntimeException e) {
            log.warn("could not mark peer {} connected: {}", peer.peerId(), e.toString());
        }
    }
}
