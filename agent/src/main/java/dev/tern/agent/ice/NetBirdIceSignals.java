package dev.tern.agent.ice;

import com.google.protobuf.ByteString;
import dev.tern.protocol.signal.Body;

/**
 * Maps the agent's ICE exchange to NetBird's signal bodies exactly as NetBird's client writes and reads them
 * ({@code shared/signal/client.MarshalCredential}, {@code UnMarshalCredential}, {@code engine.convertToOfferAnswer}
 * and {@code Signaler.SignalICECandidate}): OFFER/ANSWER carry {@code ufrag:pwd} in the payload, the WireGuard port,
 * the relay address and the session id; CANDIDATE carries one candidate line.
 */
public final class NetBirdIceSignals {
    private NetBirdIceSignals() {
    }

    public static Body offer(IceOfferAnswer offer, String version) {
        return offerAnswer(Body.Type.OFFER, offer, version);
    }

    public static Body answer(IceOfferAnswer answer, String version) {
        return offerAnswer(Body.Type.ANSWER, answer, version);
    }

    public static Body candidate(IceCandidate candidate) {
        return Body.newBuilder().setType(Body.Type.CANDIDATE).setPayload(candidate.line()).build();
    }

    /**
     * Whether an OFFER/ANSWER carries ICE credentials: NetBird's client sends {@code ":"} when it runs no ICE with
     * us (relay forced, or ICE off), as its {@code hasICECredentials} reads it.
     */
    public static boolean hasIceCredentials(Body body) {
        String[] parts = body.getPayload().split(":", -1);
        return parts.length == 2 && !parts[0].isEmpty() && !parts[1].isEmpty();
    }

    /** Reads an OFFER or ANSWER; {@link IllegalArgumentException} for any other type or a malformed payload. */
    public static IceOfferAnswer parseOfferAnswer(Body body) {
        if (body.getType() != Body.Type.OFFER && body.getType() != Body.Type.ANSWER) {
            throw new IllegalArgumentException("not an OFFER or ANSWER: " + body.getType());
        }
        return new IceOfferAnswer(IceCredentials.parse(body.getPayload()), body.getWgListenPort(),
                body.hasRelayServerAddress() && !body.getRelayServerAddress().isEmpty()
                        ? body.getRelayServerAddress() : null,
                body.hasSessionId() ? body.getSessionId().toByteArray() : null);
    }

    public static IceCandidate parseCandidate(Body body) {
        if (body.getType() != Body.Type.CANDIDATE) {
            throw new IllegalArgumentException("not a CANDIDATE: " + body.getType());
        }
        return IceCandidate.parse(body.getPayload());
    }

    private static Body offerAnswer(Body.Type type, IceOfferAnswer offerAnswer, String version) {
        Body.Builder body = Body.newBuilder().setType(type).setPayload(offerAnswer.credentials().payload())
                .setWgListenPort(offerAnswer.wgListenPort()).setNetBirdVersion(version);
        if (offerAnswer.relayServerAddress() != null) {
            body.setRelayServerAddress(offerAnswer.relayServerAddress());
        }
        if (offerAnswer.sessionId() != null) {
            body.setSessionId(ByteString.copyFrom(offerAnswer.sessionId()));
        }
        return body.build();
    }
}
