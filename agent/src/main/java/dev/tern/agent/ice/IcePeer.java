package dev.tern.agent.ice;

import dev.tern.protocol.signal.Body;

/** One peer's ICE exchange as the engine drives it (an {@link IceLink}, or a stand-in in the engine's tests). */
public interface IcePeer extends AutoCloseable {
    /** Sends our OFFER (credentials, WireGuard port, relay, session id) and our candidates. */
    void offer();

    /** An OFFER, ANSWER or CANDIDATE from the peer. */
    void onSignal(Body body);

    @Override
    void close();

    /** What a link reports back: bodies for the peer, the WireGuard endpoint of a selected pair, a failure. */
    interface Listener {
        void send(Body body);

        /** A pair was selected; {@code endpoint} ({@code 127.0.0.1:port}) carries WireGuard to the peer over it. */
        void onDirect(String endpoint);

        /** ICE found no working pair (or the link was closed before it did). */
        void onFailed(String why);
    }

    /** Opens links; one per peer that speaks NetBird's ICE. */
    interface Factory {
        /** The engine never runs ICE: every peer uses the tern endpoint exchange and the relay. */
        Factory NONE = (remoteKey, listener) -> {
            throw new UnsupportedOperationException("ICE is off");
        };

        IcePeer open(String remoteKey, Listener listener) throws java.io.IOException;

        default boolean enabled() {
            return this != NONE;
        }
    }
}
