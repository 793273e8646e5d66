package dev.tern.agent.relay;

import dev.tern.protocol.relay.PeerId;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/** A relay that is always connected and only queues what it is asked to send, for tests to look at. */
public final class RecordingRelay implements RelayTransport {
    public record Sent(PeerId to, byte[] payload) {
    }

    public final BlockingQueue<Sent> sent = new LinkedBlockingQueue<>();

    @Override
    public boolean configured() {
        return true;
    }

    @Override
    public boolean send(PeerId to, byte[] payload) {
        sent.add(new Sent(to, payload));
        return true;
    }
}
