package dev.tern.signal.relay;

import dev.tern.protocol.relay.PeerId;
import dev.tern.protocol.relay.RelayFrame;
import dev.tern.protocol.relay.RelayFrameCodec;
import dev.tern.protocol.relay.RelayMessageType;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who is connected to this relay node, and who watches whom. Shared by every connection's handler; all
 * operations are safe from any event-loop thread.
 */
final class RelayHub {
    private final Map<PeerId, Channel> peers = new ConcurrentHashMap<>();
    /** watched peer → channels that subscribed to its state */
    private final Map<PeerId, Set<Channel>> watchers = new ConcurrentHashMap<>();

    /** Registers an authenticated peer; an older connection under the same id is closed. */
    void register(PeerId id, Channel channel) {
        Channel previous = peers.put(id, channel);
        if (previous != null && previous != channel) {
            previous.writeAndFlush(frame(new RelayFrame.Close()));
            previous.close();
        }
        notifyWatchers(id, RelayMessageType.PEERS_ONLINE);
    }

    void unregister(PeerId id, Channel channel) {
        if (id != null && peers.remove(id, channel)) {
            notifyWatchers(id, RelayMessageType.PEERS_WENT_OFFLINE);
        }
        watchers.values().forEach(set -> set.remove(channel));
        watchers.values().removeIf(Set::isEmpty);
    }

    /** Tells every peer the session ends (they reconnect elsewhere) and closes the connections. */
    void closeAll() {
        for (Channel channel : peers.values()) {
            channel.writeAndFlush(frame(new RelayFrame.Close())).addListener(f -> channel.close());
        }
    }

    Channel channelOf(PeerId id) {
        return peers.get(id);
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
                subscriber.writeAndFlush(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(msg)));
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
            watcher.writeAndFlush(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(msg)));
        }
    }

    static BinaryWebSocketFrame frame(RelayFrame frame) {
        return new BinaryWebSocketFrame(Unpooled.wrappedBuffer(RelayFrameCodec.encode(frame)));
    }
}
