package dev.tern.protocol.relay;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * One relay message (NetBird relay protocol v1). Each WebSocket binary message carries exactly one.
 * Encoding and decoding live in {@link RelayFrameCodec}.
 */
public sealed interface RelayFrame {

    RelayMessageType type();

    /** A WireGuard packet for (client→server) or from (server→client) the named peer. */
    record Transport(PeerId peerId, byte[] payload) implements RelayFrame {
        public Transport {
            payload = payload.clone();
        }

        @Override
        public byte[] payload() {
            return payload.clone();
        }

        /** The same packet naming a different peer: the relay swaps in the sender before forwarding. */
        public Transport withPeerId(PeerId other) {
            return new Transport(other, payload);
        }

        @Override
        public RelayMessageType type() {
            return RelayMessageType.TRANSPORT;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Transport t && t.peerId.equals(peerId) && Arrays.equals(t.payload, payload);
        }

        @Override
        public int hashCode() {
            return peerId.hashCode() * 31 + Arrays.hashCode(payload);
        }

        @Override
        public String toString() {
            return "Transport[" + peerId + ", " + payload.length + " bytes]";
        }
    }

    /** Either side ends the session; the receiver closes the connection. */
    record Close() implements RelayFrame {
        @Override
        public RelayMessageType type() {
            return RelayMessageType.CLOSE;
        }
    }

    /** Server liveness probe; the client echoes it back. */
    record HealthCheck() implements RelayFrame {
        @Override
        public RelayMessageType type() {
            return RelayMessageType.HEALTH_CHECK;
        }
    }

    /** First client message: who I am and the token that admits me. */
    record Auth(PeerId peerId, byte[] token) implements RelayFrame {
        public Auth {
            token = token.clone();
        }

        @Override
        public byte[] token() {
            return token.clone();
        }

        @Override
        public RelayMessageType type() {
            return RelayMessageType.AUTH;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Auth a && a.peerId.equals(peerId) && Arrays.equals(a.token, token);
        }

        @Override
        public int hashCode() {
            return peerId.hashCode() * 31 + Arrays.hashCode(token);
        }

        /** Never prints the token. */
        @Override
        public String toString() {
            return "Auth[" + peerId + "]";
        }
    }

    /** Successful authentication; carries the relay instance URL peers use to agree on a common relay. */
    record AuthResponse(String instanceUrl) implements RelayFrame {
        @Override
        public RelayMessageType type() {
            return RelayMessageType.AUTH_RESPONSE;
        }

        byte[] urlBytes() {
            return instanceUrl.getBytes(StandardCharsets.UTF_8);
        }
    }

    /** Subscribe, unsubscribe, online and offline notifications: a list of peer ids. */
    record PeerList(RelayMessageType type, List<PeerId> peerIds) implements RelayFrame {
        public PeerList {
            if (!type.carriesPeerList()) {
                throw new IllegalArgumentException(type + " does not carry a peer list");
            }
            peerIds = List.copyOf(peerIds);
        }
    }
}
