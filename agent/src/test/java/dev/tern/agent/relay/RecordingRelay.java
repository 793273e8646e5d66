package dev.tern.agent.relay;

import dev.tern.protocol.relay.PeerId;

import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A relay that is always connected and only queues what it is asked to send (and remembers whom it is asked to
 * watch), for tests to look at.
 */
public final class RecordingRelay implements RelayTransport {
    public record Sent(PeerId to, byte[] payload) {
    }

    public final BlockingQueue<Sent> sent = new LinkedBlockingQueue<>();
    /** The peers whose relay state we were last asked to follow. */
    public volatile Set<PeerId> watched = Set.of();

    @Override
    public boolean configured() {
        return true;
    }

    @Override
    public void watch(Set<PeerId> peers) {
        watched = Set.copyOf(peers);
    }

    @Override
    public boolean send(PeerId to, byte[] payload) {
        sent.add(new Sent(to, payload));
        return true;
    }
}
