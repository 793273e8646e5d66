package dev.tern.agent;

import dev.tern.protocol.relay.PeerId;

/** What relayed links need from the relay: whether one is configured, and a way to send a packet to a peer. */
interface RelayTransport {
    boolean configured();

    /** Hands a WireGuard packet to the relay for {@code to}; false when it was dropped. */
    boolean send(PeerId to, byte[] payload);
}
