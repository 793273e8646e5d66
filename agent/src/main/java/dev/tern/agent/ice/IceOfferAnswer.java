package dev.tern.agent.ice;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * What one side's OFFER or ANSWER tells the other (NetBird's {@code peer.OfferAnswer}): its ICE credentials, its
 * WireGuard listen port, the relay it is connected to ({@code null} when none) and its ICE session id
 * ({@code null} from clients older than session ids; NetBird restarts its ICE agent when the id changes).
 */
public record IceOfferAnswer(IceCredentials credentials, int wgListenPort, String relayServerAddress,
                             byte[] sessionId) {
    public IceOfferAnswer {
        Objects.requireNonNull(credentials, "credentials");
        if (wgListenPort < 0 || wgListenPort > 65535) {
            throw new IllegalArgumentException("WireGuard listen port out of range: " + wgListenPort);
        }
        sessionId = sessionId == null ? null : sessionId.clone();
    }

    @Override
    public byte[] sessionId() {
        return sessionId == null ? null : sessionId.clone();
    }

    /** The session id as NetBird logs it (hex), or the empty string. */
    public String sessionIdHex() {
        return sessionId == null ? "" : HexFormat.of().formatHex(sessionId);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof IceOfferAnswer that && credentials.equals(that.credentials)
                && wgListenPort == that.wgListenPort && Objects.equals(relayServerAddress, that.relayServerAddress)
                && Arrays.equals(sessionId, that.sessionId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(credentials, wgListenPort, relayServerAddress, Arrays.hashCode(sessionId));
    }

    @Override
    public String toString() {
        return "IceOfferAnswer[" + credentials + ", wgListenPort=" + wgListenPort + ", relay=" + relayServerAddress
                + ", session=" + sessionIdHex() + "]";
    }
}
