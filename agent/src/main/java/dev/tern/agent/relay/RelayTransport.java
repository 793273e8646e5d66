package dev.tern.agent.relay;

import dev.tern.protocol.relay.PeerId;

import java.util.Set;

/** What relayed links need from the relay: whether one is configured, and a way to send a packet to a peer. */
public interface RelayTransport {
    /** No relay: peers without a direct path stay unreachable. */
    RelayTransport NONE = new RelayTransport() {
        @Override
        public boolean configured() {
            return false;
        }

        @Override
        public boolean send(PeerId to, byte[] payload) {
            return false;
        }
    };

    boolean configured();

    /**
     * The relay's URL ({@code rel://host:port}) our OFFER and ANSWER name, or null: NetBird's client opens a
     * relayed link to a peer only when that peer's offer names a relay.
     */
    default String address() {
        return null;
    }

    /**
     * The peers whose relay state we want to hear about (the relay's peer-state subscription): replaces the
     * previous set. Without a relay, nothing.
     */
    default void watch(Set<PeerId> peers) {
    }

    /** Hands a WireGuard packet to the relay for {@code to}; false when it was dropped. */
    boolean send(PeerId to, byte[] payload);
}
