package dev.tern.agent.ice;

import com.google.protobuf.ByteString;
import dev.tern.protocol.signal.Body;
import org.junit.jupiter.api.Test;
import signalexchange.Signalexchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Our OFFER/ANSWER/CANDIDATE bodies, read back through the classes generated from NetBird's own
 * {@code signalexchange.proto}, say what NetBird's client reads from them; and bodies built the way NetBird's
 * client builds them ({@code MarshalCredential}, {@code SignalICECandidate}) read back into what it meant.
 */
class NetBirdIceSignalsTest {
    private static final IceCredentials CREDENTIALS = new IceCredentials("Hb7kQxWmZ2pLcN4r", "s3cretPasswordOf32CharsOfIceChr+");
    private static final byte[] SESSION = {0x1f, 0x2e, 0x3d, 0x4c, 0x5b, 0x6a, 0x79, (byte) 0x88};

    @Test
    void offerReadsInNetBirdsShape() throws Exception {
        Body offer = NetBirdIceSignals.offer(
                new IceOfferAnswer(CREDENTIALS, 51820, "rel://relay.example:33080", SESSION), "tern-0.1.0");

        Signalexchange.Body theirs = Signalexchange.Body.parseFrom(offer.toByteArray());
        assertThat(theirs.getType()).isEqualTo(Signalexchange.Body.Type.OFFER);
        assertThat(theirs.getPayload().split(":")).containsExactly("Hb7kQxWmZ2pLcN4r", "s3cretPasswordOf32CharsOfIceChr+");
        assertThat(theirs.getWgListenPort()).isEqualTo(51820);
        assertThat(theirs.getRelayServerAddress()).isEqualTo("rel://relay.example:33080");
        assertThat(theirs.getSessionId().toByteArray()).isEqualTo(SESSION);
        assertThat(theirs.getNetBirdVersion()).isEqualTo("tern-0.1.0");
    }

    @Test
    void answerWithoutRelayOrSessionLeavesThoseFieldsUnset() throws Exception {
        Body answer = NetBirdIceSignals.answer(new IceOfferAnswer(CREDENTIALS, 51821, null, null), "tern-0.1.0");

        Signalexchange.Body theirs = Signalexchange.Body.parseFrom(answer.toByteArray());
        assertThat(theirs.getType()).isEqualTo(Signalexchange.Body.Type.ANSWER);
        // NetBird takes an absent session id for an old client and a present one for a new session
        assertThat(theirs.hasSessionId()).isFalse();
        assertThat(theirs.hasRelayServerAddress()).isFalse();
        assertThat(theirs.getWgListenPort()).isEqualTo(51821);
    }

    @Test
    void offerFromANetBirdClientReadsBack() throws Exception {
        Signalexchange.Body theirs = Signalexchange.Body.newBuilder().setType(Signalexchange.Body.Type.OFFER)
                .setPayload("Hb7kQxWmZ2pLcN4r:s3cretPasswordOf32CharsOfIceChr+").setWgListenPort(51820)
                .setNetBirdVersion("0.77.1").setRosenpassConfig(Signalexchange.RosenpassConfig.getDefaultInstance())
                .setRelayServerAddress("rels://relay.example:443").setSessionId(ByteString.copyFrom(SESSION))
                .build();

        IceOfferAnswer offer = NetBirdIceSignals.parseOfferAnswer(Body.parseFrom(theirs.toByteArray()));
        assertThat(offer).isEqualTo(new IceOfferAnswer(CREDENTIALS, 51820, "rels://relay.example:443", SESSION));
        assertThat(offer.sessionIdHex()).isEqualTo("1f2e3d4c5b6a7988");
    }

    @Test
    void candidateLineFromPionReadsBackAndOursRoundTripsThroughTheReferenceBody() throws Exception {
        // what pion's Candidate.Marshal writes for a server-reflexive candidate (with an extension NetBird adds)
        String pionLine = "2763138417 1 udp 1694498815 203.0.113.7 40119 typ srflx raddr 10.0.0.2 rport 51820"
                + " generation 0";
        Signalexchange.Body theirs = Signalexchange.Body.newBuilder().setType(Signalexchange.Body.Type.CANDIDATE)
                .setPayload(pionLine).build();

        IceCandidate candidate = NetBirdIceSignals.parseCandidate(Body.parseFrom(theirs.toByteArray()));
        assertThat(candidate).isEqualTo(new IceCandidate("2763138417", 1, "udp", 1694498815L, "203.0.113.7", 40119,
                "srflx", "10.0.0.2", 51820));

        Signalexchange.Body ours = Signalexchange.Body.parseFrom(NetBirdIceSignals.candidate(candidate).toByteArray());
        assertThat(ours.getType()).isEqualTo(Signalexchange.Body.Type.CANDIDATE);
        assertThat(ours.getPayload())
                .isEqualTo("2763138417 1 udp 1694498815 203.0.113.7 40119 typ srflx raddr 10.0.0.2 rport 51820");
    }

    @Test
    void candidateLinesWithTheRfcPrefixParseAsPionParsesThem() {
        assertThat(IceCandidate.parse("candidate:1 1 UDP 2130706431 192.0.2.4 51820 typ host"))
                .isEqualTo(new IceCandidate("1", 1, "udp", 2130706431L, "192.0.2.4", 51820, "host", null, 0));
    }

    @Test
    void malformedBodiesAreRefused() {
        assertThatThrownBy(() -> NetBirdIceSignals.parseOfferAnswer(
                Body.newBuilder().setType(Body.Type.OFFER).setPayload("no-colon").build()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NetBirdIceSignals.parseOfferAnswer(
                Body.newBuilder().setType(Body.Type.OFFER).setPayload("a:b:c").build()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NetBirdIceSignals.parseOfferAnswer(
                Body.newBuilder().setType(Body.Type.CANDIDATE).setPayload("ufrag:pwd").build()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IceCandidate.parse("1 1 udp 2130706431 192.0.2.4 51820 typ bogus"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IceCandidate.parse("1 1 udp 2130706431 192.0.2.4 4294967376 typ host"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IceCandidate.parse("1 1 udp 2130706431 192.0.2.4"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void thePasswordStaysOutOfToString() {
        assertThat(CREDENTIALS.toString()).contains("Hb7kQxWmZ2pLcN4r").doesNotContain("s3cret");
        assertThat(new IceOfferAnswer(CREDENTIALS, 1, null, null).toString()).doesNotContain("s3cret");
    }
}
