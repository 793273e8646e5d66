package dev.tern.agent.relay;

import dev.tern.protocol.relay.PeerId;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/** Collects what a {@link RelayClient} hands its listener: the packets it receives and its state changes. */
public final class RelayInbox implements RelayClient.Listener {
    public record Received(PeerId from, byte[] payload) {
    }

    public final BlockingQueue<Received> packets = new LinkedBlockingQueue<>();
    public final BlockingQueue<String> states = new LinkedBlockingQueue<>();

    @Override
    public void onTransport(PeerId from, byte[] payload) {
        packets.add(new Received(from, payload));
    }

    @Override
    public void onStateChange(String state, String error) {
        states.add(state);
    }
}
