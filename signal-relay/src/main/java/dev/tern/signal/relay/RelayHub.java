package dev.tern.signal.relay;

import dev.tern.protocol.relay.PeerId;
import dev.tern.protocol.relay.RelayFrame;
import dev.tern.protocol.relay.RelayFrameCodec;
import dev.tern.protocol.relay.RelayMessageType;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who is connected to this relay node, and who watches whom. Shared by every connection's handler; all
 * operations are safe from any event-loop thread.
 */
final class RelayHub {
    /** One authenticated connection and the expiry of the token it authenticated with. */
    private record Session(Channel channel, Instant tokenExpiry) {
    }

    private final Map<PeerId, Session> peers = new ConcurrentHashMap<>();
    /** watched peer → channels that subscribed to its state */
    private final Map<PeerId, Set<Channel>> watchers = new ConcurrentHashMap<>();
    /** revoked peer → tokens expiring at or before this instant are refused (all issued before the revocation) */
    private final Map<PeerId, Instant> revoked = new ConcurrentHashMap<>();

    /**
     * Registers an authenticated peer. A live session under the same id is replaced (closed) only by a token at
     * least as fresh as its own: both tokens were issued for this peer id, and a client that reconnects uses its
     * newest one, while a copy of an older token (e.g. sniffed off a plain {@code rel://} connection) cannot kick the
     * session that a newer one opened.
     *
     * @return false when the newcomer is refused (revoked peer, or an older token than the live session's)
     */
    synchronized boolean register(PeerId id, Channel channel, Instant tokenExpiry) {
        if (isRevoked(id, tokenExpiry)) {
            return false;
        }
        Session live = peers.get(id);
        if (live != null && live.channel() != channel && live.channel().isActive()
                && tokenExpiry.isBefore(live.tokenExpiry())) {
            return false;
        }
        Session previous = peers.put(id, new Session(channel, tokenExpiry));
        if (previous != null && previous.channel() != channel) {
            closeWithNotice(previous.channel());
        }
        notifyWatchers(id, RelayMessageType.PEERS_ONLINE);
        return true;
    }

    /**
     * The peer was deleted or its login expired: its session ends now and its tokens issued so far (those expiring
     * at or before {@code tokensExpiringBy}) are refused until they lapse. Tokens issued later, after the peer logged
     * in again, expire later and are accepted.
     */
    synchronized void revoke(PeerId id, Instant tokensExpiringBy) {
        revoked.values().removeIf(until -> until.isBefore(Instant.now()));
        revoked.merge(id, tokensExpiringBy, (a, b) -> a.isAfter(b) ? a : b);
        Session live = peers.get(id);
        if (live != null && !live.tokenExpiry().isAfter(tokensExpiringBy)) {
            closeWithNotice(live.channel());
        }
    }

    private boolean isRevoked(PeerId id, Instant tokenExpiry) {
        Instant until = revoked.get(id);
        return until != null && !tokenExpiry.isAfter(until);
    }

    int revokedPeers() {
        return revoked.size();
    }

    void unregister(PeerId id, Channel channel) {
        Session session = id == null ? null : peers.get(id);
        if (session != null && session.channel() == channel && peers.remove(id, session)) {
            notifyWatchers(id, RelayMessageType.PEERS_WENT_OFFLINE);
        }
        watchers.values().forEach(set -> set.remove(channel));
        watchers.values().removeIf(Set::isEmpty);
    }

    /** Tells every peer the session ends (they reconnect elsewhere) and closes the connections. */
    void closeAll() {
        for (Channel channel : peers.values().stream().map(Session::channel).toList()) {
            closeWithNotice(channel);
        }
    }

    /** Tells the peer its session ends, then closes it; on the connection's own loop (it may have moved). */
    private static void closeWithNotice(Channel channel) {
        RelayLoops.onLoop(channel, c -> {
            c.writeAndFlush(frame(new RelayFrame.Close())); // goes out unless the peer's buffer is full
            c.close(); // not after the write: a peer that stopped reading is closed all the same
        }, channel::close);
    }

    Channel channelOf(PeerId id) {
        Session session = peers.get(id);
        return session == null ? null : session.channel();
    }

    boolean isOnline(PeerId id) {
        return peers.containsKey(id);
    }

    int connectedPeers() {
        return peers.size();
    }

    /** Subscribes and answers right away with those of the ids that are already online. */
    void subscribe(Channel subscriber, List<PeerId> ids) {
        for (PeerId id : ids) {
            watchers.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet()).add(subscriber);
        }
        List<PeerId> online = ids.stream().filter(peers::containsKey).toList();
        if (!online.isEmpty()) {
            for (byte[] msg : RelayFrameCodec.encodePeerList(RelayMessageType.PEERS_ONLINE, online)) {
                RelayLoops.writeAndFlush(subscriber, new BinaryWebSocketFrame(Unpooled.wrappedBuffer(msg)));
            }
        }
    }

    void unsubscribe(Channel subscriber, List<PeerId> ids) {
        for (PeerId id : ids) {
            Set<Channel> set = watchers.get(id);
            if (set != null) {
                set.remove(subscriber);
                watchers.computeIfPresent(id, (k, v) -> v.isEmpty() ? null : v);
            }
        }
    }

    private void notifyWatchers(PeerId id, RelayMessageType type) {
        Set<Channel> set = watchers.get(id);
        if (set == null || set.isEmpty()) {
            return;
        }
        byte[] msg = RelayFrameCodec.encode(new RelayFrame.PeerList(type, List.of(id)));
        for (Channel watcher : set) {
            RelayLoops.writeAndFlush(watcher, new BinaryWebSocketFrame(Unpooled.wrappedBuffer(msg)));
        }
    }

    static BinaryWebSocketFrame frame(RelayFrame frame) {
        return new BinaryWebSocketFrame(Unpooled.wrappedBuffer(RelayFrameCodec.encode(frame)));
    }
}
