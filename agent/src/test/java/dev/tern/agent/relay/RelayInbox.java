package dev.tern.agent.relay;

import dev.tern.protocol.relay.PeerId;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/** Collects what a {@link RelayClient} hands its listener: the packets it receives its state changes and
 * the relay states of the peers it watches. */
public final class RelayInbox implements RelayClient.Listener {
    public record Received(PeerId from, byte[] payload) {
    }

    public final BlockingQueue<Received> packets = new LinkedBlockingQueue<>();
    public final BlockingQueue<String> states = new LinkedBlockingQueue<>();
    /** Watched peers' relay states as reported: "online id" or "offline id". */
    public final BlockingQueue<String> peerStates = new LinkedBlockingQueue<>();

    @Override
    public void onTransport(PeerId from, byte[] payload) {
        packets.add(new Received(from, payload));
    }

    @Override
    public void onStateChange(String state, String error) {
        states.add(state);
    }

    @Override
    public void onPeersOnline(List<PeerId> peers) {
        peers.forEach(id -> peerStates.add("online " + id));
    }

    @Override
    public void onPeersWentOffline(List<PeerId> peers) {
        peers.forEach(id -> peerStates.add("offline " + id));
    }
}
